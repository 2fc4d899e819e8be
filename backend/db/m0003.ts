/**
 * Migration 0003:
 *  - `login_throttle.last_throttled`: the verdict of the last attempt on a key, written by the one-statement
 *    reservation of services/auth.ts (RETURNING sees only the new row, so the verdict is stored with it);
 *  - workstation registration: the Ed25519 public key a workstation proved it holds (services/workstations.ts),
 *    when, and who revoked it; single-use registration challenges.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0003: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
alter table login_throttle add column last_throttled boolean not null default false;

alter table workstations add column public_key text;
alter table workstations add column registered_at timestamptz;
alter table workstations add column revoked_by uuid references accounts(id);

create table workstation_challenges (
  id text primary key,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index workstation_challenges_expires on workstation_challenges (expires_at);
create index sessions_workstation on sessions (workstation_id, account_id);
`.execute(db);
  },
};
