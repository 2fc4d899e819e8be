/**
 * The card engine, inside the card process: turns reader events into one CardState, reads the holder as soon
 * as a CPS is inserted, and runs the card operations one at a time on the active CPS (a two-slot reader's
 * Vitale card is ignored). It recovers by itself from pcscd restarts, readers coming and going, and another
 * application resetting the card (the PIN is then verified again by the operation itself).
 */
import type { CardKind, CardState, ReaderState } from '../domain/card';
import { AppError } from '../domain/result';
import { CardStatusError } from './apdu';
import { toHex, type Bytes } from './bytes';
import { CardChannel } from './channel';
import { identifyAtr, isCps } from './profiles/detect';
import { profileFor, type CardIdentity, type CpsProfile } from './profiles/cps';
import { PcscConnection, ReaderMonitor, STATE, type MonitorEvent, type ReaderSnapshot } from './pcsc/pcsc';

interface Entry {
  name: string;
  snapshot: ReaderSnapshot;
  slot: ReaderState['slot'];
  kind?: CardKind;
  atr?: string;
  /** Which insertion the identity belongs to (ATR + pcsc-lite's event counter). */
  insertion?: string;
  identity?: CardIdentity;
  pinTriesLeft: number | null;
  error?: AppError;
  conn?: PcscConnection;
  idle?: ReturnType<typeof setTimeout>;
}

export interface EngineOptions {
  /** Keep the card connection this long after an operation, then let other applications have the card. */
  idleReleaseMs?: number;
  now?: () => Date;
}

export interface SignResult {
  signature: Bytes;
  certificate: Bytes;
  algorithm: 'RSASSA-PKCS1-v1_5-SHA256';
}

export class CardEngine {
  private service: boolean | null = null;
  private serviceError: AppError | undefined;
  private entries = new Map<string, Entry>();
  private listeners = new Set<(s: CardState) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private monitor: ReaderMonitor;
  private current: CardState;
  private stopped = false;

  constructor(private readonly o: EngineOptions = {}) {
    this.monitor = new ReaderMonitor((e) => this.onMonitor(e));
    this.current = this.compute();
  }

  start() {
    this.monitor.start();
  }

  stop() {
    this.stopped = true;
    this.monitor.stop();
    for (const e of this.entries.values()) this.release(e);
  }

  getState(): CardState {
    return this.current;
  }

