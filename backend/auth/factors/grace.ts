/**
 * The pharmacy's grace period: for 30 days from the first password sign-in that meets the rule, a password alone
 * still opens a session (with a banner counting down); then the second factor is required. The holder may extend it
 * once by 30 days.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connect';

export const GRACE_MS = 30 * 24 * 3600_000;
export const GRACE_EXTENSION_MS = 30 * 24 * 3600_000;

export interface Grace {
  endsAt: Date;
  extended: boolean;
}

/** Starts the pharmacy's grace period if it has not started (several sign-ins at once start it once). */
export async function startGrace(db: Db, pharmacyId: string, now: Date): Promise<Grace> {
  await db
    .updateTable('pharmacies')
    .set({ factor_grace_ends_at: new Date(now.getTime() + GRACE_MS) })
    .where('id', '=', pharmacyId)
    .where('factor_grace_ends_at', 'is', null)
    .execute();
  const r = await db
    .selectFrom('pharmacies')
    .select(['factor_grace_ends_at', 'factor_grace_extended_at'])
    .where('id', '=', pharmacyId)
    .executeTakeFirstOrThrow();
  return { endsAt: r.factor_grace_ends_at!, extended: r.factor_grace_extended_at !== null };
}

/** Extends the grace once (starting it first if need be); null when it was already extended. */
export async function extendGrace(db: Db, pharmacyId: string, now: Date): Promise<Grace | null> {
  await startGrace(db, pharmacyId, now);
  const r = await db
    .updateTable('pharmacies')
    .set({
      factor_grace_ends_at: sql<Date>`greatest(factor_grace_ends_at, ${now}::timestamptz) + ${GRACE_EXTENSION_MS}::float8 * interval '1 millisecond'`,
      factor_grace_extended_at: now,
    })
    .where('id', '=', pharmacyId)
    .where('factor_grace_extended_at', 'is', null)
    .returning(['factor_grace_ends_at'])
    .executeTakeFirst();
  return r ? { endsAt: r.factor_grace_ends_at!, extended: true } : null;
}

export const graceDto = (g: Grace) => ({ graceEndsAt: g.endsAt.toISOString(), extendable: !g.extended });
