/**
 * Migration 0005: the server's keyed checkpoints of each events chain.
 *  - `seal_seq`, `seal_hash`, `seal_mac`: the last point of the chain the server has verified or written itself,
 *    with an HMAC under a key kept outside the database (events/chain.ts). Someone who rewrites events and
 *    recomputes the hashes cannot recompute the MAC.
 *  - `anchor_mac`: the same MAC over the retention anchor, so that a purge faked by hand is told apart from the
 *    retention job's.
 * A chain created before this migration has no MAC: `npm run backend -- seal-events` checks and seals them once,
 * by an operator's decision (the server never trusts an unsealed chain on its own).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0005: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
alter table event_chains
  add column seal_seq bigint not null default 0,
  add column seal_hash text not null default '0000000000000000000000000000000000000000000000000000000000000000',
  add column seal_mac text,
  add column anchor_mac text;
`.execute(db);
  },
};
