/**
 * What an event's hash covers, and how it is computed:
 * hash(e) = SHA-256( prev_hash ‖ "\n" ‖ seq ‖ "\n" ‖ canonical JSON of the event's fields, account included ).
 * The one-statement sign-in (auth/password-fast.ts) and the sweep (jobs/sweep.ts) compute the same in SQL.
 */
import type { EventType } from '../../domain/backend-api';
import type { AuthMethod, EventRow } from '../db/schema';
import { canonicalJson, sha256 } from '../crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type Details = Record<string, string | number | boolean | null>;

export interface NewEvent {
  accountId: string;
  at: Date;
  type: EventType;
  method?: AuthMethod | null;
  outcome: 'success' | 'failure' | 'info';
  workstationId?: string | null;
  workstationLabel?: string | null;
  ip?: string | null;
  appVersion?: string | null;
  cardSerial?: string | null;
  details?: Details;
}

export interface Hashable {
  accountId: string;
  seq: number;
  at: Date;
  type: string;
  method: string | null;
  outcome: string;
  workstationId: string | null;
  workstationLabel: string | null;
  ip: string | null;
  appVersion: string | null;
  cardSerial: string | null;
  details: Details;
}

/** The canonical JSON of an event's own fields (everything but its place in the chain). */
export function eventPayload(e: Omit<Hashable, 'seq'>): string {
  return canonicalJson({
    accountId: e.accountId,
    at: e.at.toISOString(),
    type: e.type,
    method: e.method,
    outcome: e.outcome,
    workstationId: e.workstationId,
    workstationLabel: e.workstationLabel,
    ip: e.ip,
    appVersion: e.appVersion,
    cardSerial: e.cardSerial,
    details: e.details,
  });
}

/**
 * hash = SHA-256( prev_hash ‖ "\n" ‖ seq ‖ "\n" ‖ canonical JSON of the event's fields ), hex.
 * The same formula is computed inside PostgreSQL by the one-statement append (see `appendOneSql`).
 */
export function eventHash(prevHash: string, e: Hashable): string {
  return sha256(`${prevHash}\n${e.seq}\n${eventPayload(e)}`);
}

/** What the hash covers, from a stored row. */
export const rowToHashable = (r: EventRow): Hashable => ({
  accountId: r.account_id,
  seq: Number(r.seq),
  at: r.at,
  type: r.type,
  method: r.method,
  outcome: r.outcome,
  workstationId: r.workstation_id,
  workstationLabel: r.workstation_label,
  ip: r.ip,
  appVersion: r.app_version,
  cardSerial: r.card_serial,
  details: r.details ?? {},
});
