import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_THROTTLE, DEFAULT_IP_THROTTLE, isThrottled } from '../../domain/policy';
import { throttledSql } from '../auth/throttle';
import { DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PHARMACY } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { createBackend } from '../app';
import { call, headers, newWorkstation, startTestEnv, testDatabaseUrl, type TestEnv } from './harness';

let env: TestEnv;
let seed: SeedResult;
const ws = newWorkstation('Comptoir 1');
const P = DEMO_PEOPLE;

beforeAll(async () => {
  env = await startTestEnv();
  seed = await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
});
afterAll(() => env?.close());

const signIn = (identifier: string, password: string, w = ws) =>
  call(env, 'POST', '/v1/auth/password', { ws: w, body: { identifier, password } });

describe('password sign-in', () => {
  it('signs the holder in, records the event and mails the dedicated address in French', async () => {
    const r = await signIn(DEMO_PHARMACY.amNumber, DEMO_PASSWORD);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      passwordChangeRequired: false,
      account: { displayName: 'Claire MARTIN', kind: 'holder', pharmacy: { finess: DEMO_PHARMACY.finess } },
    });
    const token = r.json.token as string;

    const events = await call(env, 'GET', '/v1/events?type=sign_in&limit=1', { ws, token });
    expect(events.status).toBe(200);
    expect((events.json.events as unknown[])[0]).toMatchObject({
      type: 'sign_in',
      method: 'password',
      outcome: 'success',
      workstationId: ws.id,
      workstationLabel: 'Comptoir 1',
      appVersion: '0.1.0-test',
    });

    const mails = await env.deliver();
    const mine = mails.filter((m) => m.to.includes(P.holder.email));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.subject).toBe('Nouvelle connexion à votre compte amelipro');
    expect(mine[0]!.text).toContain('depuis le poste « Comptoir 1 »');
    expect(mine[0]!.text).toContain('le 2 mars 2026 à 09:00');
    expect(mine[0]!.text).toContain('36 08');
  });

  it('gives the same answer for an unknown identifier, a wrong password and a throttled account', async () => {
    const unknown = await signIn('inconnu-123', 'Nimporte-Quoi-42!');
    const wrong = await signIn(P.holder.identifier, 'Mauvais-Mot-2027!');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
    expect(unknown.json.code).toBe('INVALID_CREDENTIALS');
    // two more failures → throttled: even the right password is refused, with the same answer
    await signIn(P.holder.identifier, 'Mauvais-Mot-2027!');
    await signIn(P.holder.identifier, 'Mauvais-Mot-2027!');
    const throttled = await signIn(P.holder.identifier, DEMO_PASSWORD);
    expect(throttled.status).toBe(401);
    expect(throttled.json).toEqual(unknown.json);
    // after the delay, the right password works again
    env.clock.advance(60_000);
    const ok = await signIn(P.holder.identifier, DEMO_PASSWORD);
    expect(ok.status).toBe(200);
    env.clock.advance(-60_000);
  });

  it('takes the same time for unknown identifiers and wrong passwords (the production floor, 250 ms)', async () => {
    const b = await createBackend({
      database: await testDatabaseUrl(),
      logLevel: 'silent',
      jobs: { autoStart: false },
      mailer: { kind: 'none' },
      rateLimit: false,
      config: { argon2: { memoryCost: 4096, timeCost: 2, parallelism: 1 } },
    });
    try {
      await seedDemo(b.db, new Date(), b.ctx.config);
      const time = async (id: string) => {
        const t0 = performance.now();
        const r = await b.app.inject({
          method: 'POST',
          url: '/v1/auth/password',
          headers: headers(newWorkstation()),
          payload: { identifier: id, password: 'Mauvais-Mot-2027!' },
        });
        expect(r.statusCode).toBe(401);
        return performance.now() - t0;
      };
      const a: number[] = [];
      const k: number[] = [];
      for (let i = 0; i < 5; i++) {
        a.push(await time(`inconnu-${i}`));
        k.push(await time(P.holder.identifier)); // known account; throttled after 3: same answer, same floor
      }
      const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
      expect(Math.min(...a, ...k)).toBeGreaterThanOrEqual(249);
      expect(Math.abs(med(a) - med(k))).toBeLessThan(25);
    } finally {
      await b.close();
    }
  });

  it('answers "blocked" with the reason and the ways out when the password is right', async () => {
    const marc = await signIn(P.accountantBlocked.identifier, DEMO_PASSWORD);
    expect(marc.status).toBe(403);
    expect(marc.json).toMatchObject({
      code: 'ACCOUNT_BLOCKED_INACTIVITY',
      blocked: { reason: 'inactivity' },
    });
    // an accountant has no card: the online path (security key if set, else the postal code)
    const paths = (marc.json.blocked as { unblockPaths: string[] }).unblockPaths;
    expect(paths).toContain('postal_code');
    expect(paths).not.toContain('card');
    const nadia = await signIn(P.suspicious.identifier, DEMO_PASSWORD);
    expect(nadia.json).toMatchObject({
      code: 'ACCOUNT_BLOCKED_SUSPICIOUS',
      blocked: { reason: 'suspicious', explanation: P.suspicious.explanation },
    });
    // a wrong password on a blocked account reveals nothing
    const wrong = await signIn(P.accountantBlocked.identifier, 'Mauvais-Mot-2027!');
    expect(wrong.json.code).toBe('INVALID_CREDENTIALS');
  });

  it('a card holder without a password cannot use the password path', async () => {
    const r = await signIn(P.employee.nationalId, DEMO_PASSWORD);
    expect(r.json.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a sign-in without a valid workstation id', async () => {
    const r = await call(env, 'POST', '/v1/auth/password', {
      ws: null,
      body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('INVALID_REQUEST');
    const bad = await call(env, 'POST', '/v1/auth/password', {
      ws: { id: 'not-a-uuid', label: 'x' },
      body: { identifier: 'a', password: 'b' },
    });
    expect(bad.status).toBe(400);
  });

  it('blocks at sign-in when the date has passed, even before the sweep runs', async () => {
    env.clock.advance(6 * 86_400_000);
    const r = await signIn(P.accountantSoon.identifier, DEMO_PASSWORD);
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('ACCOUNT_BLOCKED_INACTIVITY');
    const mails = (await env.deliver()).filter((m) => m.to.includes(P.accountantSoon.email));
    expect(mails.map((m) => m.subject)).toContain(
      'Votre compte amelipro est bloqué (non utilisé depuis plus de 6 mois)',
    );
    env.clock.advance(-6 * 86_400_000);
  });
  void seed;
});

describe('throttle verdict in SQL', () => {
  it('agrees with the domain policy (isThrottled) for any counter, age and policy', async () => {
    const now = new Date('2026-06-15T10:00:00.000Z');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(DEFAULT_ACCOUNT_THROTTLE, DEFAULT_IP_THROTTLE),
        fc.integer({ min: 0, max: 150 }),
        // seconds since the last failure, up to 2 days, with a bias to the boundaries (1 s, 2 s, 4 s, 15 min, 1 h, 24 h)
        fc.oneof(
          fc.integer({ min: 0, max: 172_800_000 }),
          fc.constantFrom(
            999,
            1000,
            1001,
            3_999,
            4_000,
            899_999,
            900_000,
            3_599_999,
            3_600_000,
            86_399_999,
            86_400_000,
          ),
        ),
        async (policy, failures, ageMs) => {
          const last = new Date(now.getTime() - ageMs);
          const v = throttledSql('t', now, policy);
          const r = await sql<{
            throttled: boolean;
          }>`select ${v.throttled} as throttled from (select ${failures}::int as failures, ${last}::timestamptz as last_failure_at) t`.execute(
            env.backend.db,
          );
          expect(r.rows[0]!.throttled).toBe(isThrottled({ failures, lastFailureAt: last }, now, policy));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('a sign-in that fails for a server reason', () => {
  it('does not count against the identifier: the right password works once the database is back', async () => {
    const { identifierKey } = await import('../auth/throttle');
    const db = env.backend.db;
    const who = P.holder.identifier!;
    // Every session insert fails, as a database restart between the two statements of a sign-in would.
    await sql`create or replace function vigie_test_fail() returns trigger language plpgsql as $$ begin raise exception 'simulated outage'; end $$`.execute(
      db,
    );
    await sql`create trigger vigie_test_fail before insert on sessions for each row execute function vigie_test_fail()`.execute(
      db,
    );
    try {
      for (let i = 0; i < 4; i++) {
        const r = await signIn(who, DEMO_PASSWORD);
        expect([r.status, r.json.code]).toEqual([500, 'INTERNAL']);
      }
    } finally {
      await sql`drop trigger vigie_test_fail on sessions`.execute(db);
    }
    // The four reserved attempts are given back (asynchronously, as soon as the database answers).
    await expect
      .poll(async () => {
        const rows = await db
          .selectFrom('login_throttle')
          .select('failures')
          .where('key', 'like', `${identifierKey(who)}:%`)
          .execute();
        return rows.reduce((n, r) => n + r.failures, 0);
      })
      .toBe(0);
    const ok = await signIn(who, DEMO_PASSWORD);
    expect(ok.status).toBe(200);
  });
});
