/**
 * One set of migrations for PGlite and PostgreSQL (15+: no SQL newer than that), run by Kysely's Migrator,
 * which takes a PostgreSQL advisory lock so several instances starting together migrate once.
 * Append new migrations; never edit one that has shipped.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { m0002 } from './m0002';
import { m0003 } from './m0003';
import { m0004 } from './m0004';
import { m0005 } from './m0005';
import { m0006 } from './m0006';
import { m0007 } from './m0007';
import { m0008 } from './m0008';
import { m0009 } from './m0009';
import { m0010 } from './m0010';
import { m0011 } from './m0011';

const m0001: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
create table pharmacies (
  id uuid primary key default gen_random_uuid(),
  finess text not null unique check (finess ~ '^[0-9][0-9AB][0-9]{7}$'),
  am_number text not null unique check (am_number ~ '^[0-9]{8,9}$'),
  name text not null,
  address jsonb not null,
  created_at timestamptz not null
);

create table accounts (
  id uuid primary key default gen_random_uuid(),
  pharmacy_id uuid not null references pharmacies(id),
  kind text not null check (kind in ('holder', 'card_delegate', 'password_delegate')),
  display_name text not null,
  national_id text unique check (national_id ~ '^[08][0-9]{8,11}$'),
  identifier text unique,
  email text not null,
  postal_address jsonb,
  security_key_hash text,
  security_key_failures integer not null default 0,
  state text not null default 'active' check (state in ('active', 'blocked')),
  block_reason text check (block_reason in ('inactivity', 'suspicious')),
  block_explanation text,
  blocked_at timestamptz,
  last_activity_at timestamptz,
  last_activity_method text check (last_activity_method in ('card', 'ecps', 'password', 'security_key', 'postal_code', 'system')),
  last_activity_workstation_id text,
  block_due_at timestamptz not null,
  next_reminder_at timestamptz,
  created_at timestamptz not null,
  check ((state = 'blocked') = (block_reason is not null)),
  check (kind <> 'password_delegate' or identifier is not null),
  check (kind = 'password_delegate' or national_id is not null)
);
create index accounts_pharmacy on accounts (pharmacy_id);
create index accounts_block_due on accounts (block_due_at) where state = 'active';
create index accounts_reminder_due on accounts (next_reminder_at) where state = 'active' and next_reminder_at is not null;

create table delegations (
  id uuid primary key default gen_random_uuid(),
  holder_account_id uuid not null references accounts(id),
  delegate_account_id uuid not null references accounts(id),
  granted_at timestamptz not null,
  granted_by uuid not null references accounts(id),
  revoked_at timestamptz,
  revoked_by uuid references accounts(id)
);
create unique index delegations_active on delegations (delegate_account_id) where revoked_at is null;
create index delegations_holder on delegations (holder_account_id);

create table passwords (
  id bigint generated always as identity primary key,
  account_id uuid not null references accounts(id),
  hash text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  current boolean not null
);
create unique index passwords_current on passwords (account_id) where current;
create index passwords_history on passwords (account_id, created_at desc);

create table workstations (
  id text primary key,
  label text not null,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  revoked_at timestamptz
);

create table sessions (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts(id),
  workstation_id text not null references workstations(id),
  token_hash text not null unique,
  method text not null,
  scope text not null check (scope in ('full', 'password_change')),
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  revoked_at timestamptz,
  end_reason text,
  ip text,
  app_version text
);
create index sessions_account on sessions (account_id) where revoked_at is null;

create table login_throttle (
  key text primary key,
  failures integer not null,
  last_failure_at timestamptz not null
);

create table event_chains (
  account_id uuid primary key references accounts(id),
  seq bigint not null,
  head_hash text not null,
  anchor_seq bigint not null,
  anchor_hash text not null,
  anchor_at timestamptz
);

create table events (
  id bigint generated always as identity primary key,
  account_id uuid not null references accounts(id),
  seq bigint not null,
  at timestamptz not null,
  type text not null,
  method text,
  outcome text not null check (outcome in ('success', 'failure', 'info')),
  workstation_id text,
  workstation_label text,
  ip text,
  app_version text,
  card_serial text,
  details jsonb not null default '{}',
  prev_hash text not null,
  hash text not null,
  unique (account_id, seq)
);
create index events_type on events (account_id, type, seq desc);
create index events_account_at on events (account_id, at);

-- Append-only: no UPDATE ever; DELETE only by the retention purge (which moves the chain's anchor).
create function events_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and coalesce(current_setting('vigie.purge', true), '') = 'on' then
    return old;
  end if;
  raise exception 'events are append-only' using errcode = 'insufficient_privilege';
end $$;
create trigger events_append_only before update or delete on events
  for each row execute function events_append_only();

create table outbox (
  id bigint generated always as identity primary key,
  message_id text not null unique,
  account_id uuid references accounts(id),
  kind text not null,
  to_address text not null,
  subject text not null,
  body_text text not null,
  created_at timestamptz not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  lease_until timestamptz,
  sent_at timestamptz,
  last_error text
);
create index outbox_pending on outbox (next_attempt_at) where sent_at is null;

create table reminders (
  account_id uuid not null references accounts(id),
  block_due_at timestamptz not null,
  days integer not null,
  sent_at timestamptz not null,
  primary key (account_id, block_due_at, days)
);
`.execute(db);
  },
};

export const migrations: Record<string, Migration> = {
  '0001_accounts_sessions_events_outbox': m0001,
  '0002_signin_unblock_reports': m0002,
  '0003_throttle_verdict_workstation_keys': m0003,
  '0004_security_log_ecps_transactions': m0004,
  '0005_keyed_event_checkpoints': m0005,
  '0006_postal_requests': m0006,
  '0007_workstation_pharmacy_request_proofs': m0007,
  '0008_fresh_starts': m0008,
  '0009_shared_rate_limits': m0009,
  '0010_second_factor': m0010,
  '0011_delegation_ends_card_ends': m0011,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
