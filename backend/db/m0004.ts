/**
 * Migration 0004: what strangers cause is kept apart from what owners do.
 *  - `security_log`: refusals that prove nothing about the account they name (forged or replayed card sign-ins,
 *    throttled attempts, expired e-CPS requests nobody answered). Read by operators, never charged to an account.
 *  - `ecps_transactions`: e-CPS requests shared by every backend instance (which workstation started each, its
 *    expiry, its outcome, whether its session was handed out); the per-id start limit counts them.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0004: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
create table security_log (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  kind text not null,
  method text,
  subject text,
  account_id uuid,
  workstation_id text,
  ip text,
  details jsonb not null default '{}'
);
create index security_log_at on security_log (at);
create index security_log_subject on security_log (subject, at);

create table ecps_transactions (
  id uuid primary key,
  workstation_id text not null,
  national_id text not null,
  account_id uuid references accounts(id),
  binding_message text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  status text not null default 'pending'
    check (status in ('pending', 'approved', 'refused', 'expired', 'cancelled', 'error')),
  final jsonb,
  consumed_at timestamptz
);
create index ecps_transactions_national_id on ecps_transactions (national_id, created_at);
create index ecps_transactions_created on ecps_transactions (created_at);
`.execute(db);
  },
};
