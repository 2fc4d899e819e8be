/** Kysely types of every table. The SQL is in ./migrations.ts and ./m000N.ts; keep both in step. */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { SuspicionCause } from '../../domain/policy/unblock';

type Ts = ColumnType<Date, Date, Date>;
type TsNull = ColumnType<Date | null, Date | null | undefined, Date | null>;
type Json<T> = ColumnType<T, string, string>;

export interface PostalAddress {
  line1: string;
  line2?: string;
  postalCode: string;
  city: string;
}

export type AccountKind = 'holder' | 'card_delegate' | 'password_delegate';
export type AuthMethod = 'card' | 'ecps' | 'password' | 'security_key' | 'postal_code' | 'system';

export interface PharmaciesTable {
  id: Generated<string>;
  finess: string;
  am_number: string;
  name: string;
  address: Json<PostalAddress>;
  created_at: Ts;
  /** End of the second factor's grace period (null until the first password sign-in that meets the rule). */
  factor_grace_ends_at: TsNull;
  /** When the holder extended it (once). */
  factor_grace_extended_at: TsNull;
}

export interface AccountsTable {
  id: Generated<string>;
  pharmacy_id: string;
  kind: AccountKind;
  display_name: string;
  national_id: string | null;
  identifier: string | null;
  email: string;
  postal_address: Json<PostalAddress | null>;
  /** Security key (personal data, normalised) as an argon2id hash, for the later unblock path. */
  security_key_hash: string | null;
  security_key_failures: Generated<number>;
  state: 'active' | 'blocked';
  block_reason: 'inactivity' | 'suspicious' | null;
  block_explanation: string | null;
  blocked_at: TsNull;
  last_activity_at: TsNull;
  last_activity_method: AuthMethod | null;
  last_activity_workstation_id: string | null;
  /** Derived from last activity (or creation): kept in a column so the sweep is an index range scan. */
  block_due_at: Ts;
  next_reminder_at: TsNull;
  created_at: Ts;
  /** Why a suspicious block was set (the user's own report closes the weak unblock paths). */
  suspicion_cause: ColumnType<
    SuspicionCause | null,
    SuspicionCause | null | undefined,
    SuspicionCause | null
  >;
  /** End of validity of the authentication certificate of the last card that signed in (card sign-in only). */
  card_not_after: TsNull;
}

export interface DelegationsTable {
  id: Generated<string>;
  holder_account_id: string;
  delegate_account_id: string;
  granted_at: Ts;
  granted_by: string;
  revoked_at: TsNull;
  revoked_by: string | null;
  /** The instant the access ends (end of the chosen day, Paris); null: no end date. */
  ends_at: TsNull;
  /** When the holder is reminded of the end; null once sent, or without an end date. */
  end_reminder_at: TsNull;
}

export interface PasswordsTable {
  id: Generated<number>;
  account_id: string;
  hash: string;
  created_at: Ts;
  expires_at: Ts;
  current: boolean;
}

