/**
 * One attempt on a throttle counter (`login_throttle`), reserved before the check it guards: one upsert that
 * says whether the attempt is refused unchecked (throttled) and counts it otherwise. Parallel attempts queue on
 * the row. The sign-in path does the same inside its lookup statement (auth.ts).
 */
import { sql } from 'kysely';
import type { ThrottlePolicy } from '../../domain/policy';
import type { Db } from '../db/connect';
import { throttledSql } from './password';

/** True when the attempt is throttled (and not counted). */
export async function reserveAttempt(db: Db, key: string, now: Date, p: ThrottlePolicy): Promise<boolean> {
  const t = throttledSql('t', now, p);
  const r = await sql<{ last_throttled: boolean }>`
    insert into login_throttle as t (key, failures, last_failure_at, last_throttled)
    values (${key}, 1, ${now}::timestamptz, false)
    on conflict (key) do update set
      failures = case when ${t.throttled} then t.failures else ${t.effective} + 1 end,
      last_failure_at = case when ${t.throttled} then t.last_failure_at else ${now}::timestamptz end,
      last_throttled = ${t.throttled}
    returning last_throttled`.execute(db);
  return r.rows[0]?.last_throttled ?? false;
}

/** Failures counted on a key in its window (0 when none). */
export async function failuresOn(db: Db, key: string, now: Date, p: ThrottlePolicy): Promise<number> {
  const r = await db
    .selectFrom('login_throttle')
    .select(['failures', 'last_failure_at'])
    .where('key', '=', key)
    .executeTakeFirst();
  if (!r || now.getTime() - r.last_failure_at.getTime() >= p.resetAfterMs) return 0;
  return r.failures;
}

/** Per identifier, for codes that cannot be guessed: slows a flood down, never keeps the owner waiting past 1 min. */
export const GENTLE_THROTTLE: ThrottlePolicy = {
  freeFailures: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockAfter: 100,
  lockMs: 60_000,
  resetAfterMs: 24 * 3600_000,
};
