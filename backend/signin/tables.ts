/**
 * Kysely types of the tables added by migration 0002 (./../db/m0002.ts), merged into the backend's `Database`
 * by module augmentation so the rest of the schema file stays as it is.
 */
import type { ColumnType, Generated } from 'kysely';
import type { SuspicionCause } from '../../domain/policy/unblock';

type Ts = ColumnType<Date, Date, Date>;
type TsNull = ColumnType<Date | null, Date | null | undefined, Date | null>;

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

declare module '../db/schema' {
  interface AccountsTable {
    suspicion_cause: ColumnType<
      SuspicionCause | null,
      SuspicionCause | null | undefined,
      SuspicionCause | null
    >;
  }
  interface Database {
    card_challenges: CardChallengesTable;
    security_keys: SecurityKeysTable;
    postal_codes: PostalCodesTable;
    unblock_tickets: UnblockTicketsTable;
    report_cases: ReportCasesTable;
    security_log: SecurityLogTable;
    ecps_transactions: EcpsTransactionsTable;
    postal_requests: PostalRequestsTable;
  }
}
