/**
 * A client that needs no session floods the password strength check with its worst case, against a backend with
 * the production rate limits and refusal floor: the rest of the backend must keep answering, and the check must
 * not use up the sign-in bucket that a pharmacy's workstations share.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { headers, newWorkstation, testDatabaseUrl } from './harness';

/** zxcvbn's slow case (repeated dates): hundreds of milliseconds of CPU on the event loop when unbounded. */
export const WORST_PASSWORD = '19791407'.repeat(16);

let b: Backend;
beforeAll(async () => {
  b = await createBackend({
    database: await testDatabaseUrl(),
    logLevel: 'silent',
    jobs: { autoStart: false },
    mailer: { kind: 'none' },
    failureFloorMs: 250,
    config: { argon2: { memoryCost: 4096, timeCost: 2, parallelism: 1 } },
  });
  await seedDemo(b.db, new Date(), b.ctx.config);
}, 120_000);
afterAll(() => b?.close());

const check = (ws = newWorkstation('Poste pirate'), password = WORST_PASSWORD) =>
  b.app.inject({
    method: 'POST',
    url: '/v1/auth/password/check',
    headers: headers(ws),
    payload: { password, identifier: 'x' },
  });

describe('password strength check flood', () => {
  it('ten worst-case checks at once: /health keeps answering within 150 ms', async () => {
    const health: number[] = [];
    let done = false;
    const probe = (async () => {
      while (!done) {
        const t0 = performance.now();
        await b.app.inject({ method: 'GET', url: '/health' });
        health.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: 10 }, () => check()));
    const flood = performance.now() - t0;
    done = true;
    await probe;
    expect(answers.every((r) => r.statusCode === 200 || r.statusCode === 503)).toBe(true);
    expect(answers.some((r) => r.statusCode === 200)).toBe(true);
    expect(health.length, `flood took ${flood.toFixed(0)} ms`).toBeGreaterThan(3);
    expect(
      Math.max(...health),
      `/health during the flood: ${health.map((h) => h.toFixed(0)).join(', ')} ms`,
    ).toBeLessThan(150);
  }, 60_000);

  it('over 128 characters: refused as too long without an estimate', async () => {
    const t0 = performance.now();
    const r = await check(newWorkstation(), WORST_PASSWORD + 'x');
    expect(performance.now() - t0).toBeLessThan(100);
    expect(r.json()).toMatchObject({ acceptable: false, problems: expect.arrayContaining(['too_long']) });
  });

  it('the check has its own bucket per workstation: one workstation at its limit leaves sign-ins and other workstations alone', async () => {
    const meter = newWorkstation('Poste de Sophie');
    const codes: number[] = [];
    for (let i = 0; i < 70; i++) codes.push((await check(meter, `Abc-${i}-pharma`)).statusCode);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
    expect((await check(newWorkstation('Comptoir 2'), 'Abc-pharma-2027')).statusCode).toBe(200);
    const signIn = await b.app.inject({
      method: 'POST',
      url: '/v1/auth/password',
      headers: headers(newWorkstation('Comptoir 3')),
      payload: { identifier: DEMO_PEOPLE.accountantSoon.identifier, password: DEMO_PASSWORD },
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
  }, 60_000);
});
