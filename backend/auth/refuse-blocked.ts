/** A sign-in whose proof was right, refused because the account is blocked or due (password and second-factor paths). */
import type { Transaction } from 'kysely';
import { BLOCK_EXPLANATION_INACTIVITY, blockAccounts, unblockPaths } from '../accounts/accounts';
import type { Database } from '../db/schema';
import { appendEvents } from '../events/chain';
import { BlockedError } from './errors';

/** The account is blocked, or due: blocked now for inactivity if it was still active, and the refusal recorded. */
export async function refuseBlocked(
  trx: Transaction<Database>,
  accountId: string,
  evMeta: { workstationId: string; workstationLabel: string; ip: string | null; appVersion: string | null },
  now: Date,
): Promise<BlockedError> {
  const acc = await trx
    .selectFrom('accounts')
    .select([
      'id',
      'state',
      'block_reason',
      'block_explanation',
      'block_due_at',
      'display_name',
      'email',
      'kind',
    ])
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  let reason = acc.block_reason;
  let explanation = acc.block_explanation;
  if (acc.state === 'active') {
    await blockAccounts(trx, [acc], 'inactivity', BLOCK_EXPLANATION_INACTIVITY, now);
    reason = 'inactivity';
    explanation = BLOCK_EXPLANATION_INACTIVITY;
  }
  await appendEvents(trx, [
    {
      ...evMeta,
      accountId: acc.id,
      at: now,
      type: 'sign_in_refused_blocked',
      method: 'password',
      outcome: 'failure',
      details: { reason: reason ?? 'inactivity' },
    },
  ]);
  return new BlockedError(reason ?? 'inactivity', explanation ?? '', unblockPaths(acc.kind));
}
