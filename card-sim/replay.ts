/**
 * APDU record/replay fixtures, after Ledger's hw-transport-mocker: plain text, one exchange per pair of lines,
 *   => 00A4040C0DE828BD080F8025000001FF0010
 *   <= 9000
 * `#` starts a comment; `# atr: <hex>` gives the card's ATR; `# setup: <hex>` is a command to send to a virtual
 * card before the record, to put it in the state the record starts from (it is not part of the exchanges).
 * The replayer fails on an unexpected APDU and, at `assertDone()`, on APDUs left over.
 */
import { AppError } from '../domain/result';
import { hex, unhex } from './ber';

export interface Exchange {
  command: Uint8Array;
  response: Uint8Array;
}

export function parseRecord(text: string): { atr?: Uint8Array; setup: Uint8Array[]; exchanges: Exchange[] } {
  let atr: Uint8Array | undefined;
  const setup: Uint8Array[] = [];
  const exchanges: Exchange[] = [];
  let pending: Uint8Array | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    const m = /^#\s*atr:\s*([0-9a-fA-F ]+)$/.exec(line);
    if (m) atr = unhex(m[1]!);
    const s = /^#\s*setup:\s*([0-9a-fA-F ]+)$/.exec(line);
    if (s) setup.push(unhex(s[1]!));
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('=>')) {
      if (pending) throw new Error(`record line ${i + 1}: two commands in a row`);
      pending = unhex(line.slice(2));
    } else if (line.startsWith('<=')) {
      if (!pending) throw new Error(`record line ${i + 1}: a response without a command`);
      exchanges.push({ command: pending, response: unhex(line.slice(2)) });
      pending = undefined;
    } else throw new Error(`record line ${i + 1}: expected "=> hex" or "<= hex"`);
  }
  if (pending) throw new Error('record: the last command has no response');
  return { atr, setup, exchanges };
}

export function formatRecord(exchanges: readonly Exchange[], atr?: Uint8Array, title?: string): string {
  const head = [...(title ? [`# ${title}`] : []), ...(atr ? [`# atr: ${hex(atr)}`] : [])];
  return (
    [...head, ...exchanges.flatMap((e) => [`=> ${hex(e.command)}`, `<= ${hex(e.response)}`])].join('\n') +
    '\n'
  );
}

export interface Replayer {
  readonly atr: Uint8Array;
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /** Throws if recorded exchanges were not replayed. */
  assertDone(): void;
}

export function createReplayer(text: string): Replayer {
  const { atr, exchanges } = parseRecord(text);
  let i = 0;
  return {
    atr: atr ?? new Uint8Array(0),
    async transmit(apdu) {
      const next = exchanges[i];
      if (!next)
        throw new AppError(
          'CARD_PROTOCOL',
          `replay: unexpected APDU ${hex(apdu)} after the end of the record`,
        );
      if (hex(next.command) !== hex(apdu))
        throw new AppError(
          'CARD_PROTOCOL',
          `replay: APDU #${i + 1} is ${hex(apdu)}, the record expects ${hex(next.command)}`,
        );
      i++;
      return next.response;
    },
    assertDone() {
      if (i !== exchanges.length)
        throw new Error(
          `replay: ${exchanges.length - i} recorded APDU(s) left over, next ${hex(exchanges[i]!.command)}`,
        );
    },
  };
}
