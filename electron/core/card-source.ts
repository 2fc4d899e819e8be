import type { CardHolder, CardState } from '../../domain/card';
import type { Unsubscribe } from '../../domain/api/define';
import { err, type Result } from '../../domain/result';
import type { Signature } from '../../card/process/protocol';

/** What the core needs from the card side; implemented by the card-service supervisor (./card-service). */
export interface CardSource {
  getState(): CardState;
  onState(listener: (state: CardState) => void): Unsubscribe;
  start(): Promise<void>;
  stop(): Promise<void>;
  readHolder(o?: { fresh?: boolean }): Promise<Result<CardHolder>>;
  getPinTriesLeft(): Promise<Result<number>>;
  /** The card signs the challenge after VERIFY; the PIN goes no further than the card process. */
  verifyPinAndSign(pin: string, challenge: Uint8Array): Promise<Result<Signature> & { triesLeft?: number }>;
  unblockPin(puk: string, newPin: string): Promise<Result<{ pinTriesLeft: number }> & { triesLeft?: number }>;
}

/** When no card service can run: PC/SC reported as unavailable, which the UI explains. */
export function unavailableCardSource(): CardSource {
  const state: CardState = {
    status: 'no-service',
    readers: [],
    activeReader: null,
    pinTriesLeft: null,
    updatedAt: new Date().toISOString(),
  };
  const none = async () => err('PCSC_UNAVAILABLE', 'Le service des cartes à puce ne répond pas.');
  return {
    getState: () => state,
    onState: () => () => {},
    start: async () => {},
    stop: async () => {},
    readHolder: none,
    getPinTriesLeft: none,
    verifyPinAndSign: none,
    unblockPin: none,
  };
}
