/**
 * Someone who took over an account (a session left open, a password seen at the counter) tries to keep it: plant a
 * security key with the session alone and reset the password with it later from anywhere, reset a holder's password
 * while the holder still has her card, or sign in with the old password after the owner reported him.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestPki, type TestPki } from '../../card-sim/pki';
import { signLikeCps3 } from '../auth/card/test-pki';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { blockAccounts, BLOCK_EXPLANATION_INACTIVITY, createAccount } from '../accounts/accounts';
import { setSecurityKey } from '../unblock/security-key';
import { call, newWorkstation, startTestEnv, type TestEnv, type Workstation } from './harness';

const P = DEMO_PEOPLE;
const KEY = { birth_date: '14/07/1979', practice_postal_code: '75011', iban_last4: '4821' };
const THIEF_KEY = { birth_date: '01/01/1990', practice_postal_code: '13001', iban_last4: '9999' };
const THIEF_PASSWORD = 'Marmotte-Brouillard-Carillon-71!';
const OWNER_PASSWORD = 'Glycine-Ombelle-Pivoine-93!';

let env: TestEnv;
let seed: SeedResult;
let pki: TestPki;
let letters: string;
const counter = newWorkstation('Comptoir 1');
const thiefWs = newWorkstation('Portable');

beforeAll(async () => {
  pki = await loadTestPki();
  letters = mkdtempSync(join(tmpdir(), 'vigie-letters-'));
  env = await startTestEnv({
    now: new Date().toISOString(),
    backend: {
      signin: {
        cardAuth: {
          trustPemFiles: [join(pki.dir, 'root.pem'), join(pki.dir, 'intermediate.pem')],
          crlFiles: [join(pki.dir, 'crl.pem')],
        },
        lettersDir: letters,
      },
    },
  });
  seed = await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
}, 120_000);

afterAll(async () => {
  await env?.close();
  rmSync(letters, { recursive: true, force: true });
});

const password = (identifier: string, pw: string, w: Workstation = thiefWs) =>
  call(env, 'POST', '/v1/auth/password', { ws: w, body: { identifier, password: pw } });

async function claireCardSession(w: Workstation = counter) {
  const ch = (await call(env, 'POST', '/v1/auth/card/challenge', { ws: w })).json.challenge as string;
  const card = pki.holders[P.holder.nationalId]!;
  const der = Buffer.from(card.authCertPem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
  const r = await call(env, 'POST', '/v1/auth/card', {
    ws: w,
    body: {
      challenge: ch,
      signature: signLikeCps3(card.authKeyPem, Buffer.from(ch, 'base64url')).toString('base64'),
      certificate: der.toString('base64'),
      cardSerial: '2900012345',
    },
  });
  expect(r.status, r.body).toBe(200);
  return r.json.token as string;
}

/** Resets a password with the security key, as the unblock wizard does; the status of each step. */
async function resetWithKey(identifier: string, answers: Record<string, string>, newPassword: string) {
  const k = await call(env, 'POST', '/v1/unblock/security-key', {
    ws: thiefWs,
    body: { identifier, answers },
  });
  if (k.status !== 200) return { key: k, set: null };
  const set = await call(env, 'POST', '/v1/unblock/password', {
    ws: thiefWs,
    body: { ticket: k.json.ticket, newPassword },
  });
  return { key: k, set };
}

const subjectsTo = async (email: string) =>
  (await env.deliver()).filter((m) => m.to.includes(email)).map((m) => m.subject);