  onState(cb: (s: CardState) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private publish() {
    const next = this.compute();
    const { updatedAt: _a, ...a } = next;
    const { updatedAt: _b, ...b } = this.current;
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    this.current = next;
    for (const l of this.listeners) l(next);
  }

  /** One operation at a time on the cards; a cancelled request that has not started never touches a card. */
  private serial<T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const run = this.queue.then(() => {
      if (signal?.aborted) throw new AppError('CANCELLED', 'Opération annulée.');
      return f();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- reader events

  private onMonitor(e: MonitorEvent) {
    if (!e.service) {
      this.service = false;
      this.serviceError = e.error;
      for (const x of this.entries.values()) this.release(x);
      this.entries.clear();
      this.publish();
      return;
    }
    this.service = true;
    this.serviceError = undefined;
    const seen = new Set(e.readers.map((r) => r.name));
    for (const [name, x] of this.entries) {
      if (!seen.has(name)) {
        this.release(x);
        this.entries.delete(name);
      }
    }
    for (const r of e.readers) this.onReader(r);
    this.publish();
  }

  private onReader(r: ReaderSnapshot) {
    let x = this.entries.get(r.name);
    if (!x) {
      x = { name: r.name, snapshot: r, slot: 'empty', pinTriesLeft: null };
      this.entries.set(r.name, x);
    }
    x.snapshot = r;
    const s = r.state;
    if (s & STATE.UNAVAILABLE || s & STATE.UNKNOWN) {
      this.forgetCard(x);
      x.slot = 'error';
      x.error = new AppError('READER_GONE', 'Le lecteur ne répond pas.');
      return;
    }
    if (!(s & STATE.PRESENT)) {
      this.forgetCard(x);
      x.slot = 'empty';
      return;
    }
    if (s & STATE.MUTE) {
      this.forgetCard(x);
      x.slot = 'mute';
      return;
    }
    const atr = r.atr ? toHex(r.atr) : '';
    const insertion = `${atr}#${s >>> 16}`;
    const exclusiveByOther = (s & STATE.EXCLUSIVE) !== 0 && !x.conn;
    if (x.insertion !== insertion) {
      this.forgetCard(x);
      x.insertion = insertion;
      x.atr = atr;
      x.kind = identifyAtr(r.atr ?? new Uint8Array(0));
    }
    if (exclusiveByOther) {
      x.slot = 'busy';
      return;
    }
    x.slot = 'present';
    if (isCps(x.kind!) && !x.identity && !x.error) void this.readOnInsert(x, insertion);
  }

  private forgetCard(x: Entry) {
    this.release(x);
    x.kind = undefined;
    x.atr = undefined;
    x.insertion = undefined;
    x.identity = undefined;
    x.pinTriesLeft = null;
    x.error = undefined;
  }

  private reading = new Set<string>();
  private async readOnInsert(x: Entry, insertion: string) {
    const key = `${x.name}|${insertion}`;
    if (this.reading.has(key)) return;
    this.reading.add(key);
    try {
      await this.serial(async () => {
        if (x.insertion !== insertion || this.stopped) return;
        const { identity, tries } = await this.onCard(x, async (p) => ({
          identity: await p.readIdentity(),
          tries: await p.pinTriesLeft(),
        }));
        if (x.insertion !== insertion) return;
        x.identity = identity;
        x.pinTriesLeft = tries;
        x.error = undefined;
      });
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError('INTERNAL', String(e));
      if (x.insertion === insertion) {
        if (err.code === 'CARD_BUSY') x.slot = 'busy';
        else if (err.code === 'CARD_REMOVED') {
          this.forgetCard(x);
          x.slot = 'empty';
        } else if (err.code !== 'PCSC_UNAVAILABLE') x.error = err;
      }
    } finally {
      this.reading.delete(key);
      this.publish();
    }
  }

  // ---- state

  private active(): Entry | undefined {
    const list = [...this.entries.values()];
    return (
      list.find((x) => x.slot === 'present' && x.kind && isCps(x.kind)) ??
      list.find((x) => x.slot === 'busy') ??
      list.find((x) => x.slot === 'present' && x.kind === 'unknown') ??
      list.find((x) => x.slot === 'mute')
    );
  }

  private compute(): CardState {
    const updatedAt = (this.o.now?.() ?? new Date()).toISOString();
    if (this.service === null)
      return { status: 'starting', readers: [], activeReader: null, pinTriesLeft: null, updatedAt };
    if (!this.service)
      return { status: 'no-service', readers: [], activeReader: null, pinTriesLeft: null, updatedAt };
    const readers: ReaderState[] = [...this.entries.values()].map((x) => ({
      name: x.name,
      slot: x.error && x.slot === 'present' && x.kind && isCps(x.kind) ? 'error' : x.slot,
      ...(x.kind && x.slot !== 'empty'
        ? {
            card: {
              kind: x.kind,
              atr: x.atr ?? '',
              ...(x.identity
                ? { serial: x.identity.serial, holder: x.identity.holder, certNotAfter: x.identity.notAfter }
                : {}),
            },
          }
        : {}),
      ...(x.error ? { error: { code: x.error.code, message: x.error.message } } : {}),
    }));
    if (readers.length === 0)
      return { status: 'no-reader', readers, activeReader: null, pinTriesLeft: null, updatedAt };
    const a = this.active();
    const aState = a && readers.find((r) => r.name === a.name);
    let status: CardState['status'] = 'empty';
    if (a && aState) {
      status =
        aState.slot === 'busy'
          ? 'busy'
          : aState.slot === 'error' || aState.slot === 'mute'
            ? 'error'
            : 'present';
    }
    return {
      status,
      readers,
      activeReader: a?.name ?? null,
      pinTriesLeft: a?.pinTriesLeft ?? null,
      updatedAt,
    };
  }

  // ---- operations

  private release(x: Entry) {
    if (x.idle) clearTimeout(x.idle);
    x.idle = undefined;
    x.conn?.close();
    x.conn = undefined;
  }

  private holdForAWhile(x: Entry) {
    if (x.idle) clearTimeout(x.idle);
    x.idle = setTimeout(() => {
      // Only when no operation is queued behind.
      void this.serial(async () => this.release(x));
    }, this.o.idleReleaseMs ?? 500);
    x.idle.unref?.();
  }

  private async onCard<T>(x: Entry, f: (p: CpsProfile) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const kind = x.kind;
    if (!kind || !isCps(kind))
      throw new AppError('CARD_NOT_CPS', "La carte insérée n'est pas une carte CPS.");
    if (x.idle) clearTimeout(x.idle);
    if (!x.conn) {
      try {
        x.conn = await PcscConnection.open(x.name);
      } catch (e) {
        if (e instanceof AppError && e.code === 'CARD_BUSY') x.slot = 'busy';
        throw e;
      }
    }
    const conn = x.conn;
    const profile = () => profileFor(kind as 'cps3' | 'cps4', new CardChannel(conn, { signal }));
    try {
      try {
        return await f(profile());
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'CARD_RESET') throw e;
        // Another application reset the card: reconnect and run the whole operation again (PIN included).
        await conn.reconnect();
        return await f(profile());
      }
    } catch (e) {
      if (
        e instanceof AppError &&
        ['CARD_REMOVED', 'PCSC_UNAVAILABLE', 'READER_GONE', 'CARD_PROTOCOL'].includes(e.code)
      ) {
        const gone = !conn.present();
        this.release(x);
        if (gone && e.code !== 'PCSC_UNAVAILABLE')
          throw new AppError('CARD_REMOVED', 'La carte a été retirée pendant un échange.');
      }
      throw e;
    } finally {
      if (x.conn) this.holdForAWhile(x);
    }
  }

  private activeCps(): Entry {
    if (!this.service)
      throw new AppError('PCSC_UNAVAILABLE', 'Le service des lecteurs de cartes (PC/SC) ne répond pas.');
    if (this.entries.size === 0) throw new AppError('READER_NONE', 'Aucun lecteur de cartes.');
    const a = this.active();
    if (!a) throw new AppError('CARD_ABSENT', 'Aucune carte CPS dans le lecteur.');
    if (a.slot === 'busy')
      throw new AppError('CARD_BUSY', 'La carte est utilisée par une autre application.', true);
    if (!a.kind || !isCps(a.kind))
      throw new AppError('CARD_NOT_CPS', "La carte insérée n'est pas une carte CPS.");
    return a;
  }

  /** The holder and the authentication certificate; `fresh` reads them from the card again. */
  readIdentity(
    o: { fresh?: boolean; signal?: AbortSignal } = {},
  ): Promise<CardIdentity & { reader: string }> {
    return this.serial(async () => {
      const x = this.activeCps();
      if (!o.fresh && x.identity) return { ...x.identity, reader: x.name };
      const identity = await this.onCard(x, (p) => p.readIdentity(), o.signal);
      const unchanged =
        x.identity?.serial === identity.serial &&
        x.identity.certificate.length === identity.certificate.length &&
        Buffer.compare(x.identity.certificate, identity.certificate) === 0;
      x.identity = identity;
      if (!unchanged || x.error) {
        x.error = undefined;
        this.publish();
      }
      return { ...identity, reader: x.name };
    }, o.signal);
  }

  getPinTriesLeft(o: { signal?: AbortSignal } = {}): Promise<number> {
    return this.serial(async () => {
      const x = this.activeCps();
      const tries = await this.onCard(x, (p) => p.pinTriesLeft(), o.signal);
      x.pinTriesLeft = tries;
      this.publish();
      return tries;
    }, o.signal);
  }

  /** VERIFY with the PIN, then the signature of the challenge. The PIN is used here and nowhere else. */
  verifyPinAndSign(pin: string, challenge: Bytes, o: { signal?: AbortSignal } = {}): Promise<SignResult> {
    return this.serial(async () => {
      const x = this.activeCps();
      try {
        const { signature, identity } = await this.onCard(
          x,
          async (p) => {
            const identity = x.identity ?? (await p.readIdentity());
            return { signature: await p.verifyPinAndSign(pin, challenge), identity };
          },
          o.signal,
        );
        x.identity = identity;
        x.pinTriesLeft = 3;
        return {
          signature,
          certificate: identity.certificate,
          algorithm: 'RSASSA-PKCS1-v1_5-SHA256' as const,
        };
      } catch (e) {
        if (e instanceof CardStatusError && e.triesLeft !== undefined) x.pinTriesLeft = e.triesLeft;
        throw e;
      } finally {
        this.publish();
      }
    }, o.signal);
  }

  /** RESET RETRY COUNTER with the PUK and a new PIN; answers the PIN tries left read back from the card. */
  unblockPin(puk: string, newPin: string, o: { signal?: AbortSignal } = {}): Promise<number> {
    return this.serial(async () => {
      const x = this.activeCps();
      const tries = await this.onCard(
        x,
        async (p) => {
          await p.unblockPin(puk, newPin);
          return p.pinTriesLeft();
        },
        o.signal,
      );
      x.pinTriesLeft = tries;
      this.publish();
      return tries;
    }, o.signal);
  }
}
