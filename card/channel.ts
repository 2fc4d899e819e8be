/**
 * A card channel: sends commands through a transport and deals with the ISO 7816 plumbing —
 * 61xx (GET RESPONSE until the data is all there), 6Cxx (re-send with the Le the card asks for),
 * command chaining for data over 255 bytes, READ BINARY in chunks of at most 0xE7 bytes, the logical channel
 * in the CLA byte, and cancellation between APDUs.
 */
import { AppError } from '../domain/result';
import { encodeCommand, parseResponse, SW_OK, swError, type Command, type Response } from './apdu';
import { concat, type Bytes } from './bytes';

/** What the driver needs from a reader: the ATR and one exchange. Errors carry stable codes (AppError). */
export interface CardTransport {
  readonly atr: Bytes;
  transmit(apdu: Bytes): Promise<Bytes>;
}

export const MAX_READ_CHUNK = 0xe7;

export interface ChannelOptions {
  /** Logical channel (0..3), put in the CLA's two low bits. */
  logicalChannel?: number;
  signal?: AbortSignal;
  /** Called with every exchange (recorders, traces). PIN-bearing commands must be masked by the caller. */
  onExchange?: (command: Bytes, response: Bytes) => void;
}

export class CardChannel {
  constructor(
    readonly transport: CardTransport,
    private readonly o: ChannelOptions = {},
  ) {}

  withChannel(logicalChannel: number): CardChannel {
    return new CardChannel(this.transport, { ...this.o, logicalChannel });
  }

  private cla(base: number) {
    return (base & 0xfc) | ((this.o.logicalChannel ?? 0) & 0x03);
  }

  private async exchange(c: Command): Promise<Response> {
    if (this.o.signal?.aborted) throw new AppError('CANCELLED', 'Opération annulée.');
    const cmd = encodeCommand(c);
    const raw = await this.transport.transmit(cmd);
    this.o.onExchange?.(cmd, raw);
    return parseResponse(raw);
  }

  /** One command (chained if its data exceeds 255 bytes), with 61xx and 6Cxx handled. Any status word returned. */
  async transmit(c: Command): Promise<Response> {
    const cla = this.cla(c.cla);
    let data = c.data?.length ? c.data : undefined;
    if (data && data.length > 255) {
      // Command chaining: every block but the last with CLA | 0x10, no Le.
      let offset = 0;
      while (data.length - offset > 255) {
        const part = data.subarray(offset, offset + MAX_READ_CHUNK);
        const r = await this.exchange({ cla: cla | 0x10, ins: c.ins, p1: c.p1, p2: c.p2, data: part });
        if (r.sw !== SW_OK) return r;
        offset += part.length;
      }
      data = data.subarray(offset);
    }
    const last: Command = { cla, ins: c.ins, p1: c.p1, p2: c.p2, data, le: c.le };
    return this.complete(last, await this.exchange(last));
  }

  /** After the answer `first` to `last`: 6Cxx → the same command with the Le the card asks for; 61xx → GET RESPONSE. */
  private async complete(last: Command, first: Response): Promise<Response> {
    let r = first;
    if ((r.sw & 0xff00) === 0x6c00) r = await this.exchange({ ...last, le: r.sw & 0xff || 256 });
    if ((r.sw & 0xff00) !== 0x6100) return r;
    const parts = [r.data];
    for (let guard = 0; (r.sw & 0xff00) === 0x6100;) {
      if (++guard > 64) throw new AppError('CARD_PROTOCOL', 'La carte annonce des données sans fin (61xx).');
      r = await this.exchange({ cla: this.cla(0x00), ins: 0xc0, p1: 0, p2: 0, le: r.sw & 0xff || 256 });
      parts.push(r.data);
    }
    return { data: parts.length === 2 && parts[0]!.length === 0 ? parts[1]! : concat(...parts), sw: r.sw };
  }

  /** Like transmit, but anything other than 9000 becomes a CardStatusError. */
  async send(c: Command, what: 'pin' | 'puk' | 'none' = 'none'): Promise<Bytes> {
    const r = await this.transmit(c);
    if (r.sw !== SW_OK) throw swError(r.sw, what);
    return r.data;
  }

  /**
   * READ BINARY of the current EF, to its end, in chunks of at most 0xE7 bytes. A chunk answered with data
   * and 9000 / 6282 is taken as it comes (the most frequent exchange of the card path, kept short); 61xx and
   * 6Cxx are dealt with as `transmit` does.
   */
  async readBinary(maxSize = 0x7fff): Promise<Bytes> {
    const parts: Bytes[] = [];
    let offset = 0;
    while (offset < maxSize) {
      const le = Math.min(MAX_READ_CHUNK, maxSize - offset);
      const read: Command = {
        cla: this.cla(0x00),
        ins: 0xb0,
        p1: (offset >> 8) & 0x7f,
        p2: offset & 0xff,
        le,
      };
      let r = await this.exchange(read);
      if (r.sw !== SW_OK && r.sw !== 0x6282) r = await this.complete(read, r);
      if (r.sw === 0x6b00 && offset > 0) break; // offset past the end: the file ended on a chunk boundary
      if (r.sw !== SW_OK && r.sw !== 0x6282) throw swError(r.sw);
      parts.push(r.data);
      offset += r.data.length;
      if (r.sw === 0x6282 || r.data.length < le || r.data.length === 0) break;
    }
    return parts.length === 1 ? parts[0]! : concat(...parts);
  }
}
