/**
 * The in-process transport: a virtual card in a reader without pcscd, for unit tests and the demo.
 * Its shape is the card driver's transport (card/ defines it; the two share no code, only the shape):
 * `atr` and `transmit(apdu) → response`. Errors carry the stable codes of domain/errors.ts.
 */
import { AppError } from '../domain/result';
import type { VirtualCard } from './cards/types';

export interface InProcessReader {
  readonly atr: Uint8Array;
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /** Another application resets the card: the next transmit fails with CARD_RESET and the PIN state is gone. */
  resetByOther(): void;
  /** Pull the card out (transmit fails with CARD_REMOVED) and put it back. */
  pull(): void;
  insert(): void;
  /** Every exchange so far, for record fixtures. */
  readonly log: { command: Uint8Array; response: Uint8Array }[];
}

export function inProcessReader(card: VirtualCard): InProcessReader {
  let present = true;
  let resetPending = false;
  const log: InProcessReader['log'] = [];
  card.reset();
  return {
    atr: card.atr,
    log,
    async transmit(apdu) {
      if (!present) throw new AppError('CARD_REMOVED', 'La carte a été retirée.');
      if (resetPending) {
        resetPending = false;
        throw new AppError('CARD_RESET', 'La carte a été réinitialisée par une autre application.');
      }
      const response = card.process(new Uint8Array(apdu));
      log.push({ command: new Uint8Array(apdu), response });
      return response;
    },
    resetByOther() {
      card.reset();
      resetPending = true;
    },
    pull() {
      present = false;
    },
    insert() {
      present = true;
      card.reset();
    },
  };
}
