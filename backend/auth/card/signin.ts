/**
 * Card sign-in: a single-use challenge bound to the workstation; the card's signature and certificate checked by
 * ./verify.ts (chain to the trusted roots, dates, key usage, CRL, signature); the national id mapped to the
 * account. Refusals keep their own code. None counts toward blocking an account: a wrong PIN never reaches the
 * server (the card counts it), and a refusal here is an attack or an infrastructure fault (UNAVAILABLE when the
 * revocation state cannot be checked). Each goes to the security log; the account's own events show one only when
 * the real card was there (its trusted certificate signed a valid challenge) and something else refused it.
 */
import type { SignInResponse } from '../../../domain/backend-api';
import { AppError } from '../../../domain/result';
import type { Ctx } from '../../context';
import type { RequestMeta } from '../../http/meta';
import { accountByNationalId } from '../../accounts/lookup';
import { logFailure, strongSignIn } from '../strong';
import { refusalMeta, requireWorkstation, seeWorkstation } from '../event-meta';
import type { SigninDeps } from '../deps';
import { securityLog } from '../security-log';

// Not offered by this server (no trust store configured): a 4xx, 5xx is kept for our own bugs.
const unavailable = () =>
  new AppError('NOT_FOUND', "La connexion par carte n'est pas proposée par ce serveur.");

export async function issueCardChallenge(ctx: Ctx, deps: SigninDeps, meta: RequestMeta) {
  const ws = requireWorkstation(meta);
  const auth = await deps.cardAuth().catch(() => {
    throw unavailable();
  });
  const now = ctx.clock.now();
  const c = await auth.issueChallenge(ws, now);
  // Now and then, forget old challenges and tickets (safe on every instance: plain deletes of expired rows).
  if (Math.random() < 0.02) {
    const before = new Date(now.getTime() - 3600_000);
    await auth.purge(before).catch(() => 0);
    await ctx.db
      .deleteFrom('unblock_tickets')
      .where('expires_at', '<', before)
      .execute()
      .catch(() => undefined);
  }
  return { challenge: c.challenge, expiresAt: c.expiresAt.toISOString() };
}

export async function signInWithCard(
  ctx: Ctx,
  deps: SigninDeps,
  body: { challenge: string; signature: string; certificate: string; cardSerial?: string | undefined },
  meta: RequestMeta,
): Promise<SignInResponse> {
  const workstationId = requireWorkstation(meta);
  const auth = await deps.cardAuth().catch(() => {
    throw unavailable();
  });
  const now = ctx.clock.now();
  const r = await auth.verify(
    { challenge: body.challenge, signature: body.signature, certificate: body.certificate, workstationId },
    now,
  );
  if (!r.ok) {
    const acc = r.cardPresent && r.claimed ? await accountByNationalId(ctx, r.claimed.nationalId) : undefined;
    const details = { reason: r.code, certSerial: r.claimed?.certSerial ?? null };
    await securityLog(ctx, meta, now, {
      kind: 'card_sign_in_refused',
      method: 'card',
      subject: r.claimed?.nationalId ?? null,
      accountId: acc?.id ?? null,
      details: { ...details, cardPresent: !!r.cardPresent },
    });
    if (acc) {
      await logFailure(ctx, acc.id, {
        ...(await refusalMeta(ctx, meta)),
        at: now,
        type: 'sign_in_failed',
        method: 'card',
        cardSerial: body.cardSerial ?? null,
        details,
      });
    }
    throw new AppError(r.code, r.message, r.code === 'UNAVAILABLE');
  }
  const account = await accountByNationalId(ctx, r.card.nationalId);
  if (!account)
    throw new AppError('CARD_HOLDER_UNKNOWN', "Aucun compte amelipro n'est associé à cette carte.");
  const label = await seeWorkstation(ctx, meta, now);
  const signedIn = await strongSignIn(ctx, account, 'card', meta, label, now, {
    cardSerial: body.cardSerial ?? null,
    details: { certSerial: r.card.certSerial, issuer: r.card.issuer },
  });
  // The last card seen: the holder's pharmacy screen lists the staff cards nearing their end.
  await ctx.db
    .updateTable('accounts')
    .set({ card_not_after: r.card.certNotAfter })
    .where('id', '=', account.id)
    .execute();
  return signedIn;
}
