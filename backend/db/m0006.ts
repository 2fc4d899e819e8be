/**
 * Migration 0006: postal codes.
 *  - A new request no longer replaces a code still in the post: several codes of an account may be pending (each
 *    valid until its own date; using one ends the others), so the one-pending unique index goes.
 *  - `postal_requests`: the handle of each request, given to the workstation that made it. The letter's state is
 *    shown to that handle only (a stranger who knows an identifier learns nothing from the state route).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0006: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
drop index postal_codes_one_pending;
create index postal_codes_pending on postal_codes (account_id) where used_at is null and superseded_at is null;

create table postal_requests (
  handle_hash text primary key,
  workstation_id text,
  postal_code_id uuid references postal_codes(id),
  reference text not null,
  requested_at timestamptz not null,
  expires_at timestamptz not null
);
create index postal_requests_expires on postal_requests (expires_at);
`.execute(db);
  },
};
