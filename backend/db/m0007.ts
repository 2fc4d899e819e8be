/**
 * Migration 0007: whose workstation, and single-use request proofs.
 *  - `workstations.pharmacy_id`: the pharmacy a workstation belongs to, recorded when a session registers it or
 *    at its first sign-in (existing ones: the pharmacy of their first session). Only that pharmacy's holder
 *    withdraws it.
 *  - `workstation_request_proofs`: the proofs of state-changing requests a registered workstation made, kept for
 *    the proof window so that each is accepted once, whichever backend instance sees it; purged after.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0007: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
alter table workstations add column pharmacy_id uuid references pharmacies(id);
update workstations w set pharmacy_id = (
  select a.pharmacy_id from sessions s join accounts a on a.id = s.account_id
  where s.workstation_id = w.id order by s.created_at, s.id limit 1);
create index workstations_pharmacy on workstations (pharmacy_id);

create table workstation_request_proofs (
  id text primary key,
  expires_at timestamptz not null
);
create index workstation_request_proofs_expires on workstation_request_proofs (expires_at);
`.execute(db);
  },
};
