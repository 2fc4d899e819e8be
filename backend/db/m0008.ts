/**
 * Migration 0008: fresh starts. After a report withdrew a password delegate's password, the holder (from her card
 * or e-CPS session) sends the delegate a one-time code by e-mail; the delegate types it with a new password. One
 * pending code per account (a new one supersedes the last), kept only as a SHA-256, single use, short-lived.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0008: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
create table fresh_starts (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts(id),
  granted_by uuid not null references accounts(id),
  code_hash text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  superseded_at timestamptz
);
create index fresh_starts_pending on fresh_starts (account_id) where used_at is null and superseded_at is null;
`.execute(db);
  },
};
