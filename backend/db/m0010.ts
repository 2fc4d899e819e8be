/**
 * Migration 0010: the second factor of a password sign-in (backend/auth/factors/).
 * - `second_factors`: one per account, TOTP (its secret sealed with a key derived from the events key, never
 *   returned after enrolment; `last_step` refuses a code used twice) or a code mailed to the dedicated address.
 * - `recovery_codes`: ten per enrolment, single use, kept as SHA-256 only.
 * - `factor_steps`: a sign-in between the password and the second factor (or an enrolment), named by a ticket whose
 *   SHA-256 only is stored: neither a session nor a refusal. It carries the mailed code (SHA-256, 10 minutes, spent
 *   after 5 wrong tries), and the TOTP secret being enrolled until its first code confirms it.
 * - `pharmacies.factor_grace_ends_at`: the end of the pharmacy's grace period (password alone still works before
 *   it); set at the first password sign-in that meets the rule, moved once by the holder (`factor_grace_extended_at`).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0010: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
alter table pharmacies add column factor_grace_ends_at timestamptz;
alter table pharmacies add column factor_grace_extended_at timestamptz;

create table second_factors (
  account_id uuid primary key references accounts(id),
  kind text not null check (kind in ('totp', 'email')),
  totp_secret text,
  last_step bigint,
  enrolled_at timestamptz not null,
  check ((kind = 'totp') = (totp_secret is not null))
);

create table recovery_codes (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts(id),
  code_hash text not null,
  created_at timestamptz not null,
  used_at timestamptz
);
create index recovery_codes_account on recovery_codes (account_id) where used_at is null;

create table factor_steps (
  id uuid primary key default gen_random_uuid(),
  ticket_hash text not null unique,
  account_id uuid not null references accounts(id),
  workstation_id text,
  purpose text not null check (purpose in ('verify', 'enrol')),
  password_change boolean not null default false,
  from_session boolean not null default false,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  mail_code_hash text,
  mail_code_sent_at timestamptz,
  mail_code_expires_at timestamptz,
  mail_code_tries integer not null default 0,
  mail_proven_at timestamptz,
  pending_secret text,
  done_at timestamptz
);
create index factor_steps_expiry on factor_steps (expires_at);
`.execute(db);
  },
};
