/**
 * PC/SC through the `smartcard` package (N-API): a reader monitor on its own context, and card connections on
 * another (pcsc-lite serialises calls on one context, and the monitor blocks in SCardGetStatusChange).
 * Every PC/SC failure becomes an AppError with a stable code.
 */
import * as pcsc from 'smartcard';
import type { ErrorCode } from '../../domain/errors';
import { AppError } from '../../domain/result';
import type { Bytes } from '../bytes';
import type { CardTransport } from '../channel';

type Ctx = InstanceType<typeof pcsc.Context>;
type NativeCard = Awaited<ReturnType<ReturnType<Ctx['listReaders']>[number]['connect']>>;

export const STATE = {
  CHANGED: pcsc.SCARD_STATE_CHANGED,
  UNKNOWN: pcsc.SCARD_STATE_UNKNOWN,
  UNAVAILABLE: pcsc.SCARD_STATE_UNAVAILABLE,
  EMPTY: pcsc.SCARD_STATE_EMPTY,
  PRESENT: pcsc.SCARD_STATE_PRESENT,
  EXCLUSIVE: pcsc.SCARD_STATE_EXCLUSIVE,
  INUSE: pcsc.SCARD_STATE_INUSE,
  MUTE: pcsc.SCARD_STATE_MUTE,
};

const PNP = '\\\\?PnP?\\Notification';

/** smartcard's errors carry pcsc-lite's message only; this maps them to our codes. */
const BY_MESSAGE: [RegExp, ErrorCode][] = [
  [/service not running|service stopped|no service/i, 'PCSC_UNAVAILABLE'],
  [/card was removed|no smart card present/i, 'CARD_REMOVED'],
  [/card was reset/i, 'CARD_RESET'],
  [/sharing violation/i, 'CARD_BUSY'],
  [/unknown reader|reader unavailable/i, 'READER_GONE'],
  [/no readers available/i, 'READER_NONE'],
  [/unresponsive|unpowered/i, 'CARD_MUTE'],
  [/timed out/i, 'CARD_TIMEOUT'],
  [/cancelled/i, 'CANCELLED'],
  [/not connected|invalid handle/i, 'CARD_REMOVED'],
  [/transaction failed|communication error|protocol mismatch|not supported|invalid atr/i, 'CARD_PROTOCOL'],
];

const WORDS: Partial<Record<ErrorCode, string>> = {
  PCSC_UNAVAILABLE: 'Le service des lecteurs de cartes (PC/SC) ne répond pas.',
  CARD_REMOVED: 'La carte a été retirée.',
  CARD_RESET: 'La carte a été réinitialisée par une autre application.',
  CARD_BUSY: 'La carte est utilisée par une autre application.',
  READER_GONE: 'Le lecteur a été débranché.',
  READER_NONE: 'Aucun lecteur de cartes.',
  CARD_MUTE: 'La carte ne répond pas.',
  CARD_TIMEOUT: 'La carte a mis trop de temps à répondre.',
  CANCELLED: 'Opération annulée.',
  CARD_PROTOCOL: 'Échange avec la carte interrompu.',
};

export function pcscError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const code = BY_MESSAGE.find(([re]) => re.test(msg))?.[1] ?? 'CARD_PROTOCOL';
  return new AppError(
    code,
    `${WORDS[code] ?? 'Erreur PC/SC.'} (${msg})`,
    code === 'CARD_BUSY' || code === 'CARD_RESET',
  );
}

export interface ReaderSnapshot {
  name: string;
  /** SCARD_STATE_* flags (upper 16 bits: pcsc-lite's event counter). */
  state: number;
  atr: Bytes | null;
}

export type MonitorEvent = { service: false; error: AppError } | { service: true; readers: ReaderSnapshot[] };

/** Watches readers and cards; survives pcscd going away and coming back, readers unplugged and plugged. */
export class ReaderMonitor {
  private running = false;
  private ctx: Ctx | undefined;
  private known = new Map<string, ReaderSnapshot>();
  private pnpState = 0;
  private lastEmit = '';

  constructor(
    private readonly onEvent: (e: MonitorEvent) => void,
    private readonly o: { retryMs?: number; pollMs?: number } = {},
  ) {}

