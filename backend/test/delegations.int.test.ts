import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PHARMACY } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { call, newWorkstation, startTestEnv, type TestEnv } from './harness';

let env: TestEnv;
let holder: string;
const ws = newWorkstation('Bureau');
const P = DEMO_PEOPLE;

beforeAll(async () => {
  env = await startTestEnv();
  await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
  holder = (
    await call(env, 'POST', '/v1/auth/password', {
      ws,
      body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    })
  ).json.token as string;
});
afterAll(() => env?.close());

describe('delegations', () => {
  it('lists the delegates with their status and block date', async () => {
    const r = await call(env, 'GET', '/v1/delegations', { ws, token: holder });
    expect(r.status).toBe(200);
    const ds = r.json.delegations as {
      delegate: {
        displayName: string;
        state: string;
        reason: string | null;
        daysLeft: number;
        blockAt: string;
      };
    }[];
    const by = (n: string) => ds.find((d) => d.delegate.displayName === n)!.delegate;
    expect(ds).toHaveLength(4);
    expect(by('Sophie BERNARD')).toMatchObject({ state: 'active', daysLeft: 5 });
    expect(by('Marc LEROY')).toMatchObject({ state: 'blocked', reason: 'inactivity' });
    expect(by('Nadia GARCIA')).toMatchObject({ state: 'blocked', reason: 'suspicious' });
    expect(by('Julien PETIT')).toMatchObject({ state: 'active' });
  });

  it('grants an accountant, who signs in with a password; revoking ends their sessions and access', async () => {
    const grant = await call(env, 'POST', '/v1/delegations', {
      ws,
      token: holder,
      body: {
        kind: 'password_delegate',
        displayName: 'Paul DURAND',
        identifier: 'paul.durand',
        email: 'paul.durand@demo.vigie.invalid',
        initialPassword: 'Orage-Piment-48!x',
      },
    });
    expect(grant.status, JSON.stringify(grant.json)).toBe(200);
    expect(grant.json).toMatchObject({
      revokedAt: null,
      delegate: {
        displayName: 'Paul DURAND',
        kind: 'password_delegate',
        state: 'active',
        lastActivity: null,
      },
    });
    const accountantWs = newWorkstation('Cabinet comptable');
    const paul = await call(env, 'POST', '/v1/auth/password', {
      ws: accountantWs,
      body: { identifier: 'paul.durand', password: 'Orage-Piment-48!x' },
    });
    expect(paul.status).toBe(200);
    const token = paul.json.token as string;

    // a delegate cannot manage delegations, nor read the holder's events
    expect((await call(env, 'GET', '/v1/delegations', { ws: accountantWs, token })).json.code).toBe(
      'FORBIDDEN',
    );
    const accounts = await call(env, 'GET', '/v1/pharmacy/accounts', { ws: accountantWs, token });
    expect((accounts.json.accounts as unknown[]).length).toBe(1);
    const holderId = grant.json.grantedBy as string;
    expect(
      (await call(env, 'GET', `/v1/events?accountId=${holderId}`, { ws: accountantWs, token })).status,
    ).toBe(404);

    const revoke = await call(env, 'DELETE', `/v1/delegations/${grant.json.id as string}`, {
      ws,
      token: holder,
    });
    expect(revoke.status).toBe(200);
    expect(revoke.json.revokedAt).not.toBeNull();
    expect((await call(env, 'GET', '/v1/session', { ws: accountantWs, token })).json.code).toBe(
      'SESSION_REVOKED',
    );
    const again = await call(env, 'POST', '/v1/auth/password', {
      ws: accountantWs,
      body: { identifier: 'paul.durand', password: 'Orage-Piment-48!x' },
    });
    expect(again.json.code).toBe('FORBIDDEN');
    expect(
      (await call(env, 'DELETE', `/v1/delegations/${grant.json.id as string}`, { ws, token: holder })).json
        .code,
    ).toBe('CONFLICT');
  });

  it('grants a card-holding employee by national id and refuses duplicates and weak passwords', async () => {
    const ok = await call(env, 'POST', '/v1/delegations', {
      ws,
      token: holder,
      body: {
        kind: 'card_delegate',
        displayName: 'Léa MOREAU',
        nationalId: '899700055555',
        email: 'lea.moreau@demo.vigie.invalid',
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.delegate).toMatchObject({ kind: 'card_delegate', state: 'active' });
    const dup = await call(env, 'POST', '/v1/delegations', {
      ws,
      token: holder,
      body: {
        kind: 'card_delegate',
        displayName: 'Copie',
        nationalId: P.employee.nationalId,
        email: 'x@demo.vigie.invalid',
      },
    });
    expect(dup.json.code).toBe('CONFLICT');
    const weak = await call(env, 'POST', '/v1/delegations', {
      ws,
      token: holder,
      body: {
        kind: 'password_delegate',
        displayName: 'Faible',
        identifier: 'faible.mdp',
        email: 'f@demo.vigie.invalid',
        initialPassword: 'azerty',
      },
    });
    expect(weak.json.code).toBe('PASSWORD_POLICY');
  });

  it('shows every account of the pharmacy to the holder, with status', async () => {
    const r = await call(env, 'GET', '/v1/pharmacy/accounts', { ws, token: holder });
    const accounts = r.json.accounts as { displayName: string; kind: string; lastActivity: unknown }[];
    expect(accounts[0]).toMatchObject({ displayName: 'Claire MARTIN', kind: 'holder' });
    expect(accounts.map((a) => a.displayName)).toEqual(
      expect.arrayContaining(['Julien PETIT', 'Sophie BERNARD', 'Marc LEROY', 'Nadia GARCIA']),
    );
  });
});
