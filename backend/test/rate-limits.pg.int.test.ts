/**
 * A stranger behind a round-robin proxy sends each guess to the next instance. The sign-in limit per address
 * must count all of them together (PostgreSQL, http/rate-limit-store.ts), not give one bucket per instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../app';
import { newWorkstation, startTestEnv, headers, type TestEnv } from './harness';

let env: TestEnv;
let second: Backend;
const LIMIT = 5;
const limits = { max: 10_000, signInMax: LIMIT, checkMax: LIMIT, timeWindowMs: 60_000 };

beforeAll(async () => {
  env = await startTestEnv({ backend: { rateLimit: limits } });
  second = await createBackend({
    database: env.databaseUrl,
    clock: env.clock,
    logLevel: 'silent',
    jobs: { autoStart: false },
    failureFloorMs: 60,
    rateLimit: limits,
    config: { argon2: { memoryCost: 4096, timeCost: 2, parallelism: 1 } },
  });
});
afterAll(async () => {
  await second?.close();
  await env?.close();
});

const guess = (b: Backend, i: number, remoteAddress: string) =>
  b.app.inject({
    method: 'POST',
    url: '/v1/auth/password',
    remoteAddress,
    headers: { ...headers(newWorkstation(`Poste ${i}`)), 'content-type': 'application/json' },
    payload: JSON.stringify({ identifier: `98${String(i).padStart(7, '0')}`, password: 'pas le bon' }),
  });

describe('rate limits shared by the instances', () => {
  it('guesses spread over two instances from one address get one bucket between them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4 * LIMIT; i++) {
      const r = await guess(i % 2 === 0 ? env.backend : second, i, '198.51.100.20');
      statuses.push(r.statusCode);
    }
    // One bucket: LIMIT answered, the rest refused, whichever instance got them.
    expect(statuses.filter((s) => s !== 429)).toHaveLength(LIMIT);
    expect(statuses.slice(LIMIT).every((s) => s === 429)).toBe(true);
    // Another address is not held back by the stranger's bucket, on either instance.
    expect((await guess(second, 99, '198.51.100.21')).statusCode).not.toBe(429);
    expect((await guess(env.backend, 98, '198.51.100.21')).statusCode).not.toBe(429);
  });

  it('the strength check has its own shared bucket per workstation, apart from the sign-in one', async () => {
    const ws = newWorkstation('Comptoir force');
    const check = (b: Backend) =>
      b.app.inject({
        method: 'POST',
        url: '/v1/auth/password/check',
        remoteAddress: '198.51.100.20',
        headers: { ...headers(ws), 'content-type': 'application/json' },
        payload: JSON.stringify({ password: 'Un-essai-de-force-2027' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 2 * LIMIT; i++) statuses.push((await check(i % 2 ? env.backend : second)).statusCode);
    expect(statuses.filter((s) => s !== 429)).toHaveLength(LIMIT);
  });

  it('keeps counters, not addresses: the table holds hashes only', async () => {
    const rows = await env.backend.db.selectFrom('rate_limits').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => /198\.51\.100|127\.0\.0/.test(r.key))).toBe(false);
    expect(rows.some((r) => r.hits >= LIMIT)).toBe(true);
  });
});
