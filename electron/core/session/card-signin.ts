/**
 * Card sign-in on the workstation: the backend's single-use challenge, signed by the card after VERIFY (the PIN goes
 * to the card process and nowhere else: never stored, never logged), then the backend checks the signature and the
 * certificate and opens the session. The card serial is kept so that pulling the card locks the session.
 */
import type { SignInOutcome } from '../../../domain/api/groups/session';
import type { CardState } from '../../../domain/card';
import { AppError } from '../../../domain/result';
import type { CoreBase } from '../context';
import { SessionService, toAppError } from './session-service';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export async function cardSignIn(
  ctx: CoreBase,
  session: SessionService,
  pin: string,
): Promise<SignInOutcome> {
  const client = ctx.backend.client();
  const state = ctx.card.getState();
  const reader = state.readers.find((r) => r.name === state.activeReader);
  if (state.status !== 'present' || !reader?.card)
    throw new AppError('CARD_ABSENT', 'Insérez votre carte CPS dans le lecteur.');

  const ch = await client.call('cardChallenge');
  if (!ch.ok) throw toAppError(ch);
  const signed = await ctx.card.verifyPinAndSign(
    pin,
    new Uint8Array(Buffer.from(ch.value.challenge, 'base64url')),
  );
  // CARD_PIN_WRONG (tries left in the card state), CARD_PIN_BLOCKED (needs the PUK), CARD_REMOVED…: the card's own codes.
  if (!signed.ok) throw new AppError(signed.code, signed.message, signed.retryable ?? false);
  // Read after signing: a PIN typed right after insertion is signed once the card's identity (and serial) is read.
  const serial = serialInReader(ctx.card.getState(), reader.name);

  const r = await client.call('signInCard', {
    body: {
      challenge: ch.value.challenge,
      signature: b64(signed.value.signature),
      certificate: b64(signed.value.certificate),
      ...(serial && /^[0-9A-Za-z]{1,32}$/.test(serial) ? { cardSerial: serial } : {}),
    },
  });
  if (r.ok) {
    ctx.log('info', 'signed in with the card', { method: 'card' });
    return session.opened(r.value, 'card', serial);
  }
  const blocked = SessionService.blockedOutcome(r, null);
  if (blocked) return blocked;
  throw toAppError(r);
}

function serialInReader(state: CardState, readerName: string): string | null {
  return state.readers.find((r) => r.name === readerName)?.card?.serial ?? null;
}
