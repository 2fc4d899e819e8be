/** A signed-in user changes her password (also the only thing a `password_change` session may do). */
import { PASSWORD_HISTORY } from '../../domain/policy';
import { AppError } from '../../domain/result';
import { replacePassword } from '../accounts/accounts';
import type { Ctx } from '../context';
import { appendEvents } from '../events/chain';
import type { RequestMeta } from '../http/meta';
import { enqueueMails } from '../mail/outbox';
import { passwordChangedMail } from '../mail/templates';
import type { AuthInfo } from '../sessions/sessions';
import { invalidCredentials } from './errors';
import { padToFloor } from './floor';
import { acceptNewPassword } from './new-password';
import { passwordStrength, type PasswordHasher, type StrengthReport } from './passwords';
import { evMetaOf } from './event-meta';
import { identifierKey, reserveAttempt } from './throttle';

export function checkPassword(ctx: Ctx, password: string, personal: string[]): Promise<StrengthReport> {
  return passwordStrength(ctx.strength, password, personal, ctx.config.minPasswordScore);
}

/** Changes the password: current one checked, CNIL rules + strength, none of the last 12 reused. */
export async function changePassword(
  ctx: Ctx,
  hasher: PasswordHasher,
  auth: AuthInfo,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
  failureFloorMs = 0,
): Promise<void> {
  const started = performance.now();
  const now = ctx.clock.now();
  const history = await ctx.db
    .selectFrom('passwords')
    .select(['hash', 'current'])
    .where('account_id', '=', auth.accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(PASSWORD_HISTORY)
    .execute();
  const current = history.find((h) => h.current);
  if (!current) throw new AppError('FORBIDDEN', "Ce compte n'a pas de mot de passe.");
  const evMeta = evMetaOf(meta, auth.workstationLabel);
  const refused = await checkCurrentPassword(ctx, hasher, auth, current.hash, input.currentPassword, now);
  if (refused) {
    await ctx.db.transaction().execute((trx) =>
      appendEvents(trx, [
        {
          ...evMeta,
          accountId: auth.accountId,
          at: now,
          type: 'password_change_failed',
          method: 'password',
          outcome: 'failure',
          details: { reason: refused },
        },
      ]),
    );
    await padToFloor(started, failureFloorMs);
    throw invalidCredentials();
  }
  const newHash = await acceptNewPassword(ctx, hasher, auth, input.newPassword);
  await ctx.db.transaction().execute(async (trx) => {
    // The other sessions end; this one continues with full rights.
    await replacePassword(trx, auth.accountId, newHash, now, auth.sessionId);
    await trx.updateTable('sessions').set({ scope: 'full' }).where('id', '=', auth.sessionId).execute();
    await appendEvents(trx, [
      {
        ...evMeta,
        accountId: auth.accountId,
        at: now,
        type: 'password_changed',
        method: 'password',
        outcome: 'success',
      },
    ]);
    await enqueueMails(trx, now, [
      {
        ...passwordChangedMail({ name: auth.displayName, at: now, workstationLabel: auth.workstationLabel }),
        accountId: auth.accountId,
        to: auth.email,
      },
    ]);
  });
}

/**
 * Checks the current password of a signed-in user (to change it, or to record a security key). Guessing it from a
 * session meets the same throttle (per identifier) as the sign-in; a throttled try is not checked. Returns why it
 * was refused, or null when it is right (and the counter is cleared).
 */
export async function checkCurrentPassword(
  ctx: Ctx,
  hasher: PasswordHasher,
  auth: AuthInfo,
  currentHash: string | null,
  password: string,
  now: Date,
): Promise<'throttled' | 'wrong_password' | null> {
  const key = `chg:${identifierKey(auth.identifier ?? auth.accountId)}`;
  if (await reserveAttempt(ctx.db, key, now, ctx.config.accountThrottle)) return 'throttled';
  if (!(await hasher.verify(currentHash, password))) return 'wrong_password';
  await ctx.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  return null;
}
