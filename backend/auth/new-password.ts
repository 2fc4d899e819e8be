/**
 * A new password, whichever path sets it (change, unblock ticket, fresh start): the CNIL rules and the strength
 * estimate with the person's own data, none of the last PASSWORD_HISTORY reused. Returns its hash.
 */
import { PASSWORD_HISTORY } from '../../domain/policy';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { PasswordPolicyError } from './errors';
import { passwordStrength, personalData, type PasswordHasher } from './passwords';

export async function acceptNewPassword(
  ctx: Ctx,
  hasher: PasswordHasher,
  who: { accountId: string; identifier: string | null; displayName: string; email: string },
  newPassword: string,
): Promise<string> {
  const report = await passwordStrength(
    ctx.strength,
    newPassword,
    personalData(who),
    ctx.config.minPasswordScore,
  );
  if (!report.acceptable) throw new PasswordPolicyError(report.problems);
  const history = await ctx.db
    .selectFrom('passwords')
    .select('hash')
    .where('account_id', '=', who.accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(PASSWORD_HISTORY)
    .execute();
  for (const h of history) {
    if (await hasher.verify(h.hash, newPassword)) {
      throw new AppError(
        'PASSWORD_REUSED',
        `Ce mot de passe a déjà été utilisé : choisissez-en un autre que les ${PASSWORD_HISTORY} derniers.`,
      );
    }
  }
  return hasher.hash(newPassword);
}