describe('planting a security key', () => {
  it('a session alone does not set or replace the security key: it takes the current password', async () => {
    const id = P.accountantSoon.identifier;
    const s = await password(id, DEMO_PASSWORD);
    expect(s.status, s.body).toBe(200);
    const token = s.json.token as string;
    // The thief's key, with the session only: refused, and nothing recorded.
    const planted = await call(env, 'POST', '/v1/me/security-key', {
      ws: thiefWs,
      token,
      body: { answers: THIEF_KEY },
    });
    expect(planted.status).toBe(403);
    expect(planted.json.code).toBe('FRESH_PROOF_REQUIRED');
    const wrong = await call(env, 'POST', '/v1/me/security-key', {
      ws: thiefWs,
      token,
      body: { answers: THIEF_KEY, currentPassword: 'Pas-Le-Bon-Mot-De-Passe-1!' },
    });
    expect(wrong.json.code).toBe('INVALID_CREDENTIALS');
    expect((await resetWithKey(id, THIEF_KEY, THIEF_PASSWORD)).key.json.code).toBe('SECURITY_KEY_WRONG');
    // With the current password, the key is recorded.
    const own = await call(env, 'POST', '/v1/me/security-key', {
      ws: thiefWs,
      token,
      body: { answers: KEY, currentPassword: DEMO_PASSWORD },
    });
    expect(own.status, own.body).toBe(200);
  });

  it('a card sign-in is a fresh proof for a few minutes only', async () => {
    const token = await claireCardSession();
    const now = await call(env, 'POST', '/v1/me/security-key', {
      ws: counter,
      token,
      body: { answers: KEY },
    });
    expect(now.status, now.body).toBe(200);
    env.clock.advance(6 * 60_000);
    const later = await call(env, 'POST', '/v1/me/security-key', {
      ws: counter,
      token,
      body: { answers: THIEF_KEY },
    });
    expect(later.json.code).toBe('FRESH_PROOF_REQUIRED');
  });
});

describe('resetting a password with the security key', () => {
  it('the owner of an active account is told: password changed, security key used', async () => {
    const nadia = P.suspicious;
    await env.backend.db
      .updateTable('accounts')
      .set({ state: 'active', block_reason: null, suspicion_cause: null })
      .where('id', '=', seed.accounts.suspicious)
      .execute();
    await setSecurityKey(
      env.backend.signin.securityKeys,
      seed.accounts.suspicious,
      KEY,
      env.clock.now(),
      env.backend.signin.fields,
    );
    await env.deliver();
    const r = await resetWithKey(nadia.identifier, KEY, THIEF_PASSWORD);
    expect(r.set?.status, r.set?.body).toBe(200);
    expect(await subjectsTo(nadia.email)).toEqual(
      expect.arrayContaining([
        'Le mot de passe de votre compte amelipro a été changé',
        'Clé de sécurité utilisée sur votre compte amelipro',
      ]),
    );
  });

  it("a holder's security key does not reset her password while her account is active (she has her card)", async () => {
    await setSecurityKey(
      env.backend.signin.securityKeys,
      seed.accounts.holder,
      KEY,
      env.clock.now(),
      env.backend.signin.fields,
    );
    const active = await resetWithKey(P.holder.identifier, KEY, THIEF_PASSWORD);
    expect(active.key.json.code).toBe('SECURITY_KEY_WRONG');
    expect((await password(P.holder.identifier, DEMO_PASSWORD, counter)).status).toBe(200);
    // Blocked, the key is one of her ways out.
    await env.backend.db.transaction().execute(async (trx) => {
      const a = await trx
        .selectFrom('accounts')
        .select(['id', 'display_name', 'email'])
        .where('id', '=', seed.accounts.holder)
        .forUpdate()
        .executeTakeFirstOrThrow();
      await blockAccounts(trx, [a], 'inactivity', BLOCK_EXPLANATION_INACTIVITY, env.clock.now());
    });
    const blocked = await resetWithKey(P.holder.identifier, KEY, OWNER_PASSWORD);
    expect(blocked.set?.status, blocked.set?.body).toBe(200);
  });
});

/** A password delegate of the demo pharmacy, with a security key the thief may know (it is personal data). */
async function newDelegate(identifier: string) {
  const now = env.clock.now();
  const id = await env.backend.db.transaction().execute(async (trx) => {
    const a = await createAccount(
      trx,
      {
        pharmacyId: seed.pharmacyId,
        kind: 'password_delegate',
        displayName: 'Inès VALLET',
        identifier,
        email: `${identifier}@demo.vigie.invalid`,
        passwordHash: await env.backend.hasher.hash(DEMO_PASSWORD),
      },
      now,
      env.backend.ctx.config,
    );
    await trx
      .insertInto('delegations')
      .values({
        holder_account_id: seed.accounts.holder,
        delegate_account_id: a,
        granted_at: now,
        granted_by: seed.accounts.holder,
        revoked_at: null,
        revoked_by: null,
      })
      .execute();
    return a;
  });
  await setSecurityKey(env.backend.signin.securityKeys, id, KEY, now, env.backend.signin.fields);
  return id;
}

