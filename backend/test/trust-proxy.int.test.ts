/**
 * A stranger behind the reverse proxy writes their own X-Forwarded-For. With TRUST_PROXY=1 the backend must
 * take the address the proxy appended (the last hop), not the one the stranger chose: the per-address sign-in
 * limit holds and the events log records the real address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PHARMACY } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { trustProxyFromEnv } from '../deploy/env';
import { call, newWorkstation, startTestEnv, type TestEnv } from './harness';

let env: TestEnv;
const ws = newWorkstation('Comptoir 2');
const REAL = '198.51.100.7';

beforeAll(async () => {
  env = await startTestEnv({
    backend: {
      trustProxy: trustProxyFromEnv('1'),
      rateLimit: { max: 10_000, signInMax: 5, timeWindowMs: 60_000 },
    },
  });
  await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
});
afterAll(() => env?.close());

/** What the proxy forwards: the stranger's own header, then the address it saw. */
const viaProxy = (forged: string) => ({ 'x-forwarded-for': `${forged}, ${REAL}` });

describe('X-Forwarded-For behind TRUST_PROXY', () => {
  it('a stranger who changes X-Forwarded-For on every attempt is still limited by their real address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await call(env, 'POST', '/v1/auth/password', {
        ws,
        headers: viaProxy(`203.0.113.${i + 1}`),
        body: { identifier: `99${String(i).padStart(7, '0')}`, password: 'pas le bon mot de passe' },
      });
      statuses.push(r.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(6);
  });

  it('the events log records the address the proxy saw, not the forged one', async () => {
    const other = await startTestEnv({ backend: { trustProxy: trustProxyFromEnv('1') } });
    try {
      await seedDemo(other.backend.db, other.clock.now(), other.backend.ctx.config);
      const r = await call(other, 'POST', '/v1/auth/password', {
        ws,
        headers: viaProxy('192.0.2.66'),
        body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
      });
      expect(r.status).toBe(200);
      const page = await call(other, 'GET', '/v1/events?type=sign_in&limit=1', {
        ws,
        token: r.json.token as string,
      });
      expect((page.json.events as { ip: string }[])[0]!.ip).toBe(REAL);
    } finally {
      await other.close();
    }
  });

  it('refuses TRUST_PROXY=true and accepts a hop count or the proxies’ addresses', () => {
    expect(() => trustProxyFromEnv('true')).toThrow(/every X-Forwarded-For hop/);
    expect(() => trustProxyFromEnv('0.0.0.0/0')).toThrow(/every address/);
    expect(() => trustProxyFromEnv('proxy.local')).toThrow(/not an address/);
    expect(trustProxyFromEnv(undefined)).toBe(false);
    const two = trustProxyFromEnv('2') as (a: string, i: number) => boolean;
    expect([two('127.0.0.1', 0), two('10.0.0.2', 1), two('192.0.2.1', 2), two('192.0.2.9', 0)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(trustProxyFromEnv('10.0.0.5, 10.1.0.0/16, ::1')).toEqual(['10.0.0.5', '10.1.0.0/16', '::1']);
  });
});
