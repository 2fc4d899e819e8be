import type { VigieHandlers } from '../../../domain/api/renderer-api';
import { AppError } from '../../../domain/result';
import type { CoreContext } from '../context';

/** The card group: live state, the holder read without PIN, PIN sign-in, PIN unblock with the PUK. */
export function cardHandlers(ctx: CoreContext): VigieHandlers['card'] {
  return {
    getState: () => ctx.card.getState(),
    readHolder: async () => {
      const r = await ctx.card.readHolder();
      if (!r.ok) throw new AppError(r.code, r.message, r.retryable ?? false);
      return r.value;
    },
    verifyPinAndSignIn: async ({ pin }) => {
      return ctx.session.signInWithCard(pin);
    },
    unblockPin: async ({ puk, newPin }) => {
      const r = await ctx.card.unblockPin(puk, newPin);
      if (!r.ok) throw new AppError(r.code, r.message, r.retryable ?? false);
      return { pinTriesLeft: r.value.pinTriesLeft };
    },
  };
}
