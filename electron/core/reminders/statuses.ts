import { AppError, type Err } from '../../../domain/result';
import type { BackendLink } from '../backend-link';
import type { SessionState } from '../../../domain/api/groups/session';
import type { StatusLike } from './scheduler';

/**
 * The statuses the reminder scheduler plans from. While someone is signed in, a read-only status call (their own
 * account and those followed here, or every account of the pharmacy for the holder); otherwise the scheduler keeps the last known status
 * and flags it stale. Reminders never sign anyone in.
 */
export async function fetchFollowedStatuses(
  backend: BackendLink,
  user: () => SessionState['user'],
  followed: readonly string[],
  /** A refusal that ends or locks the session (revoked, idle…) reaches the session here too: the client forgets
   * the token at once, so a session left « signed in » on screen would have every later call refused. */
  noticeError: (e: Err) => void,
): Promise<readonly StatusLike[]> {
  const client = backend.clientIfReady();
  if (!client?.signedIn)
    throw new AppError('UNAUTHENTICATED', 'nobody is signed in: the last known statuses stay', true);
  const all = await client.call('pharmacyAccounts');
  if (!all.ok) {
    noticeError(all);
    throw new AppError(all.code, all.message, all.retryable ?? false);
  }
  const who = user();
  // The holder answers for the pharmacy's delegates: their deadlines are followed here too.
  return all.value.accounts
    .filter((a) => who?.kind === 'holder' || a.accountId === who?.accountId || followed.includes(a.accountId))
    .map((a) => ({ accountId: a.accountId, displayName: a.displayName, state: a.state, blockAt: a.blockAt }));
}
