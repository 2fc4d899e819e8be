/**
 * Opens the session of a password sign-in once everything before it is proven (the password, and the second factor
 * when there is one), on the general path: in one transaction, the activity clock restarted if the account is
 * active and before its block date (blocked otherwise, so nobody signs in past the date even if the sweep is late),
 * the session (password-change only when the password expired), the events and the sign-in mail naming the second
 * factor used. Both the one-step sign-in (password.ts) and the second step (factors/second-step.ts) end here when their
 * one-statement path does not apply.
 */
import type { Transaction } from 'kysely';
import type { FactorMethod, SignInResponse } from '../../domain/backend-api';
import { deadlines } from '../accounts/accounts';
import type { Ctx } from '../context';
import type { Database } from '../db/schema';
import { appendEvents } from '../events/chain';
import type { RequestMeta } from '../http/meta';
import { enqueueMails } from '../mail/outbox';
import { signInMail } from '../mail/templates';
import { createSession, signInResponse, type SignedInAccount } from '../sessions/sessions';
import type { EvMeta } from './event-meta';
import { refuseBlocked } from './refuse-blocked';

export interface PasswordSession {
  account: SignedInAccount & { email: string; created_at: Date };
  meta: RequestMeta & { workstationId: string };
  /** The events' metadata, with the workstation's label as recorded. */
  evMeta: EvMeta & { workstationId: string; workstationLabel: string };
  /** The password expired: the session only lets it be changed. */
  passwordChange: boolean;
  /** The second factor proven (named in the event and the mail), or none (the grace period). */
  factor: FactorMethod | 'none';
  /** An event written before the sign-in's own. */
  notice?: 'password_expired' | 'recovery_code_used';
  /** Done first in the transaction (the second step marked done); throwing there opens nothing. */
  claim?: (trx: Transaction<Database>) => Promise<void>;
}

export async function openPasswordSession(ctx: Ctx, p: PasswordSession, now: Date): Promise<SignInResponse> {
  const { account, meta, evMeta } = p;
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    await p.claim?.(trx);
    const activated = await trx
      .updateTable('accounts')
      .set({
        last_activity_at: now,
        last_activity_method: 'password',
        last_activity_workstation_id: meta.workstationId,
        ...deadlines(now, account.created_at, now, ctx.config),
      })
      .where('id', '=', account.id)
      .where('state', '=', 'active')
      .where('block_due_at', '>', now)
      .returning('id')
      .executeTakeFirst();
    if (!activated) return { blocked: await refuseBlocked(trx, account.id, evMeta, now) } as const;
    const { token, session } = await createSession(
      trx,
      {
        accountId: account.id,
        workstationId: meta.workstationId,
        method: 'password',
        scope: p.passwordChange ? 'password_change' : 'full',
        meta,
      },
      now,
    );
    const at = { ...evMeta, accountId: account.id, at: now, method: 'password' as const };
    await appendEvents(trx, [
      ...(p.notice ? [{ ...at, type: p.notice, outcome: 'info' as const, details: {} }] : []),
      {
        ...at,
        type: 'sign_in',
        outcome: 'success',
        details:
          p.factor === 'none' ? { sessionId: session.id } : { sessionId: session.id, factor: p.factor },
      },
    ]);
    const mail = signInMail({
      name: account.display_name,
      at: now,
      method: 'password',
      workstationLabel: evMeta.workstationLabel,
      factor: p.factor,
    });
    await enqueueMails(trx, now, [{ ...mail, accountId: account.id, to: account.email }]);
    return { token, session } as const;
  });
  if ('blocked' in outcome) throw outcome.blocked;
  return signInResponse(ctx, {
    token: outcome.token,
    sessionId: outcome.session.id,
    createdAt: outcome.session.created_at,
    lastSeenAt: outcome.session.last_seen_at,
    passwordChangeRequired: p.passwordChange,
    account,
  });
}
