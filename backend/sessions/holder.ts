/**
 * The holder's controls over other people's access (a delegate's second factor, a delegate's fresh start) are
 * given only to the holder, and only from a session her card or e-CPS opened: a password or a stolen session
 * token alone never hands another person's access to anyone.
 */
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import type { AuthInfo } from './sessions';

/** Refuses unless the caller is the holder, signed in with her card or e-CPS. `action`: « le faire », … */
export async function requireCardHolder(ctx: Ctx, auth: AuthInfo, action: string): Promise<void> {
  if (auth.kind !== 'holder')
    throw new AppError('FORBIDDEN', `Seul le titulaire du compte de la pharmacie peut ${action}.`);
  const s = await ctx.db
    .selectFrom('sessions')
    .select('method')
    .where('id', '=', auth.sessionId)
    .executeTakeFirst();
  if (!s || (s.method !== 'card' && s.method !== 'ecps'))
    throw new AppError(
      'FRESH_PROOF_REQUIRED',
      `Pour ${action}, connectez-vous avec votre carte CPS ou votre e-CPS.`,
    );
}
