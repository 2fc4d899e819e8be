/**
 * The end of both online unblock paths (security key, postal code): a single-use ticket that only lets the user set
 * a new password; then the account is active again.
 */
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { newToken, sha256 } from '../crypto';
import { appendEvents } from '../events/chain';
import { enqueueMails } from '../mail/outbox';
import { passwordChangedMail, securityKeyUsedMail } from '../mail/templates';
import { acceptNewPassword } from '../auth/new-password';
import type { PasswordHasher } from '../auth/passwords';
import { recordActivity, replacePassword } from '../accounts/accounts';
import type { RequestMeta } from '../http/meta';
import { accountQuery } from '../accounts/lookup';
import { closeOpenCases, unblockLocked } from '../accounts/unblock';
import { dropFactor } from '../auth/factors/manage';
import { evMetaOf } from '../auth/event-meta';
import type { SigninDeps } from '../auth/deps';

export async function issueTicket(
  ctx: Ctx,
  deps: SigninDeps,
  accountId: string,
  method: 'security_key' | 'postal_code',
  meta: RequestMeta,
) {
  const now = ctx.clock.now();
  const token = newToken();
  const expiresAt = new Date(now.getTime() + deps.ticketTtlMs);
  await ctx.db
    .insertInto('unblock_tickets')
    .values({
      token_hash: sha256(token),
      account_id: accountId,
      method,
      workstation_id: meta.workstationId,
      created_at: now,
      expires_at: expiresAt,
      used_at: null,
    })
    .execute();
  return { ticket: token, expiresAt: expiresAt.toISOString() };
}

/**
 * The last step: with a valid ticket, a new password under the policy (CNIL rules, strength, none of the last 12);
 * the account is unblocked, its activity clock restarts, its sessions end, events and e-mails are written.
 */
export async function setPasswordWithTicket(
  ctx: Ctx,
  deps: SigninDeps,
  hasher: PasswordHasher,
  ticket: string,
  newPassword: string,
  meta: RequestMeta,
) {
  const now = ctx.clock.now();
  const t = await ctx.db
    .selectFrom('unblock_tickets')
    .selectAll()
    .where('token_hash', '=', sha256(ticket))
    .executeTakeFirst();
  if (
    !t ||
    t.used_at ||
    t.expires_at.getTime() <= now.getTime() ||
    (t.workstation_id && t.workstation_id !== meta.workstationId)
  ) {
    throw new AppError(
      'UNAUTHENTICATED',
      'Ce lien de déblocage a expiré ou a déjà servi. Recommencez le parcours de déblocage.',
    );
  }
  const acc = await accountQuery(ctx.db).where('a.id', '=', t.account_id).executeTakeFirstOrThrow();
  const who = { ...acc, accountId: acc.id, displayName: acc.display_name };
  const newHash = await acceptNewPassword(ctx, hasher, who, newPassword);
  const ev = evMetaOf(meta);
  await ctx.db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('unblock_tickets')
      .set({ used_at: now })
      .where('token_hash', '=', t.token_hash)
      .where('used_at', 'is', null)
      .returning('account_id')
      .executeTakeFirst();
    if (!used) throw new AppError('UNAUTHENTICATED', 'Ce lien de déblocage a déjà servi.');
    const locked = await accountQuery(trx)
      .where('a.id', '=', acc.id)
      .forUpdate(['a'])
      .executeTakeFirstOrThrow();
    await replacePassword(trx, acc.id, newHash, now);
    // The path ends with a new password and a factor enrolled again through the dedicated mailbox (a lost
    // authenticator is recovered this way too).
    await dropFactor(trx, acc.id, { ...ev, at: now, method: t.method, via: t.method });
    await appendEvents(trx, [
      {
        ...ev,
        accountId: acc.id,
        at: now,
        type: 'password_changed',
        method: t.method,
        outcome: 'success',
        details: { via: t.method },
      },
    ]);
    // The owner hears of every reset, blocked or not: a reset she did not make is someone else's way in.
    const told = { name: acc.display_name, at: now, workstationLabel: ev.workstationLabel };
    await enqueueMails(trx, now, [
      { ...passwordChangedMail(told), accountId: acc.id, to: acc.email },
      ...(t.method === 'security_key'
        ? [{ ...securityKeyUsedMail(told), accountId: acc.id, to: acc.email }]
        : []),
    ]);
    if (locked.state === 'blocked') await unblockLocked(trx, locked, t.method, ev, now);
    else await closeOpenCases(trx, acc.id, now, 'Mot de passe changé.', ev);
    await recordActivity(
      trx,
      acc.id,
      locked.created_at,
      { method: t.method, workstationId: meta.workstationId },
      now,
      ctx.config,
    );
  });
  return { unblocked: true as const };
}
