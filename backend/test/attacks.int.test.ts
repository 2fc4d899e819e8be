/**
 * Attacks from a stranger's side, against a real backend (PGlite and PostgreSQL): someone who knows an
 * identifier or a national id, but holds none of the owner's factors, tries to block the account, to keep the
 * owner from signing in, or to learn whether the account exists. Each case states the attack and what must hold.
 */
import 'reflect-metadata';
import { generateKeyPairSync, randomUUID, sign, webcrypto, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestPki, type TestPki } from '../../card-sim/pki';
import {
  HEADER_APP_VERSION,
  HEADER_WORKSTATION,
  HEADER_WORKSTATION_LABEL,
  workstationRegistrationMessage,
} from '../../domain/backend-api';
import { throttleDelayMs } from '../../domain/policy';
import { signLikeCps3 } from '../auth/card/test-pki';
import { sealSecret, totpCode } from '../auth/factors/secret';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { startPscSandbox, type PscSandbox } from '../auth/ecps/sandbox';
import { createAccount } from '../accounts/accounts';
import { newWorkstation, startTestEnv, type TestEnv, type Workstation } from './harness';
import { proofHeaders } from './proofs';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const P = DEMO_PEOPLE;
const STRANGER_IP = '203.0.113.66';
const OWNER_IP = '198.51.100.20';

let env: TestEnv;
let seed: SeedResult;
let pki: TestPki;
let psc: PscSandbox;
let letters: string;

beforeAll(async () => {
  pki = await loadTestPki();
  letters = mkdtempSync(join(tmpdir(), 'vigie-letters-'));
  psc = await startPscSandbox({
    people: [
      { nationalId: P.holder.nationalId, givenName: 'CLAIRE', familyName: 'MARTIN', ecps: true },
      { nationalId: P.employee.nationalId, givenName: 'JULIEN', familyName: 'PETIT', ecps: true },
    ],
  });
  env = await startTestEnv({
    now: new Date().toISOString(),
    backend: {
      failureFloorMs: 5,
      signin: {
        cardAuth: {
          trustPemFiles: [join(pki.dir, 'root.pem'), join(pki.dir, 'intermediate.pem')],
          crlFiles: [join(pki.dir, 'crl.pem')],
        },
        ecps: {
          issuer: psc.issuer,
          clientId: psc.clientId,
          clientSecret: psc.clientSecret,
          pollIntervalMs: 50,
          forcePollInterval: true,
          allowInsecure: true,
        },
        lettersDir: letters,
      },
    },
  });
  seed = await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
}, 120_000);

afterAll(async () => {
  await env?.close();
  await psc?.close();
  rmSync(letters, { recursive: true, force: true });
});

interface Keyed extends Workstation {
  publicKey: string;
  privateKey: KeyObject;
}
const keyedWorkstation = (label: string): Keyed => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    ...newWorkstation(label),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey,
  };
};

/** One request as it arrives from `ip`, with the workstation's headers (and its proof when it holds a key). */
async function send(
  method: 'GET' | 'POST',
  url: string,
  o: {
    ws?: Workstation | null;
    ip?: string;
    body?: unknown;
    token?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const h: Record<string, string> = { [HEADER_APP_VERSION]: '0.1.0-test', ...o.headers };
  if (o.ws) {
    h[HEADER_WORKSTATION] = o.ws.id;
    h[HEADER_WORKSTATION_LABEL] = encodeURIComponent(o.ws.label);
    if ('privateKey' in o.ws)
      Object.assign(h, proofHeaders(o.ws as Keyed, env.clock.now(), method, url, o.body));
  }
  if (o.token) h.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) h['content-type'] = 'application/json';
  const res = await env.backend.app.inject({
    method,
    url,
    headers: h,
    remoteAddress: o.ip ?? OWNER_IP,
    ...(o.body !== undefined ? { payload: JSON.stringify(o.body) } : {}),
  });
  let json: Record<string, unknown> & { code?: string } = {};
  try {
    json = res.json();
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, json, body: res.body };
}

