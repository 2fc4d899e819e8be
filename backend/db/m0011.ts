/**
 * Migration 0011: delegations with an end date, and the last seen card end date per account.
 * - `delegations.ends_at`: the instant the access ends (the end of the chosen day, Paris time, so midnight of the
 *   next day); null for a delegation without an end date. The end job revokes the delegation from that instant.
 * - `delegations.end_reminder_at`: when the holder is reminded of the end (7 days before); null once sent or when
 *   there is no end date. Both are partial-indexed on the open delegations, so each job run is an index range scan.
 * - `accounts.card_not_after`: the end of validity of the authentication certificate of the last card that signed
 *   in to the account, so the holder sees which staff cards near their end.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0011: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
alter table delegations add column ends_at timestamptz;
alter table delegations add column end_reminder_at timestamptz;
create index delegations_ending on delegations (ends_at) where revoked_at is null and ends_at is not null;
create index delegations_end_reminders on delegations (end_reminder_at)
  where revoked_at is null and end_reminder_at is not null;
alter table accounts add column card_not_after timestamptz;
`.execute(db);
  },
};
