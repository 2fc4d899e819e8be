/**
 * What someone who can write the database does to the events log, for the attack tests and the e2e story
 * (no test framework imported here).
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect';
import { eventHash, rowToHashable } from '../events/hash';

/**
 * Rewrites the event `seq` of `accountId` (a new workstation label) and recomputes the hash of that event and
 * of every later one, then the chain's head: what the hash chain alone cannot detect.
 */
export async function rewriteAndRecompute(
  db: Db,
  accountId: string,
  seq: number,
  label: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`alter table events disable trigger events_append_only`.execute(trx);
    await sql`update events set workstation_label = ${label} where account_id = ${accountId} and seq = ${seq}`.execute(
      trx,
    );
    const rows = await trx
      .selectFrom('events')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('seq', '>=', seq)
      .orderBy('seq')
      .execute();
    const before = await trx
      .selectFrom('events')
      .select('hash')
      .where('account_id', '=', accountId)
      .where('seq', '=', seq - 1)
      .executeTakeFirst();
    const chain = await trx
      .selectFrom('event_chains')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    let prev = before?.hash ?? chain.anchor_hash;
    for (const r of rows) {
      const hash = eventHash(prev, rowToHashable(r));
      await sql`update events set prev_hash = ${prev}, hash = ${hash} where id = ${r.id}`.execute(trx);
      prev = hash;
    }
    await sql`update event_chains set head_hash = ${prev} where account_id = ${accountId}`.execute(trx);
    await sql`alter table events enable trigger events_append_only`.execute(trx);
  });
}
