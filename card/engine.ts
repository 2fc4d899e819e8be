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
  private listeners = new Set<(state: CardState) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private monitor: ReaderMonitor;
  private current: CardState;
  private stopped = false;

  constructor(private readonly options: EngineOptions = {}) {
    this.monitor = new ReaderMonitor((event) => this.onMonitor(event));
    this.current = this.compute();
  }

  start() {
    this.monitor.start();
  }

  stop() {
    this.stopped = true;
    this.monitor.stop();
    for (const entry of this.entries.values()) this.release(entry);
  }

  getState(): CardState {
    return this.current;
  }

  onState(listener: (state: CardState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish() {
    const next = this.compute();
    const { updatedAt: _next, ...nextView } = next;
    const { updatedAt: _current, ...currentView } = this.current;
    if (JSON.stringify(nextView) === JSON.stringify(currentView)) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }

  /** One operation at a time on the cards; a cancelled request that has not started never touches a card. */
  private serial<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const run = this.queue.then(() => {
      if (signal?.aborted) throw new AppError('CANCELLED', 'Opération annulée.');
      return operation();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- reader events

  private onMonitor(event: MonitorEvent) {
    if (!event.service) {
      this.service = false;
      this.serviceError = event.error;
      for (const entry of this.entries.values()) this.release(entry);
      this.entries.clear();
      this.publish();
      return;
    }
    this.service = true;
    this.serviceError = undefined;
    const seen = new Set(event.readers.map((reader) => reader.name));
    for (const [name, entry] of this.entries) {
      if (!seen.has(name)) {
        this.release(entry);
        this.entries.delete(name);
      }
    }
    for (const reader of event.readers) this.onReader(reader);
    this.publish();
  }

  private onReader(reader: ReaderSnapshot) {
    let entry = this.entries.get(reader.name);
    if (!entry) {
      entry = { name: reader.name, snapshot: reader, slot: 'empty', pinTriesLeft: null };
      this.entries.set(reader.name, entry);
    }
    entry.snapshot = reader;
    const flags = reader.state;
    if (flags & STATE.UNAVAILABLE || flags & STATE.UNKNOWN) {
      this.forgetCard(entry);
      entry.slot = 'error';
      entry.error = new AppError('READER_GONE', 'Le lecteur ne répond pas.');
      return;
    }
    if (!(flags & STATE.PRESENT)) {
      this.forgetCard(entry);
      entry.slot = 'empty';
      return;
    }
    if (flags & STATE.MUTE) {
      this.forgetCard(entry);
      entry.slot = 'mute';
      return;
    }
    const atr = reader.atr ? toHex(reader.atr) : '';
    const insertion = `${atr}#${flags >>> 16}`;
    const exclusiveByOther = (flags & STATE.EXCLUSIVE) !== 0 && !entry.conn;
    if (entry.insertion !== insertion) {
      this.forgetCard(entry);
      entry.insertion = insertion;
      entry.atr = atr;
      entry.kind = identifyAtr(reader.atr ?? new Uint8Array(0));
    }
    if (exclusiveByOther) {
      entry.slot = 'busy';
      return;
    }
    entry.slot = 'present';
    if (isCps(entry.kind!) && !entry.identity && !entry.error) void this.readOnInsert(entry, insertion);
  }

  private forgetCard(entry: Entry) {
    this.release(entry);
    entry.kind = undefined;
    entry.atr = undefined;
    entry.insertion = undefined;
    entry.identity = undefined;
    entry.pinTriesLeft = null;
    entry.error = undefined;
  }

  private reading = new Set<string>();
  private async readOnInsert(entry: Entry, insertion: string) {
    const key = `${entry.name}|${insertion}`;
    if (this.reading.has(key)) return;
    this.reading.add(key);
    try {
      await this.serial(async () => {
        if (entry.insertion !== insertion || this.stopped) return;
        const { identity, tries } = await this.onCard(entry, async (profile) => ({
          identity: await profile.readIdentity(),
          tries: await profile.pinTriesLeft(),
        }));
        if (entry.insertion !== insertion) return;
        entry.identity = identity;
        entry.pinTriesLeft = tries;
        entry.error = undefined;
      });
    } catch (error) {
      const failure = error instanceof AppError ? error : new AppError('INTERNAL', String(error));
      if (entry.insertion === insertion) {
        if (failure.code === 'CARD_BUSY') entry.slot = 'busy';
        else if (failure.code === 'CARD_REMOVED') {
          this.forgetCard(entry);
          entry.slot = 'empty';
        } else if (failure.code !== 'PCSC_UNAVAILABLE') entry.error = failure;
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
      list.find((entry) => entry.slot === 'present' && entry.kind && isCps(entry.kind)) ??
      list.find((entry) => entry.slot === 'busy') ??
      list.find((entry) => entry.slot === 'present' && entry.kind === 'unknown') ??
      list.find((entry) => entry.slot === 'mute')
    );
  }

  private compute(): CardState {
    const updatedAt = (this.options.now?.() ?? new Date()).toISOString();
    if (this.service === null)
      return { status: 'starting', readers: [], activeReader: null, pinTriesLeft: null, updatedAt };
    if (!this.service)
      return { status: 'no-service', readers: [], activeReader: null, pinTriesLeft: null, updatedAt };
    const readers: ReaderState[] = [...this.entries.values()].map((entry) => ({
      name: entry.name,
      slot: entry.error && entry.slot === 'present' && entry.kind && isCps(entry.kind) ? 'error' : entry.slot,
      ...(entry.kind && entry.slot !== 'empty'
        ? {
            card: {
              kind: entry.kind,
              atr: entry.atr ?? '',
              ...(entry.identity
                ? {
                    serial: entry.identity.serial,
                    holder: entry.identity.holder,
                    certNotAfter: entry.identity.notAfter,
                  }
                : {}),
            },
          }
        : {}),
      ...(entry.error ? { error: { code: entry.error.code, message: entry.error.message } } : {}),
    }));
    if (readers.length === 0)
      return { status: 'no-reader', readers, activeReader: null, pinTriesLeft: null, updatedAt };
    const active = this.active();
    const activeState = active && readers.find((reader) => reader.name === active.name);
    let status: CardState['status'] = 'empty';
    if (active && activeState) {
      status =
        activeState.slot === 'busy'
          ? 'busy'
          : activeState.slot === 'error' || activeState.slot === 'mute'
            ? 'error'
            : 'present';
    }
    return {
      status,
      readers,
      activeReader: active?.name ?? null,
      pinTriesLeft: active?.pinTriesLeft ?? null,
      updatedAt,
    };
  }

  // ---- operations

  private release(entry: Entry) {
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = undefined;
    entry.conn?.close();
    entry.conn = undefined;
  }

  private holdForAWhile(entry: Entry) {
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = setTimeout(() => {
      // Only when no operation is queued behind.
      void this.serial(async () => this.release(entry));
    }, this.options.idleReleaseMs ?? 500);
    entry.idle.unref?.();
  }

  private async onCard<T>(
    entry: Entry,
    operation: (profile: CpsProfile) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const kind = entry.kind;
    if (!kind || !isCps(kind))
      throw new AppError('CARD_NOT_CPS', "La carte insérée n'est pas une carte CPS.");
    if (entry.idle) clearTimeout(entry.idle);
    if (!entry.conn) {
      try {
        entry.conn = await PcscConnection.open(entry.name);
      } catch (error) {
        if (error instanceof AppError && error.code === 'CARD_BUSY') entry.slot = 'busy';
        throw error;
      }
    }
    const conn = entry.conn;
    const openProfile = () => profileFor(kind as 'cps3' | 'cps4', new CardChannel(conn, { signal }));
    try {
      try {
        return await operation(openProfile());
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'CARD_RESET') throw error;
        // Another application reset the card: reconnect and run the whole operation again (PIN included).
        await conn.reconnect();
        return await operation(openProfile());
      }
    } catch (error) {
      if (
        error instanceof AppError &&
        ['CARD_REMOVED', 'PCSC_UNAVAILABLE', 'READER_GONE', 'CARD_PROTOCOL'].includes(error.code)
      ) {
        const gone = !conn.present();
        this.release(entry);
        if (gone && error.code !== 'PCSC_UNAVAILABLE')
          throw new AppError('CARD_REMOVED', 'La carte a été retirée pendant un échange.');
      }
      throw error;
    } finally {
      if (entry.conn) this.holdForAWhile(entry);
    }
  }

  private activeCps(): Entry {
    if (!this.service)
      throw new AppError('PCSC_UNAVAILABLE', 'Le service des lecteurs de cartes (PC/SC) ne répond pas.');
    if (this.entries.size === 0) throw new AppError('READER_NONE', 'Aucun lecteur de cartes.');
    const active = this.active();
    if (!active) throw new AppError('CARD_ABSENT', 'Aucune carte CPS dans le lecteur.');
    if (active.slot === 'busy')
      throw new AppError('CARD_BUSY', 'La carte est utilisée par une autre application.', true);
    if (!active.kind || !isCps(active.kind))
      throw new AppError('CARD_NOT_CPS', "La carte insérée n'est pas une carte CPS.");
    return active;
  }

  /** The holder and the authentication certificate; `fresh` reads them from the card again. */
  readIdentity(
    options: { fresh?: boolean; signal?: AbortSignal } = {},
  ): Promise<CardIdentity & { reader: string }> {
    return this.serial(async () => {
      const entry = this.activeCps();
      if (!options.fresh && entry.identity) return { ...entry.identity, reader: entry.name };
      const identity = await this.onCard(entry, (profile) => profile.readIdentity(), options.signal);
      const unchanged =
        entry.identity?.serial === identity.serial &&
        entry.identity.certificate.length === identity.certificate.length &&
        Buffer.compare(entry.identity.certificate, identity.certificate) === 0;
      entry.identity = identity;
      if (!unchanged || entry.error) {
        entry.error = undefined;
        this.publish();
      }
      return { ...identity, reader: entry.name };
    }, options.signal);
  }

  getPinTriesLeft(options: { signal?: AbortSignal } = {}): Promise<number> {
    return this.serial(async () => {
      const entry = this.activeCps();
      const tries = await this.onCard(entry, (profile) => profile.pinTriesLeft(), options.signal);
      entry.pinTriesLeft = tries;
      this.publish();
      return tries;
    }, options.signal);
  }

  /** VERIFY with the PIN, then the signature of the challenge. The PIN is used here and nowhere else. */
  verifyPinAndSign(
    pin: string,
    challenge: Bytes,
    options: { signal?: AbortSignal } = {},
  ): Promise<SignResult> {
    return this.serial(async () => {
      const entry = this.activeCps();
      try {
        const { signature, identity } = await this.onCard(
          entry,
          async (profile) => {
            const identity = entry.identity ?? (await profile.readIdentity());
            return { signature: await profile.verifyPinAndSign(pin, challenge), identity };
          },
          options.signal,
        );
        entry.identity = identity;
        entry.pinTriesLeft = 3;
        return {
          signature,
          certificate: identity.certificate,
          algorithm: 'RSASSA-PKCS1-v1_5-SHA256' as const,
        };
      } catch (error) {
        if (error instanceof CardStatusError && error.triesLeft !== undefined)
          entry.pinTriesLeft = error.triesLeft;
        throw error;
      } finally {
        this.publish();
      }
    }, options.signal);
  }

  /** RESET RETRY COUNTER with the PUK and a new PIN; answers the PIN tries left read back from the card. */
  unblockPin(puk: string, newPin: string, options: { signal?: AbortSignal } = {}): Promise<number> {
    return this.serial(async () => {
      const entry = this.activeCps();
      const tries = await this.onCard(
        entry,
        async (profile) => {
          await profile.unblockPin(puk, newPin);
          return profile.pinTriesLeft();
        },
        options.signal,
      );
      entry.pinTriesLeft = tries;
      this.publish();
      return tries;
    }, options.signal);
  }
}
