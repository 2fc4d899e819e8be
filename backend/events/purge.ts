/** Retention of the events log: the purge runs under its own database role and keeps the chains verifiable. */
import { sql } from 'kysely';
import type { Db } from '../db/connect';
import { appendEvents, verifyChain } from './chain';
import type { NewEvent } from './hash';
import { anchorAt, sealAt } from './key';

let purgeDb: Db | null = null;

/**
 * The connection the retention purge uses: on a PostgreSQL server, a login role of `vigie_purge` (the backend's
 * own role may not delete events nor move the anchor, see db/m0005.ts). Null: the backend's connection (PGlite).
 */
export function usePurgeDatabase(db: Db | null): void {
  purgeDb = db;
}

/**
 * Retention: deletes each account's events older than `cutoff` (a prefix of its chain) and moves the anchor
 * to the last deleted event's seq and hash, so the remaining events still verify. Records `events_purged`.
 */
export async function purgeEvents(backendDb: Db, cutoff: Date, now: Date, batch = 200): Promise<number> {
  const db = purgeDb ?? backendDb;
  let purged = 0;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      const candidates = await trx
        .selectFrom('event_chains as c')
        .innerJoin('events as e', (j) =>
          j.onRef('e.account_id', '=', 'c.account_id').on(sql<boolean>`e.seq = c.anchor_seq + 1`),
        )
        .select(['c.account_id'])
        .where('e.at', '<', cutoff)
        .limit(batch)
        .forUpdate('c')
        .skipLocked()
        .execute();
      if (candidates.length === 0) return 0;
      // A chain that no longer verifies is evidence: it is kept whole, and its anchor is not re-keyed.
      const intact: string[] = [];
      for (const { account_id } of candidates)
        if ((await verifyChain(trx, account_id)).ok) intact.push(account_id);
      if (intact.length === 0) return 0;
      await sql`select set_config('vigie.purge', 'on', true)`.execute(trx);
      let count = 0;
      const purgedEvents: NewEvent[] = [];
      for (const account_id of intact) {
        const last = await trx
          .selectFrom('events')
          .select(['seq', 'hash'])
          .where('account_id', '=', account_id)
          .where('at', '<', cutoff)
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow();
        const del = await trx
          .deleteFrom('events')
          .where('account_id', '=', account_id)
          .where('seq', '<=', last.seq)
          .executeTakeFirst();
        // The chain was verified whole under this row lock: its checkpoint moves to the head with the anchor.
        const head = await trx
          .selectFrom('event_chains')
          .select(['seq', 'head_hash'])
          .where('account_id', '=', account_id)
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('event_chains')
          .set({
            ...anchorAt(account_id, Number(last.seq), last.hash),
            anchor_at: now,
            ...sealAt(account_id, Number(head.seq), head.head_hash),
          })
          .where('account_id', '=', account_id)
          .execute();
        const n = Number(del.numDeletedRows);
        count += n;
        purgedEvents.push({
          accountId: account_id,
          at: now,
          type: 'events_purged',
          outcome: 'info',
          method: 'system',
          details: { upToSeq: Number(last.seq), count: n },
        });
      }
      await sql`select set_config('vigie.purge', 'off', true)`.execute(trx);
      await appendEvents(trx, purgedEvents);
      return count;
    });
    purged += done;
    if (done === 0) return purged;
  }
}
