/**
 * Inactivity sweep: blocks every active account whose block date has passed. Safe on several instances
 * sharing one PostgreSQL: each batch locks its rows with FOR UPDATE SKIP LOCKED, so two sweeps never take
 * the same account. (PGlite: one process only, see db/pglite-dialect.ts.)
 */
import type { Ctx } from '../context';
import { BLOCK_EXPLANATION_INACTIVITY, blockAccounts } from '../services/accounts';

export async function runInactivitySweep(ctx: Ctx, batch = 1000): Promise<number> {
  const now = ctx.clock.now();
  let total = 0;
  for (;;) {
    const n = await ctx.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('accounts')
        .select(['id', 'display_name', 'email'])
        .where('state', '=', 'active')
        .where('block_due_at', '<=', now)
        .orderBy('block_due_at')
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute();
      await blockAccounts(trx, due, 'inactivity', BLOCK_EXPLANATION_INACTIVITY, now);
      return due.length;
    });
    total += n;
    if (n < batch) return total;
  }
}
