/**
 * For test files about something else (inactivity, retention, password expiry) that move the clock by months: their
 * pharmacies' second-factor grace stays open, so a password alone still signs in. The grace's end, and the second
 * factor itself, are tested in ./second-factor.int.test.ts.
 */
import type { Db } from '../db/connect';

export async function keepFactorGraceOpen(db: Db): Promise<void> {
  await db
    .updateTable('pharmacies')
    .set({ factor_grace_ends_at: new Date('2100-01-01T00:00:00Z') })
    .execute();
}