async function registerWorkstation(ws: Keyed) {
  const c = await send('POST', '/v1/workstations/challenge', { ws: null });
  expect(c.status, c.body).toBe(200);
  const unsigned = {
    workstationId: ws.id,
    label: ws.label,
    publicKey: ws.publicKey,
    challenge: c.json.challenge as string,
  };
  const signature = sign(null, Buffer.from(workstationRegistrationMessage(unsigned)), ws.privateKey).toString(
    'base64',
  );
  const r = await send('POST', '/v1/workstations/register', { ws, body: { ...unsigned, signature } });
  expect(r.status, r.body).toBe(200);
}

const stateOf = (id: string) =>
  env.backend.db
    .selectFrom('accounts')
    .select(['state', 'block_reason', 'suspicion_cause'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const eventsOf = (id: string, type: string) =>
  env.backend.db
    .selectFrom('events')
    .selectAll()
    .where('account_id', '=', id)
    .where('type', '=', type)
    .orderBy('seq', 'desc')
    .execute();
const sessionAlive = async (token: string, ws: Workstation) =>
  (await send('GET', '/v1/session', { ws, token })).status === 200;

/** A password account of the demo pharmacy, made for one case. */
async function passwordAccount(identifier: string) {
  const now = env.clock.now();
  const hash = await env.backend.hasher.hash(DEMO_PASSWORD);
  const id = await env.backend.db.transaction().execute((trx) =>
    createAccount(
      trx,
      {
        pharmacyId: seed.pharmacyId,
        kind: 'password_delegate',
        displayName: 'Luc CIBLE',
        identifier,
        email: `${identifier}@demo.vigie.invalid`,
        passwordHash: hash,
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
  return id;
}

/** A self-signed certificate that names `nationalId` as a CPS authentication certificate would. */
async function forgedCertificate(nationalId: string) {
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0123456789',
    name: new x509.Name(`CN=${nationalId}+SN=MARTIN+GN=CLAIRE, title=Pharmacien, C=FR`, {
      GN: '2.5.4.42',
      title: '2.5.4.12',
    }),
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return Buffer.from(cert.rawData).toString('base64');
}

const derOf = (pem: string) =>
  Buffer.from(pem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64').toString('base64');

async function cardSignIn(ws: Workstation, nationalId: string) {
  const c = await send('POST', '/v1/auth/card/challenge', { ws });
  const card = pki.holders[nationalId]!;
  const ch = c.json.challenge as string;
  const body = {
    challenge: ch,
    signature: signLikeCps3(card.authKeyPem, Buffer.from(ch, 'base64url')).toString('base64'),
    certificate: derOf(card.authCertPem),
  };
  const r = await send('POST', '/v1/auth/card', { ws, body });
  expect(r.status, r.body).toBe(200);
  return r.json.token as string;
}

describe('forged card sign-ins', () => {
  it('a self-signed certificate naming the holder, 25 times without a valid challenge or signature: she stays active, signed in, and her log is untouched', async () => {
    const claire = seed.accounts.holder;
    const counter = newWorkstation('Comptoir de Claire');
    const token = await cardSignIn(counter, P.holder.nationalId);
    const before = (await eventsOf(claire, 'sign_in_failed')).length;
    const stranger = newWorkstation('Poste pirate');
    const forged = await forgedCertificate(P.holder.nationalId);
    const answers = new Set<string>();
    for (let i = 0; i < 25; i++) {
      const r = await send('POST', '/v1/auth/card', {
        ws: stranger,
        ip: STRANGER_IP,
        body: {
          challenge: Buffer.from(randomUUID()).toString('base64url'),
          signature: Buffer.alloc(256, i).toString('base64'),
          certificate: forged,
        },
      });
      answers.add(`${r.status} ${r.json.code}`);
    }
    expect([...answers].every((a) => a.startsWith('401'))).toBe(true);
    expect(await stateOf(claire)).toMatchObject({ state: 'active' });
    expect(await sessionAlive(token, counter)).toBe(true);
    expect((await eventsOf(claire, 'sign_in_failed')).length).toBe(before);
    const logged = await env.backend.db
      .selectFrom('security_log')
      .select(['kind', 'details'])
      .where('subject', '=', P.holder.nationalId)
      .execute();
    expect(logged.length).toBeGreaterThanOrEqual(25);
  });

  it('her real authentication certificate (readable without the PIN) with wrong signatures, 25 times: the same', async () => {
    const claire = seed.accounts.holder;
    const counter = newWorkstation('Comptoir de Claire 2');
    const token = await cardSignIn(counter, P.holder.nationalId);
    const before = (await eventsOf(claire, 'sign_in_failed')).length;
    const stranger = newWorkstation('Poste pirate 2');
    const cert = derOf(pki.holders[P.holder.nationalId]!.authCertPem);
    for (let i = 0; i < 25; i++) {
      const c = await send('POST', '/v1/auth/card/challenge', { ws: stranger, ip: STRANGER_IP });
      const r = await send('POST', '/v1/auth/card', {
        ws: stranger,
        ip: STRANGER_IP,
        body: {
          challenge: c.json.challenge,
          signature: Buffer.alloc(256, i + 1).toString('base64'),
          certificate: cert,
        },
      });
      expect(r.json.code).toBe('SIGNATURE_INVALID');
    }
    expect(await stateOf(claire)).toMatchObject({ state: 'active' });
    expect(await sessionAlive(token, counter)).toBe(true);
    expect((await eventsOf(claire, 'sign_in_failed')).length).toBe(before);
  });
});

describe('a stranger guessing a password for 24 hours', () => {
  it('at the highest rate the backend allows, from fresh workstation ids: the account stays active and the owner signs in on her workstation all along', async () => {
    const victim = await passwordAccount('luc.cible');
    const home = keyedWorkstation('Bureau de Luc');
    await registerWorkstation(home);
    const owner = () =>
      send('POST', '/v1/auth/password', {
        ws: home,
        body: { identifier: 'luc.cible', password: DEMO_PASSWORD },
      });
    const first = await owner();
    expect(first.status, first.body).toBe(200);
    await send('POST', '/v1/session/sign-out', { ws: home, token: first.json.token as string });

    const wrong = () =>
      send('POST', '/v1/auth/password', {
        ws: newWorkstation('Poste pirate'),
        ip: STRANGER_IP,
        body: { identifier: 'luc.cible', password: `Devine-${randomUUID()}!` },
      });
    const checks = async () =>
      (await eventsOf(victim, 'sign_in_failed')).filter(
        (e) => (e.details as { reason?: string }).reason === 'wrong_password',
      ).length;
    // A parallel burst first (throttled attempts must count for nothing), then one attempt each time the source
    // throttle lets one through, for 24 hours of the server's clock.
    const burst = await Promise.all(Array.from({ length: 20 }, () => wrong()));
    expect(burst.every((r) => r.status === 401)).toBe(true);
    const start = env.clock.now().getTime();
    const ip = env.backend.ctx.config.ipThrottle;
    let checked = await checks();
    let step = 1000;
    let ownerAt = start;
    let ownerSignIns = 0;
    while (env.clock.now().getTime() - start < 24 * 3600_000) {
      const r = await wrong();
      expect(r.status).toBe(401);
      const now = await checks();
      step = now > checked ? Math.max(1000, throttleDelayMs(now, ip)) : Math.min(step * 2, 15 * 60_000);
      checked = now;
      env.clock.advance(step);
      if (env.clock.now().getTime() - ownerAt >= 2 * 3600_000) {
        ownerAt = env.clock.now().getTime();
        const o = await owner();
        expect(o.status, `the owner at +${Math.round((ownerAt - start) / 60_000)} min: ${o.body}`).toBe(200);
        ownerSignIns++;
        await send('POST', '/v1/session/sign-out', { ws: home, token: o.json.token as string });
      }
    }
    expect(ownerSignIns).toBeGreaterThanOrEqual(11);
    expect(await stateOf(victim)).toMatchObject({ state: 'active' });
    expect(await eventsOf(victim, 'account_blocked')).toHaveLength(0);
    expect((await owner()).status).toBe(200);
  }, 240_000);
});

describe('e-CPS requests the holder ignores or refuses', () => {
  const poll = async (ws: Workstation, id: string) => {
    for (let i = 0; i < 200; i++) {
      const r = await send('POST', '/v1/auth/ecps/poll', {
        ws,
        ip: STRANGER_IP,
        body: { transactionId: id },
      });
      if (r.json.status !== 'pending') return r;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('e-CPS never answered');
  };

  it('refused 19 times over a day, then one wrong password from a stranger: she stays active and signed in', async () => {
    const claire = seed.accounts.holder;
    const counter = newWorkstation('Comptoir de Claire 3');
    const stranger = newWorkstation('Poste pirate e-CPS');
    let token = '';
    for (let i = 0; i < 19; i++) {
      env.clock.advance(30 * 60_000);
      if (i === 17) token = await cardSignIn(counter, P.holder.nationalId);
      const s = await send('POST', '/v1/auth/ecps', {
        ws: stranger,
        ip: STRANGER_IP,
        body: { nationalId: P.holder.nationalId },
      });
      if (s.status !== 200) continue;
      const req = await psc.waitForPending((r) => r.nationalId === P.holder.nationalId);
      await psc.refuse(req.authReqId);
      expect((await poll(stranger, s.json.transactionId as string)).json.code).toBe('ECPS_REFUSED');
    }
    const pw = await send('POST', '/v1/auth/password', {
      ws: stranger,
      ip: STRANGER_IP,
      body: { identifier: P.holder.identifier, password: 'Pas-Le-Bon-2027!' },
    });
    expect(pw.json.code).toBe('INVALID_CREDENTIALS');
    expect(await stateOf(claire)).toMatchObject({ state: 'active' });
    expect(await eventsOf(claire, 'account_blocked')).toHaveLength(0);
    expect(await sessionAlive(token, counter)).toBe(true);
  }, 60_000);

  it('a request nobody answers expires on the server clock and writes nothing in her events', async () => {
    const claire = seed.accounts.holder;
    const stranger = newWorkstation('Poste pirate e-CPS 4');
    env.clock.advance(2 * 3600_000);
    const before = (await eventsOf(claire, 'sign_in_failed')).length;
    const s = await send('POST', '/v1/auth/ecps', {
      ws: stranger,
      ip: STRANGER_IP,
      body: { nationalId: P.holder.nationalId },
    });
    expect(s.status, s.body).toBe(200);
    await psc.waitForPending((r) => r.nationalId === P.holder.nationalId);
    env.clock.advance(3 * 60_000);
    const r = await send('POST', '/v1/auth/ecps/poll', {
      ws: stranger,
      ip: STRANGER_IP,
      body: { transactionId: s.json.transactionId },
    });
    expect(r.json.code).toBe('ECPS_EXPIRED');
    expect((await eventsOf(claire, 'sign_in_failed')).length).toBe(before);
    for (const p of psc.pending()) await psc.refuse(p.authReqId).catch(() => undefined);
  }, 60_000);

  it('a start for a national id without an account answers like one with, reaches no phone, and a few starts per id per hour are allowed', async () => {
    const stranger = newWorkstation('Poste pirate e-CPS 2');
    env.clock.advance(2 * 3600_000);
    const shape = (r: Awaited<ReturnType<typeof send>>) => ({
      status: r.status,
      keys: Object.keys(r.json).sort(),
      binding: /^Vigie \d{4}$/.test(String(r.json.bindingMessage)),
    });
    const known = await send('POST', '/v1/auth/ecps', {
      ws: stranger,
      ip: STRANGER_IP,
      body: { nationalId: P.holder.nationalId },
    });
    const unknown = await send('POST', '/v1/auth/ecps', {
      ws: stranger,
      ip: STRANGER_IP,
      body: { nationalId: '899700077777' },
    });
    expect(shape(unknown)).toEqual(shape(known));
    expect(shape(known)).toEqual({
      status: 200,
      keys: ['bindingMessage', 'expiresAt', 'transactionId'],
      binding: true,
    });
    await new Promise((res) => setTimeout(res, 200));
    expect(psc.pending().filter((r) => r.nationalId === '899700077777')).toHaveLength(0);
    const firstPoll = await send('POST', '/v1/auth/ecps/poll', {
      ws: stranger,
      ip: STRANGER_IP,
      body: { transactionId: unknown.json.transactionId },
    });
    expect(firstPoll.json.status).toBe('pending');
    const more = [];
    for (let i = 0; i < 4; i++) {
      more.push(
        await send('POST', '/v1/auth/ecps', {
          ws: newWorkstation('Poste pirate e-CPS 3'),
          ip: STRANGER_IP,
          body: { nationalId: P.holder.nationalId },
        }),
      );
      more.push(
        await send('POST', '/v1/auth/ecps', {
          ws: newWorkstation('Poste pirate e-CPS 3'),
          ip: STRANGER_IP,
          body: { nationalId: '899700077777' },
        }),
      );
    }
    const codes = more.map((r) => `${r.status} ${r.json.code ?? 'started'}`);
    expect(codes.slice(-2)).toEqual(['429 RATE_LIMITED', '429 RATE_LIMITED']);
    expect(codes.filter((c, i) => i % 2 === 0)).toEqual(codes.filter((c, i) => i % 2 === 1));
    for (const r of psc.pending()) await psc.refuse(r.authReqId).catch(() => undefined);
  }, 60_000);

  it('transactions live in the database and expired ones are purged', async () => {
    const n = await env.backend.db
      .selectFrom('ecps_transactions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBeGreaterThan(0);
    env.clock.advance(3 * 3600_000);
    await env.backend.jobs.run('retention');
    const left = await env.backend.db
      .selectFrom('ecps_transactions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  });
});

describe('what the unblock endpoints tell a stranger', () => {
  const KEY = { birth_date: '14/07/1979', practice_postal_code: '75011', iban_last4: '4821' };
  const WRONG_KEY = { birth_date: '01/01/1980', practice_postal_code: '69001', iban_last4: '0000' };
  /** The answer without what is random in every answer (reference, handle) or follows the clock. */
  const stable = (r: Awaited<ReturnType<typeof send>>) => {
    const { reference, handle, ...rest } = r.json as Record<string, unknown>;
    return {
      status: r.status,
      ...rest,
      reference: typeof reference === 'string' ? 'VG-…' : reference,
      handle: typeof handle,
    };
  };

  it('unknown, with a key, without a key, blocked after a report: one answer for each step', async () => {
    const withKey = await passwordAccount('anne.clef');
    await import('../unblock/security-key').then((m) =>
      m.setSecurityKey(env.backend.signin.securityKeys, withKey, KEY, env.clock.now()),
    );
    await passwordAccount('bruno.sansclef');
    const ids = [
      'anne.clef',
      'bruno.sansclef',
      P.suspicious.identifier!,
      P.accountantBlocked.identifier!,
      `inconnu.${randomUUID().slice(0, 8)}`,
    ];
    const stranger = newWorkstation('Poste pirate unblock');
    const answers: Record<string, string[]> = {};
    for (const identifier of ids) {
      const steps = [
        stable(
          await send('POST', '/v1/unblock/eligibility', {
            ws: stranger,
            ip: STRANGER_IP,
            body: { identifier },
          }),
        ),
        stable(
          await send('POST', '/v1/unblock/security-key', {
            ws: stranger,
            ip: STRANGER_IP,
            body: { identifier, answers: WRONG_KEY },
          }),
        ),
        stable(
          await send('POST', '/v1/unblock/postal-code/state', {
            ws: stranger,
            ip: STRANGER_IP,
            body: { identifier },
          }),
        ),
        stable(
          await send('POST', '/v1/unblock/postal-code/request', {
            ws: stranger,
            ip: STRANGER_IP,
            body: { identifier },
          }),
        ),
        stable(
          await send('POST', '/v1/unblock/postal-code', {
            ws: stranger,
            ip: STRANGER_IP,
            body: { identifier, code: 'ABCD-EFGH-JKMN' },
          }),
        ),
      ];
      answers[identifier] = steps.map((x) => JSON.stringify(x));
    }
    for (const identifier of ids.slice(1)) expect(answers[identifier], identifier).toEqual(answers[ids[0]!]);
  });

  it("a letter's state goes to the workstation that requested it, not to someone who knows the identifier", async () => {
    await passwordAccount('carla.lettre');
    const owner = newWorkstation('Bureau de Carla');
    const req = await send('POST', '/v1/unblock/postal-code/request', {
      ws: owner,
      body: { identifier: 'carla.lettre' },
    });
    expect(req.json).toMatchObject({ status: 'requested', handle: expect.any(String) });
    const mine = await send('POST', '/v1/unblock/postal-code/state', {
      ws: owner,
      body: { handle: req.json.handle },
    });
    expect(mine.json).toMatchObject({ status: 'requested', reference: req.json.reference });
    const stranger = newWorkstation('Poste pirate lettre');
    const theirs = await send('POST', '/v1/unblock/postal-code/state', {
      ws: stranger,
      ip: STRANGER_IP,
      body: { identifier: 'carla.lettre' },
    });
    expect(theirs.json).toMatchObject({ status: 'none', reference: null, requestedAt: null });
    const stolen = await send('POST', '/v1/unblock/postal-code/state', {
      ws: stranger,
      ip: STRANGER_IP,
      body: { handle: req.json.handle },
    });
    expect(stolen.json).toMatchObject({ status: 'none', reference: null });
  });
});

describe('strangers and a postal code in the post', () => {
  it('30 wrong codes from several sources neither void the code nor stop the owner; a new request keeps the letter in the post valid', async () => {
    const { readLetter } = await import('../unblock/letter-reader');
    const dana = await passwordAccount('dana.courrier');
    const owner = newWorkstation('Bureau de Dana');
    const req = await send('POST', '/v1/unblock/postal-code/request', {
      ws: owner,
      body: { identifier: 'dana.courrier' },
    });
    const letter = await readLetter(join(letters, 'letters', `${req.json.reference as string}.pdf`));
    for (let i = 0; i < 30; i++) {
      const r = await send('POST', '/v1/unblock/postal-code', {
        ws: newWorkstation('Poste pirate code'),
        ip: `203.0.113.${10 + (i % 5)}`,
        body: { identifier: 'dana.courrier', code: `WRONG${String(i).padStart(2, '0')}ABCDEF` },
      });
      expect(r.json.code).toBe('POSTAL_CODE_WRONG');
    }
    // Two days later a stranger asks for another letter: the one in the post stays valid.
    env.clock.advance(49 * 3600_000);
    await send('POST', '/v1/unblock/postal-code/request', {
      ws: newWorkstation('Poste pirate code'),
      ip: STRANGER_IP,
      body: { identifier: 'dana.courrier' },
    });
    env.clock.advance(61_000);
    const ok = await send('POST', '/v1/unblock/postal-code', {
      ws: owner,
      body: { identifier: 'dana.courrier', code: letter.code },
    });
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json.ticket).toEqual(expect.any(String));
    expect((await eventsOf(dana, 'postal_code_verified')).length).toBe(1);
  });
});

describe('small abuses', () => {
  it('expired workstation challenges are purged by the retention job', async () => {
    for (let i = 0; i < 5; i++)
      expect((await send('POST', '/v1/workstations/challenge', { ip: STRANGER_IP })).status).toBe(200);
    env.clock.advance(2 * 3600_000);
    await env.backend.jobs.run('retention');
    const left = await env.backend.db
      .selectFrom('workstation_challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('expires_at', '<', env.clock.now())
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  });

  it("a refusal never writes the client's label in the victim's events; labels with format characters are refused", async () => {
    await passwordAccount('eve.label');
    const bidi = { id: randomUUID(), label: 'Comptoir \u202Eevil' };
    const r = await send('POST', '/v1/auth/password', {
      ws: bidi,
      ip: STRANGER_IP,
      body: { identifier: 'eve.label', password: 'Faux-Mot-2027!' },
    });
    expect([r.status, r.json.code]).toEqual([400, 'INVALID_REQUEST']);
    const fake = newWorkstation('Poste du titulaire');
    await send('POST', '/v1/auth/password', {
      ws: fake,
      ip: STRANGER_IP,
      body: { identifier: 'eve.label', password: 'Faux-Mot-2027!' },
    });
    const id = (
      await env.backend.db
        .selectFrom('accounts')
        .select('id')
        .where('identifier', '=', 'eve.label')
        .executeTakeFirstOrThrow()
    ).id;
    const [failed] = await eventsOf(id, 'sign_in_failed');
    expect(failed).toMatchObject({ workstation_label: 'poste inconnu', workstation_id: fake.id });
  });

  it('guessing the current password from a session is throttled like a sign-in', async () => {
    await passwordAccount('felix.session');
    const ws = newWorkstation('Poste de Félix');
    const s = await send('POST', '/v1/auth/password', {
      ws,
      body: { identifier: 'felix.session', password: DEMO_PASSWORD },
    });
    expect(s.status, s.body).toBe(200);
    const change = (currentPassword: string) =>
      send('POST', '/v1/auth/password/change', {
        ws,
        token: s.json.token as string,
        body: { currentPassword, newPassword: 'Glycine-Ombelle-Pivoine-93!' },
      });
    for (let i = 0; i < 6; i++)
      expect((await change(`Devine-${i}-2027!`)).json.code).toBe('INVALID_CREDENTIALS');
    // Throttled now: even the right password is refused unchecked.
    expect((await change(DEMO_PASSWORD)).json.code).toBe('INVALID_CREDENTIALS');
    env.clock.advance(16 * 60_000);
    const s2 = await send('POST', '/v1/auth/password', {
      ws,
      body: { identifier: 'felix.session', password: DEMO_PASSWORD },
    });
    const ok = await send('POST', '/v1/auth/password/change', {
      ws,
      token: s2.json.token as string,
      body: { currentPassword: DEMO_PASSWORD, newPassword: 'Glycine-Ombelle-Pivoine-93!' },
    });
    expect(ok.status, ok.body).toBe(200);
  });
});

describe('a phisher who holds the password, guessing the second step for 24 hours', () => {
  /** A password delegate whose second factor is an authenticator app with this secret. */
  async function totpAccount(identifier: string, secret: string) {
    const id = await passwordAccount(identifier);
    await env.backend.db
      .insertInto('second_factors')
      .values({
        account_id: id,
        kind: 'totp',
        totp_secret: sealSecret(secret),
        last_step: null,
        enrolled_at: env.clock.now(),
      })
      .execute();
    return id;
  }

  it('from fresh workstations and addresses he gets a few dozen codes checked in a day, and the owner signs in on her workstation all along', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const victim = await totpAccount('eve.cible', secret);
    const home = keyedWorkstation('Bureau d’Ève');
    await registerWorkstation(home);
    const passwordStep = async (ws: Workstation, ip: string) => {
      const r = await send('POST', '/v1/auth/password', {
        ws,
        ip,
        body: { identifier: 'eve.cible', password: DEMO_PASSWORD },
      });
      expect(r.status, r.body).toBe(200);
      return (r.json.secondStep as { ticket: string }).ticket;
    };
    const owner = async () => {
      const ticket = await passwordStep(home, OWNER_IP);
      const r = await send('POST', '/v1/auth/second-factor', {
        ws: home,
        body: { ticket, method: 'totp', code: totpCode(secret, env.clock.now()) },
      });
      expect(r.status, r.body).toBe(200);
      await send('POST', '/v1/session/sign-out', { ws: home, token: r.json.token as string });
    };
    // A code none of the app's three current windows gives: every guess is wrong, so each checked one is an event.
    const wrongCode = (i: number) => {
      const now = env.clock.now().getTime();
      const near = new Set([-30_000, 0, 30_000].map((d) => totpCode(secret, new Date(now + d))));
      let c = String((123_457 * (i + 1)) % 1_000_000).padStart(6, '0');
      while (near.has(c)) c = String((Number(c) + 1) % 1_000_000).padStart(6, '0');
      return c;
    };
    await owner();
    // One guess every 5 minutes for 24 hours of the server's clock, each from a fresh workstation and address (so
    // the per-source throttles never bite), the owner signing in every 4 hours on her registered workstation.
    for (let i = 0; i < 288; i++) {
      const ws = newWorkstation('Poste pirate');
      const ip = `203.0.${113 + (i % 2)}.${1 + ((i >> 1) % 250)}`;
      const ticket = await passwordStep(ws, ip);
      const r = await send('POST', '/v1/auth/second-factor', {
        ws,
        ip,
        body: { ticket, method: 'totp', code: wrongCode(i) },
      });
      expect(r.status).toBe(401);
      if (i % 48 === 47) await owner();
      env.clock.advance(5 * 60_000);
    }
    const checked = (await eventsOf(victim, 'second_factor_failed')).length;
    // 20 in the first hours, then one an hour: about 40 (a guess every 5 minutes would otherwise be 288 checked).
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(checked).toBeLessThanOrEqual(45);
    expect(await stateOf(victim)).toMatchObject({ state: 'active' });
  });

  it("the owner's sign-in from a workstation without a keychain does not hand the stranger a fresh day of guesses", async () => {
    const secret = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
    const victim = await totpAccount('yves.cible', secret);
    const attempt = async (ws: Workstation, ip: string, code: string) => {
      const r = await send('POST', '/v1/auth/password', {
        ws,
        ip,
        body: { identifier: 'yves.cible', password: DEMO_PASSWORD },
      });
      expect(r.status, r.body).toBe(200);
      const ticket = (r.json.secondStep as { ticket: string }).ticket;
      return send('POST', '/v1/auth/second-factor', { ws, ip, body: { ticket, method: 'totp', code } });
    };
    const wrong = () => (totpCode(secret, env.clock.now()) === '000000' ? '000001' : '000000');
    const checked = async () => (await eventsOf(victim, 'second_factor_failed')).length;
    // The stranger fills the counter of places other than a registered workstation: 20 wrong codes.
    for (let i = 0; i < 20; i++) {
      expect((await attempt(newWorkstation('Poste pirate'), `203.0.113.${100 + i}`, wrong())).status).toBe(
        401,
      );
      env.clock.advance(5 * 60_000);
    }
    expect(await checked()).toBe(20);
    // An hour later the owner signs in from her laptop, which has no keychain (it shares that counter).
    env.clock.advance(61 * 60_000);
    const laptop = newWorkstation('Portable d’Yves');
    const mine = await attempt(laptop, OWNER_IP, totpCode(secret, env.clock.now()));
    expect(mine.status, mine.body).toBe(200);
    await send('POST', '/v1/session/sign-out', { ws: laptop, token: mine.json.token as string });
    // The stranger's next guess waits its hour: it is not checked.
    expect((await attempt(newWorkstation('Poste pirate'), '203.0.113.200', wrong())).status).toBe(401);
    expect(await checked()).toBe(20);
  });

  it('an owner without a keychain who signs in every half hour all day is never kept waiting by her own right codes', async () => {
    const secret = 'MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK';
    await totpAccount('zoe.cible', secret);
    const laptop = newWorkstation('Portable de Zoé');
    for (let i = 0; i < 25; i++) {
      const r = await send('POST', '/v1/auth/password', {
        ws: laptop,
        ip: OWNER_IP,
        body: { identifier: 'zoe.cible', password: DEMO_PASSWORD },
      });
      const ticket = (r.json.secondStep as { ticket: string }).ticket;
      const ok = await send('POST', '/v1/auth/second-factor', {
        ws: laptop,
        ip: OWNER_IP,
        body: { ticket, method: 'totp', code: totpCode(secret, env.clock.now()) },
      });
      expect(ok.status, `sign-in ${i + 1}: ${ok.body}`).toBe(200);
      await send('POST', '/v1/session/sign-out', { ws: laptop, token: ok.json.token as string });
      env.clock.advance(30 * 60_000);
    }
  });
});
