/**
 * The strong sign-in that card and e-CPS share: the account found by national id, unblocked if it was blocked
 * (a card or e-CPS is the owner's proven factor), the session opened; and the record of a failed attempt.
 */
import type { SignInResponse } from '../../domain/backend-api';
import { strongFactorsOnly } from '../../domain/policy/unblock';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { appendEvents } from '../events/chain';
import { type NewEvent } from '../events/hash';
import { enqueueMails } from '../mail/outbox';
import { signInMail } from '../mail/templates';
import { BLOCK_EXPLANATION_INACTIVITY, blockAccounts, recordActivity } from '../accounts/accounts';
import type { RequestMeta } from '../http/meta';
import { createSession, signInResponse } from '../sessions/sessions';
import { accountQuery, type AccountRow } from '../accounts/lookup';
import { blockedError, unblockLocked } from '../accounts/unblock';
import { evMetaOf, requireWorkstation } from './event-meta';

/**
 * A strong sign-in (card or e-CPS) of a known account: blocks first if the block date has passed and the sweep was
 * late (so the log tells the truth), unblocks a blocked account (except e-CPS after the user's own report), restarts
 * the activity clock, opens the session, writes the events and the sign-in e-mail. One transaction.
 */
export async function strongSignIn(
  ctx: Ctx,
  account: AccountRow,
  method: 'card' | 'ecps',
  meta: RequestMeta,
  label: string,
  now: Date,
  extra: { cardSerial?: string | null; details?: Record<string, string | number | boolean | null> } = {},
): Promise<SignInResponse> {
  if (account.kind === 'password_delegate')
    throw new AppError('FORBIDDEN', 'Ce compte se connecte par identifiant et mot de passe.');
  if (account.kind === 'card_delegate' && !account.delegated) {
    throw new AppError('FORBIDDEN', "Votre délégation d'accès a été révoquée par le titulaire du compte.");
  }
  const workstationId = requireWorkstation(meta);
  const ev = { ...evMetaOf(meta, label), cardSerial: extra.cardSerial ?? null };
  const out = await ctx.db.transaction().execute(async (trx) => {
    const acc = await accountQuery(trx)
      .where('a.id', '=', account.id)
      .forUpdate(['a'])
      .executeTakeFirstOrThrow();
    let blocked = acc.state === 'blocked';
    if (!blocked && acc.block_due_at.getTime() <= now.getTime()) {
      await blockAccounts(trx, [acc], 'inactivity', BLOCK_EXPLANATION_INACTIVITY, now);
      Object.assign(acc, {
        state: 'blocked',
        block_reason: 'inactivity',
        block_explanation: BLOCK_EXPLANATION_INACTIVITY,
        suspicion_cause: null,
      });
      blocked = true;
    }
    if (blocked) {
      if (
        method === 'ecps' &&
        strongFactorsOnly({ reason: acc.block_reason ?? 'inactivity', cause: acc.suspicion_cause ?? null })
      ) {
        await appendEvents(trx, [
          {
            ...ev,
            accountId: acc.id,
            at: now,
            type: 'sign_in_refused_blocked',
            method,
            outcome: 'failure',
            details: { reason: 'suspicious', cause: 'user_report' },
          },
        ]);
        return { refused: blockedError(acc) } as const;
      }
      await unblockLocked(trx, acc, method, ev, now);
    }
    await recordActivity(trx, acc.id, acc.created_at, { method, workstationId }, now, ctx.config);
    const { token, session } = await createSession(
      trx,
      { accountId: acc.id, workstationId, method, scope: 'full', meta },
      now,
    );
    await appendEvents(trx, [
      {
        ...ev,
        accountId: acc.id,
        at: now,
        type: 'sign_in',
        method,
        outcome: 'success',
        details: { sessionId: session.id, ...(extra.details ?? {}) },
      },
    ]);
    await enqueueMails(trx, now, [
      {
        ...signInMail({ name: acc.display_name, at: now, method, workstationLabel: label }),
        accountId: acc.id,
        to: acc.email,
      },
    ]);
    return { token, session, acc } as const;
  });
  if ('refused' in out) throw out.refused;
  const s = out.session;
  return signInResponse(ctx, {
    token: out.token,
    sessionId: s.id,
    createdAt: s.created_at,
    lastSeenAt: s.last_seen_at,
    passwordChangeRequired: false,
    account: out.acc,
  });
}

/** A failed attempt written on the account it concerns (when there is one), in its own transaction. */
export async function logFailure(
  ctx: Ctx,
  accountId: string,
  e: Omit<NewEvent, 'accountId' | 'outcome'>,
): Promise<void> {
  await ctx.db.transaction().execute((trx) => appendEvents(trx, [{ ...e, accountId, outcome: 'failure' }]));
}
