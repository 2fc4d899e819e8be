/**
 * One attempt on a throttle counter (`login_throttle`), reserved before the check it guards: one upsert that
 * says whether the attempt is refused unchecked (throttled) and counts it otherwise. Parallel attempts queue on
 * the row. The sign-in path does the same inside its lookup statement (password-lookup.ts). The keys name an
 * identifier, an address or a source by a hash, never in clear.
 */
import { sql } from 'kysely';
import { throttleDelayMs, type ThrottlePolicy } from '../../domain/policy';
import { sha256 } from '../crypto';
import type { Db } from '../db/connect';

/** The hash that names an identifier in throttle keys and the security log (never the identifier itself). */
export const identifierKey = (identifier: string) => `id:${sha256(identifier.trim().toLowerCase())}`;
export const ipKey = (ip: string | null) => `ip:${ip ?? 'unknown'}`;
/**
 * The throttle counter of one identifier from one source. A registered workstation that proved the request is a
 * source by itself (nobody else can send under its id); any other request is a source by workstation id and
 * address together. A stranger's failures fill the stranger's counters only.
 */
export const sourceKey = (identifier: string, workstationId: string, ip: string | null) =>
  `${identifierKey(identifier)}:src:${sha256(`${workstationId}|${ip ?? 'unknown'}`)}`;
export const provenWorkstationKey = (identifier: string, workstationId: string) =>
  `${identifierKey(identifier)}:ws:${workstationId}`;

/**
 * Whether a throttle row (`t`) refuses an attempt at `now`, as SQL. The delays come from the domain policy
 * (`throttleDelayMs` for 0…lockAfter failures, as a table the statement indexes), so the rule stays in one
 * place; a test checks this expression against `isThrottled` (auth.int.test.ts).
 */
export function throttledSql(t: string, now: Date, p: ThrottlePolicy) {
  const delays = Array.from({ length: p.lockAfter + 1 }, (_, f) => throttleDelayMs(f, p));
  const row = sql.ref(t);
  const eff = sql`(case when ${row}.last_failure_at is null or ${now}::timestamptz - ${row}.last_failure_at >= ${p.resetAfterMs}::float8 * interval '1 millisecond' then 0 else ${row}.failures end)`;
  return {
    effective: eff,
    throttled: sql<boolean>`(${eff} > 0 and ${row}.last_failure_at + (${delays}::float8[])[least(${eff}, ${p.lockAfter}) + 1] * interval '1 millisecond' > ${now}::timestamptz)`,
  };
}

/** Counts one failure on a key (restarting the count after the policy's quiet period). */
export async function countFailure(db: Db, key: string, now: Date, p: ThrottlePolicy) {
  const reset = new Date(now.getTime() - p.resetAfterMs);
  await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, last_failure_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('login_throttle.last_failure_at', '<', reset)
          .then(1)
          .else(eb('login_throttle.failures', '+', 1))
          .end(),
        last_failure_at: now,
      })),
    )
    .execute();
}

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

/**
 * Per account, for second-step codes sent from anywhere but a registered workstation that proved the request. A
 * six-digit code can be guessed where a password cannot be known: 10 free tries (a person who mistypes), then
 * growing waits, and after 20 wrong codes in a day such places get one try an hour between them (about 40 a day, a
 * chance near 1 in 10,000 a day against a TOTP code). The owner's registered workstations count apart
 * (`GENTLE_THROTTLE`), so a stranger's guesses never keep her out there.
 */
export const AWAY_CODE_THROTTLE: ThrottlePolicy = {
  freeFailures: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  lockAfter: 20,
  lockMs: 60 * 60_000,
  resetAfterMs: 24 * 3600_000,
};
