/**
 * A stranger who knows an identifier types wrong security keys, from many workstations and addresses, to close the
 * security-key path for its owner or to block the account. What must hold: the owner, on her own workstation,
 * waits at most about a minute, her right key works, her sign-in still offers the key, the account is never blocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_APP_VERSION, HEADER_WORKSTATION, HEADER_WORKSTATION_LABEL } from '../../domain/backend-api';
import { DEMO_PASSWORD } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { createAccount } from '../accounts/accounts';
import { setSecurityKey } from '../unblock/security-key';
import { newWorkstation, startTestEnv, type TestEnv, type Workstation } from './harness';

const KEY = { birth_date: '1981-02-03', practice_postal_code: '69003', iban_last4: '5577' };
const WRONG = { ...KEY, iban_last4: '0000' };
const OWNER_IP = '198.51.100.30';

let env: TestEnv;
let seed: SeedResult;

beforeAll(async () => {
  env = await startTestEnv({ now: new Date().toISOString(), backend: { failureFloorMs: 5 } });
  seed = await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
}, 120_000);

afterAll(async () => {
  await env?.close();
});

async function send(url: string, ws: Workstation, ip: string, body: unknown) {
  const res = await env.backend.app.inject({
    method: 'POST',
    url,
    headers: {
      [HEADER_APP_VERSION]: '0.1.0-test',
      [HEADER_WORKSTATION]: ws.id,
      [HEADER_WORKSTATION_LABEL]: encodeURIComponent(ws.label),
      'content-type': 'application/json',
    },
    remoteAddress: ip,
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, json: res.json() as Record<string, unknown>, body: res.body };
}

/** A password account with a security key, blocked for inactivity (the case the key is there for). */
async function blockedWithKey(identifier: string) {
  const now = env.clock.now();
  const id = await env.backend.db.transaction().execute(async (trx) =>
    createAccount(
      trx,
      {
        pharmacyId: seed.pharmacyId,
        kind: 'password_delegate',
        displayName: 'Léa CLEF',
        identifier,
        email: `${identifier}@demo.vigie.invalid`,
        passwordHash: await env.backend.hasher.hash(DEMO_PASSWORD),
      },
      now,
      env.backend.ctx.config,
    ),
  );
  await env.backend.db
    .insertInto('delegations')
    .values({
      holder_account_id: seed.accounts.holder,
      delegate_account_id: id,
      granted_at: now,
      granted_by: seed.accounts.holder,
      revoked_at: null,
      revoked_by: null,
    })
    .execute();
  await setSecurityKey(env.backend.signin.securityKeys, id, KEY, now, env.backend.signin.fields);
  await env.backend.db
    .updateTable('accounts')
    .set({ state: 'blocked', block_reason: 'inactivity', blocked_at: now })
    .where('id', '=', id)
    .execute();
  return id;
}

const stateOf = (id: string) =>
  env.backend.db
    .selectFrom('accounts')
    .select(['state', 'block_reason'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('a stranger typing wrong security keys', () => {
  it('never closes the path for the owner: her workstation waits a minute at most, her key works, no block', async () => {
    const id = await blockedWithKey('lea.clef');
    const owner = newWorkstation('Bureau de Léa');
    const codes: Record<string, number> = {};
    // 40 wrong keys from fresh workstations on five addresses, as fast as they are answered
    for (let i = 0; i < 40; i++) {
      const r = await send(
        '/v1/unblock/security-key',
        newWorkstation('Poste pirate clé'),
        `203.0.113.${20 + (i % 5)}`,
        { identifier: 'lea.clef', answers: WRONG },
      );
      codes[String(r.json.code)] = (codes[String(r.json.code)] ?? 0) + 1;
      expect(['SECURITY_KEY_WRONG', 'SECURITY_KEY_LOCKED']).toContain(r.json.code);
    }
    // the identifier's throttle held most of them back unchecked
    expect(codes.SECURITY_KEY_LOCKED ?? 0).toBeGreaterThan(0);
    expect(await stateOf(id)).toEqual({ state: 'blocked', block_reason: 'inactivity' });

    // the owner's right password still lists the security key among her ways out
    const signIn = await send('/v1/auth/password', owner, OWNER_IP, {
      identifier: 'lea.clef',
      password: DEMO_PASSWORD,
    });
    expect(signIn.json).toMatchObject({
      code: 'ACCOUNT_BLOCKED_INACTIVITY',
      blocked: { unblockPaths: ['security_key', 'postal_code'] },
    });

    // a minute later, on her own workstation, her key works
    env.clock.advance(61_000);
    const ok = await send('/v1/unblock/security-key', owner, OWNER_IP, {
      identifier: 'lea.clef',
      answers: KEY,
    });
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json.ticket).toEqual(expect.any(String));
  });

  it('one source is throttled after 3 wrong keys, unchecked, with the same answer for an unknown identifier', async () => {
    await blockedWithKey('marc.clef');
    const seen: string[][] = [];
    for (const identifier of ['marc.clef', 'personne.inconnue.clef']) {
      const ws = newWorkstation('Poste pirate');
      const answers: { status: number; code: unknown; message: unknown }[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await send('/v1/unblock/security-key', ws, '203.0.113.99', { identifier, answers: WRONG });
        answers.push({ status: r.status, code: r.json.code, message: r.json.message });
      }
      expect(answers.map((a) => a.code)).toEqual([
        'SECURITY_KEY_WRONG',
        'SECURITY_KEY_WRONG',
        'SECURITY_KEY_WRONG',
        'SECURITY_KEY_LOCKED',
        'SECURITY_KEY_LOCKED',
      ]);
      seen.push(answers.map((a) => JSON.stringify(a)));
    }
    expect(seen[1]).toEqual(seen[0]);
  });
});
