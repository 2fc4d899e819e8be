import { z } from 'zod';
import { call, event } from '../define';
import { CardHolderSchema, CardStateSchema } from '../../card';
import { SignInOutcomeSchema } from './session';

const Pin = z.string().regex(/^[0-9]{4,8}$/);

export const cardGroup = {
  getState: call(z.void(), CardStateSchema),
  state: event(CardStateSchema),
  /** The holder of the card in the reader, read without PIN. */
  readHolder: call(z.void(), CardHolderSchema),
  /**
   * The PIN crosses once: the core has the card sign the backend's challenge and signs in.
   * A wrong PIN answers CARD_PIN_WRONG (tries left in the card state); a blocked PIN CARD_PIN_BLOCKED.
   */
  verifyPinAndSignIn: call(z.object({ pin: Pin }).strict(), SignInOutcomeSchema),
  /** With the 8-digit PUK from the card's letter: a new PIN. */
  unblockPin: call(
    z.object({ puk: z.string().regex(/^[0-9]{8}$/), newPin: Pin }).strict(),
    z.object({ pinTriesLeft: z.number().int() }),
  ),
};