  start() {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop() {
    this.running = false;
    try {
      this.ctx?.cancel();
    } catch {
      /* closing anyway */
    }
  }

  private emit(e: MonitorEvent) {
    const key = e.service
      ? JSON.stringify(
          e.readers.map((r) => [
            r.name,
            r.state & ~STATE.CHANGED,
            r.atr ? Buffer.from(r.atr).toString('hex') : '',
          ]),
        )
      : `down:${e.error.code}`;
    if (key === this.lastEmit) return;
    this.lastEmit = key;
    this.onEvent(e);
  }

  private drop() {
    try {
      this.ctx?.close();
    } catch {
      /* already gone */
    }
    this.ctx = undefined;
    this.known.clear();
    this.pnpState = 0;
  }

  private async loop() {
    while (this.running) {
      try {
        this.ctx ??= new pcsc.Context();
        const names = this.ctx.listReaders().map((r) => r.name);
        for (const n of [...this.known.keys()]) if (!names.includes(n)) this.known.delete(n);
        const query = (fresh: boolean) => [
          ...names.map((name) => ({
            name,
            state: fresh ? 0 : (this.known.get(name)?.state ?? 0),
            changed: false,
            atr: null,
          })),
          { name: PNP, state: this.pnpState, changed: false, atr: null },
        ];
        // A reader seen for the first time: read its state now, without waiting.
        if (names.some((n) => !this.known.has(n)))
          this.absorb((await this.ctx.waitForChange(query(true), 0)) ?? []);
        this.emit({
          service: true,
          readers: names.map((n) => this.known.get(n) ?? { name: n, state: 0, atr: null }),
        });
        const changes = await this.ctx.waitForChange(query(false), this.o.pollMs ?? 400);
        if (changes === null) continue; // cancelled
        // pcsc-lite wakes waiters on card and reader events only, not when another application takes or
        // leaves the card exclusively: a fresh look at each timeout catches that ("busy").
        this.absorb(changes.length ? changes : ((await this.ctx.waitForChange(query(true), 0)) ?? []));
      } catch (e) {
        if (process.env.VIGIE_CARD_DEBUG) console.error('monitor:', e);
        this.drop();
        if (!this.running) return;
        this.emit({ service: false, error: pcscError(e) });
        await new Promise((r) => setTimeout(r, this.o.retryMs ?? 250));
      }
    }
    this.drop();
  }

  private absorb(changes: { name: string; state: number; atr: Buffer | null }[]) {
    for (const c of changes) {
      if (c.name === PNP) {
        this.pnpState = c.state & ~STATE.CHANGED;
        continue;
      }
      this.known.set(c.name, {
        name: c.name,
        state: c.state & ~STATE.CHANGED,
        atr: c.atr ? new Uint8Array(c.atr) : null,
      });
    }
  }
}

/** A connection to the card in one reader (shared mode, T=0 or T=1). */
export class PcscConnection implements CardTransport {
  private constructor(
    private readonly ctx: Ctx,
    private card: NativeCard,
    readonly reader: string,
    readonly atr: Bytes,
  ) {}

  static async open(readerName: string, exclusive = false): Promise<PcscConnection> {
    let ctx: Ctx;
    try {
      ctx = new pcsc.Context();
    } catch (e) {
      throw pcscError(e);
    }
    try {
      const reader = ctx.listReaders().find((r) => r.name === readerName);
      if (!reader) throw new AppError('READER_GONE', 'Le lecteur a été débranché.');
      const card = await reader.connect(
        exclusive ? pcsc.SCARD_SHARE_EXCLUSIVE : pcsc.SCARD_SHARE_SHARED,
        pcsc.SCARD_PROTOCOL_T0 | pcsc.SCARD_PROTOCOL_T1,
      );
      return new PcscConnection(ctx, card, readerName, new Uint8Array(card.atr ?? reader.atr ?? []));
    } catch (e) {
      ctx.close();
      throw pcscError(e);
    }
  }

  /** True while the card answers status (not pulled out, pcscd alive). */
  present(): boolean {
    try {
      // SCardStatus: SCARD_ABSENT = 0x0002. It fails outright once the card is gone.
      return (this.card.getStatus().state & 0x0002) === 0;
    } catch {
      return false;
    }
  }

  /** Whether the card is gone, waiting up to `ms` for PC/SC to notice (a removal reaches clients ~200 ms late). */
  async gone(ms = 600): Promise<boolean> {
    const until = Date.now() + ms;
    for (;;) {
      if (!this.present()) return true;
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * One APDU. The hot path of every card operation. The command goes to smartcard as a Buffer copied into
   * Node's pool: a view of the small array the channel built would make V8 move that array off its heap
   * first (`.buffer`), which costs more than copying its few bytes. The answer is smartcard's fresh Buffer (a
   * Uint8Array), not copied; default receive buffer (258 bytes).
   */
  transmit(apdu: Bytes): Promise<Bytes> {
    const command = Buffer.isBuffer(apdu) ? apdu : Buffer.from(apdu);
    let answer: Promise<Buffer>;
    try {
      answer = this.card.transmit(command);
    } catch (e) {
      return this.failed(e);
    }
    return answer.then(
      (r: Buffer) => (r.length >= 2 ? r : this.silent()),
      (e: unknown) => this.failed(e),
    );
  }

  /** A card pulled out in the middle of an exchange: vpcd (and some readers) answer nothing at all. */
  private async silent(): Promise<never> {
    if (await this.gone()) throw new AppError('CARD_REMOVED', 'La carte a été retirée pendant un échange.');
    throw new AppError('CARD_MUTE', 'La carte ne répond plus.');
  }

  private async failed(e: unknown): Promise<never> {
    const err = pcscError(e);
    if (err.code === 'CARD_PROTOCOL' && (await this.gone()))
      throw new AppError('CARD_REMOVED', 'La carte a été retirée pendant un échange.');
    throw err;
  }

  /** After SCARD_W_RESET_CARD: reconnect, leaving the card as it is (its PIN state is already lost). */
  async reconnect(): Promise<void> {
    try {
      await this.card.reconnect(
        pcsc.SCARD_SHARE_SHARED,
        pcsc.SCARD_PROTOCOL_T0 | pcsc.SCARD_PROTOCOL_T1,
        pcsc.SCARD_LEAVE_CARD,
      );
    } catch (e) {
      throw pcscError(e);
    }
  }

  close(disposition: 'leave' | 'reset' = 'leave') {
    try {
      this.card.disconnect(disposition === 'reset' ? pcsc.SCARD_RESET_CARD : pcsc.SCARD_LEAVE_CARD);
    } catch {
      /* gone already */
    }
    try {
      this.ctx.close();
    } catch {
      /* gone already */
    }
  }
}
