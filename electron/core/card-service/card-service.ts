/**
 * The card service the workstation core uses: it runs the card process (card/process/main.ts) apart, talks to
 * it with typed messages, and restarts it when it dies or stops answering (a ping every few seconds).
 * Shaped like Ledger Live's InternalProcess: a queue until the child is ready, request ids, restart(), stop()
 * that disconnects then kills after a timeout. No `electron` import: Electron passes a `spawn` that makes a
 * utilityProcess; browser mode and tests use child_process.fork.
 *
 * The PIN crosses once (verifyPinAndSign), is never stored, logged or returned.
 */
import type { CardHolder, CardState } from '../../../domain/card';
import type { ErrorCode } from '../../../domain/errors';
import { err, ok, type Err, type Result } from '../../../domain/result';
import {
  readFromCard,
  type CardRequest,
  type FromCard,
  type Identity,
  type ResultOf,
  type Signature,
  type ToCard,
} from '../../../card/process/protocol';
import { forkCardProcess, type CardChild } from './spawn';

export { CARD_PROCESS_ENTRY, cardProcessEnv, forkCardProcess, type CardChild } from './spawn';

export interface CardServiceOptions {
  spawn?: () => CardChild;
  pingIntervalMs?: number;
  /** No pong within this time: the process is hung; it is killed and started again. */
  pingTimeoutMs?: number;
  requestTimeoutMs?: number;
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Restarts and failures of the card process (never a PIN: requests are not logged). */
  log?: (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
}

export type CardErr = Err & { triesLeft?: number };

const initialState = (): CardState => ({
  status: 'starting',
  readers: [],
  activeReader: null,
  pinTriesLeft: null,
  updatedAt: new Date().toISOString(),
});

interface Pending {
  resolve: (r: Result<unknown> & { triesLeft?: number }) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class CardService {
  private child: CardChild | undefined;
  private ready = false;
  private backlog: ToCard[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private state: CardState = initialState();
  private listeners = new Set<(s: CardState) => void>();
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastPong = Date.now();
  private stopping = false;
  private restarts = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private readyWaiters: (() => void)[] = [];
  private failedInARow = 0;

  constructor(private readonly o: CardServiceOptions = {}) {}

  /** How many times the card process was started again after dying or hanging. */
  get restartCount() {
    return this.restarts;
  }
  get pid() {
    return this.child?.pid;
  }

  /**
   * Starts the card process and resolves once it is ready, or after `startTimeoutMs` (the app must not wait on
   * the card: the state then says 'starting', or 'error' when the process keeps failing, and restarts go on).
   */
  async start(): Promise<void> {
    this.stopping = false;
    if (!this.child && !this.restartTimer) this.launch();
    await new Promise<void>((r) => {
      if (this.ready) return r();
      const t = setTimeout(() => {
        this.o.log?.('warn', 'card process not ready yet; the app goes on without it');
        r();
      }, this.o.startTimeoutMs ?? 15_000);
      t.unref?.();
      this.readyWaiters.push(() => {
        clearTimeout(t);
        r();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    const c = this.child;
    this.child = undefined;
    this.ready = false;
    this.failAll('CARD_PROCESS_DOWN', 'Le service carte est arrêté.');
    if (!c) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        c.kill('SIGKILL');
        resolve();
      }, 2000);
      c.onExit(() => {
        clearTimeout(t);
        resolve();
      });
      c.kill('SIGTERM');
    });
  }

  getState(): CardState {
    return this.state;
  }

  onState(cb: (s: CardState) => void): () => void {
    this.listeners.add(cb);
    return () => {
      this.listeners.delete(cb);
    };
  }

  /** Resolves with the first state that satisfies `pred` (tests, the session's waits). */
  waitForState(pred: (s: CardState) => boolean, timeoutMs = 10_000): Promise<CardState> {
    if (pred(this.state)) return Promise.resolve(this.state);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error(`card state: timed out after ${timeoutMs} ms; last ${JSON.stringify(this.state)}`));
      }, timeoutMs);
      const off = this.onState((s) => {
        if (pred(s)) {
          clearTimeout(t);
          off();
          resolve(s);
        }
      });
    });
  }

  private setState(s: CardState) {
    this.state = s;
    for (const l of this.listeners) l(s);
  }

  private launch() {
    const gen = ++this.generation;
    this.ready = false;
    const child = (this.o.spawn ?? (() => forkCardProcess(this.o.env)))();
    this.child = child;
    this.lastPong = Date.now();
    child.onMessage((raw) => {
      if (gen !== this.generation) return;
      const m = readFromCard(raw);
      if (m) this.onMessage(m);
      else
        this.o.log?.('error', 'card process sent a malformed message', {
          type: String((raw as { type?: unknown } | null)?.type),
        });
    });
    child.onExit(() => {
      if (gen !== this.generation) return;
      this.onDown('Le service carte s’est arrêté.');
    });
    if (this.pingTimer) clearInterval(this.pingTimer);
    const every = this.o.pingIntervalMs ?? 2000;
    const limit = this.o.pingTimeoutMs ?? 5000;
    this.pingTimer = setInterval(() => {
      if (gen !== this.generation) return;
      if (this.ready && Date.now() - this.lastPong > limit) {
        child.kill('SIGKILL');
        this.onDown('Le service carte ne répondait plus.');
        return;
      }
      if (this.ready)
        void this.request({ op: 'ping' }, limit).then((r) => r.ok && (this.lastPong = Date.now()));
    }, every);
    this.pingTimer.unref?.();
  }

  private onDown(why: string) {
    if (!this.stopping)
      this.o.log?.('warn', 'card process down, restarting it', { why, restarts: this.restarts + 1 });
    this.generation++;
    this.child = undefined;
    this.ready = false;
    this.failAll('CARD_PROCESS_DOWN', why);
    this.failedInARow++;
    // Starting again; after three failures in a row without ever getting ready, say it is an error.
    this.setState({ ...initialState(), status: this.failedInARow >= 3 ? 'error' : 'starting' });
    if (this.stopping) return;
    this.restarts++;
    const delay = Math.min(2000, 100 * 2 ** Math.min(this.restarts - 1, 4));
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.launch();
    }, delay);
    this.restartTimer.unref?.();
  }

  private failAll(code: ErrorCode, message: string) {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve(err(code, message, true));
      this.pending.delete(id);
    }
    this.backlog = [];
  }

  private onMessage(m: FromCard) {
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        this.failedInARow = 0;
        this.lastPong = Date.now();
        const q = this.backlog;
        this.backlog = [];
        for (const x of q) this.child?.send(x);
        for (const w of this.readyWaiters.splice(0)) w();
        return;
      }
      case 'state':
        this.setState(m.state);
        return;
      case 'result': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        this.lastPong = Date.now();
        if (m.ok) p.resolve(ok(m.value));
        else
          p.resolve({
            ...err(m.error.code, m.error.message, m.error.retryable),
            ...(m.error.triesLeft !== undefined ? { triesLeft: m.error.triesLeft } : {}),
          });
      }
    }
  }

  private post(m: ToCard) {
    if (this.ready && this.child) this.child.send(m);
    else this.backlog.push(m);
  }

  /** One request to the card process. `signal` cancels it (CANCELLED). */
  request<K extends CardRequest['op']>(
    req: Extract<CardRequest, { op: K }>,
    timeoutMs = this.o.requestTimeoutMs ?? 30_000,
    signal?: AbortSignal,
  ): Promise<Result<ResultOf[K]> & { triesLeft?: number }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const finish = (r: Result<unknown> & { triesLeft?: number }) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(r as Result<ResultOf[K]>);
      };
      const onAbort = () => {
        const p = this.pending.get(id);
        if (!p) return;
        this.post({ type: 'cancel', id });
      };
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.post({ type: 'cancel', id });
        finish(err('CARD_TIMEOUT', 'Le service carte n’a pas répondu à temps.', true));
      }, timeoutMs);
      this.pending.set(id, { resolve: finish, timer });
      if (signal?.aborted) {
        clearTimeout(timer);
        this.pending.delete(id);
        finish(err('CANCELLED', 'Opération annulée.'));
        return;
      }
      signal?.addEventListener('abort', onAbort);
      this.post({ type: 'request', id, request: req });
    });
  }

  // ---- capabilities

  async readHolder(o: { fresh?: boolean; signal?: AbortSignal } = {}): Promise<Result<CardHolder>> {
    const r = await this.readIdentity(o);
    return r.ok ? ok(r.value.holder) : r;
  }

  readIdentity(o: { fresh?: boolean; signal?: AbortSignal } = {}): Promise<Result<Identity>> {
    return this.request({ op: 'readIdentity', ...(o.fresh ? { fresh: true } : {}) }, undefined, o.signal);
  }

  getPinTriesLeft(o: { signal?: AbortSignal } = {}): Promise<Result<number>> {
    return this.request({ op: 'getPinTriesLeft' }, undefined, o.signal);
  }

  /**
   * The card signs the server's challenge with its authentication key after VERIFY: an RSASSA-PKCS1-v1_5
   * SHA-256 signature, and the authentication certificate (DER) to check it with.
   * Errors: CARD_PIN_WRONG (with triesLeft), CARD_PIN_BLOCKED (the PUK is needed), CARD_PIN_FORMAT, CARD_REMOVED…
   */
  async verifyPinAndSign(
    pin: string,
    challenge: Uint8Array,
    o: { signal?: AbortSignal } = {},
  ): Promise<Result<Signature> | CardErr> {
    if (!/^\d{4,8}$/.test(pin)) return err('CARD_PIN_FORMAT', 'Le code porteur est fait de 4 chiffres.');
    return this.request({ op: 'verifyPinAndSign', pin, challenge }, undefined, o.signal);
  }

  /** With the 8-digit PUK: a new PIN; answers the PIN tries left read back from the card (3). */
  async unblockPin(
    puk: string,
    newPin: string,
    o: { signal?: AbortSignal } = {},
  ): Promise<Result<{ pinTriesLeft: number }> | CardErr> {
    if (!/^\d{8}$/.test(puk)) return err('CARD_PIN_FORMAT', 'Le code de déblocage est fait de 8 chiffres.');
    if (!/^\d{4,8}$/.test(newPin)) return err('CARD_PIN_FORMAT', 'Le code porteur est fait de 4 chiffres.');
    return this.request({ op: 'unblockPin', puk, newPin }, undefined, o.signal);
  }

  /** Test hook (the process honours it only with VIGIE_CARD_TEST_HOOKS=1). */
  debug(action: 'hang' | 'crash') {
    this.post({ type: 'debug', action });
  }
}
