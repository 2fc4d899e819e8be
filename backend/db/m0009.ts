/**
 * Migration 0009: rate-limit counters shared by every backend instance (http/rate-limit-store.ts). One row per
 * route and key (a SHA-256 of the route and the client's address or workstation id), with the hits of the
 * current fixed window and when it ends; expired rows are deleted a batch at a time as new hits arrive.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0009: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
create table rate_limits (
  key text primary key,
  hits integer not null,
  reset_at timestamptz not null
);
create index rate_limits_reset on rate_limits (reset_at);
`.execute(db);
  },
};
