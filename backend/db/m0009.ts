/**
 * Migration 0009: rate-limit counters shared by every backend instance (http/rate-limit-store.ts). One row per
 * route and key (a SHA-256 of the route and the client's address or workstation id), with the hits of the
 * current fixed window and when it ends; expired rows are deleted a batch at a time as new hits arrive.
 * Unlogged: a counter needs no durability (after a crash the table is empty, so the windows start again), and
 * without WAL its commit does not wait for a disk flush, which would add a flush to every counted sign-in.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0009: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
create unlogged table rate_limits (
  key text primary key,
  hits integer not null,
  reset_at timestamptz not null
);
create index rate_limits_reset on rate_limits (reset_at);
`.execute(db);
  },
};