export interface WorkstationsTable {
  id: string;
  label: string;
  first_seen_at: Ts;
  last_seen_at: Ts;
  revoked_at: TsNull;
  /** Ed25519 SPKI DER, base64: set once the workstation proved it holds the private key. */
  public_key: ColumnType<string | null, string | null | undefined, string | null>;
  registered_at: TsNull;
  revoked_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** The pharmacy it belongs to: the one whose session registered it, or whose account first used it. */
  pharmacy_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Proofs of state-changing requests already accepted, until their window is over (single use). */
export interface WorkstationRequestProofsTable {
  id: string;
  expires_at: Ts;
}

export interface WorkstationChallengesTable {
  id: string;
  created_at: Ts;
  expires_at: Ts;
  used_at: TsNull;
}

export interface SessionsTable {
  id: Generated<string>;
  account_id: string;
  workstation_id: string;
  token_hash: string;
  method: AuthMethod;
  scope: 'full' | 'password_change';
  created_at: Ts;
  last_seen_at: Ts;
  revoked_at: TsNull;
  end_reason: string | null;
  ip: string | null;
  app_version: string | null;
}

export interface ThrottleTable {
  key: string;
  failures: number;
  last_failure_at: Ts;
  /** Whether the last attempt on this key was refused by the throttle (the reservation's verdict). */
  last_throttled: Generated<boolean>;
}

export interface EventChainsTable {
  account_id: string;
  seq: number;
  head_hash: string;
  anchor_seq: number;
  anchor_hash: string;
  anchor_at: TsNull;
  /** The server's keyed checkpoint: seq and hash it verified, HMAC under the events key (events/key.ts). */
  seal_seq: Generated<number>;
  seal_hash: Generated<string>;
  seal_mac: string | null;
  anchor_mac: string | null;
}

export interface EventsTable {
  id: Generated<number>;
  account_id: string;
  seq: number;
  at: Ts;
  type: string;
  method: AuthMethod | null;
  outcome: 'success' | 'failure' | 'info';
  workstation_id: string | null;
  workstation_label: string | null;
  ip: string | null;
  app_version: string | null;
  card_serial: string | null;
  details: Json<Record<string, string | number | boolean | null>>;
  prev_hash: string;
  hash: string;
}

export interface OutboxTable {
  id: Generated<number>;
  message_id: string;
  account_id: string | null;
  kind: string;
  to_address: string;
  subject: string;
  body_text: string;
  created_at: Ts;
  attempts: Generated<number>;
  next_attempt_at: Ts;
  lease_until: TsNull;
  sent_at: TsNull;
  last_error: string | null;
}

export interface RemindersTable {
  account_id: string;
  block_due_at: Ts;
  days: number;
  sent_at: Ts;
}

export interface CardChallengesTable {
  id: string;
  workstation_id: string;
  created_at: Ts;
  expires_at: Ts;
  used_at: TsNull;
}

export interface PostalCodesTable {
  id: string;
  account_id: string;
  reference: string;
  code_hash: string;
  requested_at: Ts;
  expires_at: Ts;
  used_at: TsNull;
  superseded_at: TsNull;
  wrong_tries: Generated<number>;
  printed_at: TsNull;
}

export interface SecurityKeysTable {
  account_id: string;
  hash: string;
  field_ids: string[];
  set_at: Ts;
}

export interface SecurityKeyAttemptsTable {
  id: string;
  account_id: string;
  at: Ts;
  outcome: 'pending' | 'success' | 'failure';
}

export interface UnblockTicketsTable {
  token_hash: string;
  account_id: string;
  method: 'security_key' | 'postal_code';
  workstation_id: string | null;
  created_at: Ts;
  expires_at: Ts;
  used_at: TsNull;
}

export interface ReportCaseStepRow {
  status: 'received' | 'secured' | 'closed';
  at: string;
  note: string;
}

export interface ReportCasesTable {
  id: Generated<string>;
  account_id: string;
  reported_by: string;
  event_id: number;
  comment: string | null;
  status: 'received' | 'secured' | 'closed';
  actions: string[];
  steps: ColumnType<ReportCaseStepRow[], string, string>;
  opened_at: Ts;
  closed_at: TsNull;
}

export interface SecurityLogTable {
  id: Generated<number>;
  at: Ts;
  kind: string;
  method: string | null;
  subject: string | null;
  account_id: string | null;
  workstation_id: string | null;
  ip: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export type EcpsTxStatus = 'pending' | 'approved' | 'refused' | 'expired' | 'cancelled' | 'error';

export interface EcpsTransactionsTable {
  id: string;
  workstation_id: string;
  national_id: string;
  account_id: string | null;
  binding_message: string;
  created_at: Ts;
  expires_at: Ts;
  status: ColumnType<EcpsTxStatus, EcpsTxStatus | undefined, EcpsTxStatus>;
  final: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  consumed_at: TsNull;
}

export interface PostalRequestsTable {
  handle_hash: string;
  workstation_id: string | null;
  postal_code_id: string | null;
  reference: string;
  requested_at: Ts;
  expires_at: Ts;
}

export interface FreshStartsTable {
  id: Generated<string>;
  account_id: string;
  granted_by: string;
  code_hash: string;
  created_at: Ts;
  expires_at: Ts;
  used_at: TsNull;
  superseded_at: TsNull;
}

/** A rate-limit counter shared by the instances (http/rate-limit-store.ts): key is a SHA-256, never an address. */
export interface RateLimitsTable {
  key: string;
  hits: number;
  reset_at: Ts;
}

/** The second factor of a password sign-in (auth/factors/): TOTP (sealed secret) or a mailed code. */
export interface SecondFactorsTable {
  account_id: string;
  kind: 'totp' | 'email';
  totp_secret: string | null;
  /** The last TOTP time step accepted: a code is never accepted twice. */
  last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  enrolled_at: Ts;
}

export interface RecoveryCodesTable {
  id: Generated<string>;
  account_id: string;
  code_hash: string;
  created_at: Ts;
  used_at: TsNull;
}

/** A sign-in waiting for its second factor, or an enrolment (auth/factors/step-store.ts). */
export interface FactorStepsTable {
  id: Generated<string>;
  ticket_hash: string;
  account_id: string;
  workstation_id: string | null;
  purpose: 'verify' | 'enrol';
  password_change: ColumnType<boolean, boolean | undefined, boolean>;
  from_session: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Ts;
  expires_at: Ts;
  mail_code_hash: string | null;
  mail_code_sent_at: TsNull;
  mail_code_expires_at: TsNull;
  mail_code_tries: Generated<number>;
  mail_proven_at: TsNull;
  pending_secret: string | null;
  done_at: TsNull;
}

export interface Database {
  pharmacies: PharmaciesTable;
  accounts: AccountsTable;
  delegations: DelegationsTable;
  passwords: PasswordsTable;
  workstations: WorkstationsTable;
  workstation_challenges: WorkstationChallengesTable;
  workstation_request_proofs: WorkstationRequestProofsTable;
  sessions: SessionsTable;
  login_throttle: ThrottleTable;
  event_chains: EventChainsTable;
  events: EventsTable;
  outbox: OutboxTable;
  reminders: RemindersTable;
  card_challenges: CardChallengesTable;
  security_keys: SecurityKeysTable;
  security_key_attempts: SecurityKeyAttemptsTable;
  postal_codes: PostalCodesTable;
  unblock_tickets: UnblockTicketsTable;
  report_cases: ReportCasesTable;
  security_log: SecurityLogTable;
  ecps_transactions: EcpsTransactionsTable;
  postal_requests: PostalRequestsTable;
  fresh_starts: FreshStartsTable;
  second_factors: SecondFactorsTable;
  recovery_codes: RecoveryCodesTable;
  factor_steps: FactorStepsTable;
  rate_limits: RateLimitsTable;
}

export type Account = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type EventRow = Selectable<EventsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type OutboxRow = Selectable<OutboxTable>;
