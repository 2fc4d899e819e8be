/**
 * Migration 0002: card challenges, security keys and their tries, postal codes, unblock tickets, report cases, and
 * why an account is suspicious (the user's own report is treated differently: no weak factor unblocks it).
 * PostgreSQL 15 SQL; the stores of backend/unblock/sql.ts and backend/signin/ read and write these tables.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0002: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
alter table accounts add column suspicion_cause text
  check (suspicion_cause in ('failures', 'concurrent_sessions', 'user_report'));

create table card_challenges (
  id text primary key,
  workstation_id text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index card_challenges_expires on card_challenges (expires_at);

create table security_keys (
  account_id uuid primary key references accounts(id),
  hash text not null,
  field_ids text[] not null,
  set_at timestamptz not null
);
create table security_key_attempts (
  id uuid primary key,
  account_id uuid not null references accounts(id),
  at timestamptz not null,
  outcome text not null check (outcome in ('pending', 'success', 'failure'))
);
create index security_key_attempts_account_at on security_key_attempts (account_id, at);

create table postal_codes (
  id uuid primary key,
  account_id uuid not null references accounts(id),
  reference text not null unique,
  code_hash text not null,
  requested_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  superseded_at timestamptz,
  wrong_tries int not null default 0,
  printed_at timestamptz
);
create unique index postal_codes_one_pending on postal_codes (account_id) where used_at is null and superseded_at is null;
create index postal_codes_account_requested on postal_codes (account_id, requested_at desc);

-- Proof of a successful security key or postal code: only lets the user set a new password, once, shortly.
create table unblock_tickets (
  token_hash text primary key,
  account_id uuid not null references accounts(id),
  method text not null check (method in ('security_key', 'postal_code')),
  workstation_id text,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index unblock_tickets_account on unblock_tickets (account_id);

create table report_cases (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts(id),
  reported_by uuid not null references accounts(id),
  event_id bigint not null,
  comment text,
  status text not null check (status in ('received', 'secured', 'closed')),
  actions text[] not null,
  steps jsonb not null,
  opened_at timestamptz not null,
  closed_at timestamptz
);
create index report_cases_account on report_cases (account_id, opened_at desc);
create index report_cases_open on report_cases (account_id) where status <> 'closed';
`.execute(db);
  },
};