describe('after « Je ne reconnais pas cette activité » without a block', () => {
  it('the thief who knows the old password gets nothing; the holder gives the delegate a fresh start', async () => {
    const identifier = 'ines.vallet';
    const email = `${identifier}@demo.vigie.invalid`;
    const ines = await newDelegate(identifier);
    // The thief signs in with the password he saw; the owner sees it in her events and reports it.
    const first = await password(identifier, DEMO_PASSWORD, thiefWs);
    expect(first.status).toBe(200);
    await call(env, 'POST', '/v1/session/sign-out', { ws: thiefWs, token: first.json.token as string });
    const own = await password(identifier, DEMO_PASSWORD, counter);
    expect(own.status, own.body).toBe(200);
    const token = own.json.token as string;
    const ev = await call(env, 'GET', '/v1/events?type=sign_in&limit=2', { ws: counter, token });
    expect(ev.status, ev.body).toBe(200);
    const eventId = (ev.json.events as { id: number }[])[1]!.id;
    const report = await call(env, 'POST', '/v1/reports', {
      ws: counter,
      token,
      body: { eventId, blockAccount: false },
    });
    expect(report.status, report.body).toBe(200);
    expect((await call(env, 'GET', '/v1/session', { ws: counter, token })).json.code).toBe('SESSION_REVOKED');

    // The old password opens nothing, not even a password-change session: the same answer as a wrong password.
    const thief = await password(identifier, DEMO_PASSWORD, thiefWs);
    expect(thief.status, thief.body).toBe(401);
    expect(thief.json.code).toBe('INVALID_CREDENTIALS');
    expect(thief.json.token).toBeUndefined();
    // Nor does the security key (personal data the thief may know).
    expect((await resetWithKey(identifier, KEY, THIEF_PASSWORD)).set).toBeNull();
    expect((await password(identifier, THIEF_PASSWORD, thiefWs)).status).toBe(401);

    // The holder, from a password session, cannot send a fresh start; from her card session she can.
    // (her password is the one she chose with her key above)
    const holderPw = await password(P.holder.identifier, OWNER_PASSWORD, counter);
    expect(holderPw.status, holderPw.body).toBe(200);
    const refused = await call(env, 'POST', '/v1/pharmacy/fresh-start', {
      ws: counter,
      token: holderPw.json.token as string,
      body: { accountId: ines },
    });
    expect(refused.json.code).toBe('FRESH_PROOF_REQUIRED');
    await env.deliver();
    const card = await claireCardSession();
    const sent = await call(env, 'POST', '/v1/pharmacy/fresh-start', {
      ws: counter,
      token: card,
      body: { accountId: ines },
    });
    expect(sent.status, sent.body).toBe(200);
    const mail = (await env.deliver()).find((m) => m.to.includes(email))!;
    expect(mail.subject).toBe('Votre code pour choisir un nouveau mot de passe amelipro');
    const code = /Votre code : (\S+)/.exec(mail.text)![1]!;

    // A wrong code does nothing; the mailed code sets the new password once.
    const wrong = await call(env, 'POST', '/v1/unblock/fresh-start', {
      ws: thiefWs,
      body: { identifier, code: 'AAAA-BBBB-CCCC', newPassword: THIEF_PASSWORD },
    });
    expect(wrong.status).toBe(401);
    const used = await call(env, 'POST', '/v1/unblock/fresh-start', {
      ws: counter,
      body: { identifier, code, newPassword: OWNER_PASSWORD },
    });
    expect(used.status, used.body).toBe(200);
    const again = await call(env, 'POST', '/v1/unblock/fresh-start', {
      ws: thiefWs,
      body: { identifier, code, newPassword: THIEF_PASSWORD },
    });
    expect(again.status).toBe(401);
    const back = await password(identifier, OWNER_PASSWORD, counter);
    expect(back.status, back.body).toBe(200);
    expect(back.json.passwordChangeRequired).toBe(false);
    expect((await password(identifier, DEMO_PASSWORD, thiefWs)).status).toBe(401);
    const types = (
      await env.backend.db.selectFrom('events').select('type').where('account_id', '=', ines).execute()
    ).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'fresh_start_sent',
        'fresh_start_failed',
        'fresh_start_used',
        'password_changed',
      ]),
    );
    const cases = await env.backend.db
      .selectFrom('report_cases')
      .select('status')
      .where('account_id', '=', ines)
      .execute();
    expect(cases.map((c) => c.status)).toEqual(['closed']);
  });
});
