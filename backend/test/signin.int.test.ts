/**
 * Card and e-CPS sign-in, the unblock paths, the suspicious-activity rules and report cases, through the HTTP API
 * of a real backend (PGlite and PostgreSQL), with the card-sim test PKI (the cards' keys sign the challenges as a
 * CPS3 does), the PSC sandbox (real oidc-provider) and the letters read back from the PDF in the outbox.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestPki, type TestPki } from '../../card-sim/pki';
import { workstationRegistrationMessage } from '../../domain/backend-api';
import { makeMiniPki, signLikeCps3, type MiniPki } from '../auth/card/test-pki';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { startPscSandbox, type PscSandbox } from '../auth/ecps/sandbox';
import { verifyChain } from '../events/chain';
import { BLOCK_EXPLANATION_INACTIVITY, blockAccounts, createAccount } from '../accounts/accounts';
import { readLetter } from '../unblock/letter-reader';
import { setSecurityKey } from '../unblock/security-key';
import { markLetterPrinted } from '../unblock/postal-path';
import { call, newWorkstation, startTestEnv, type TestEnv, type Workstation } from './harness';
import { proofHeaders } from './proofs';

const P = DEMO_PEOPLE;
const NEW_PASSWORD = 'Glycine-Ombelle-Pivoine-93!';
const KEY = { birth_date: '14/07/1979', practice_postal_code: '75011', iban_last4: '4821' };

let env: TestEnv;
let seed: SeedResult;
let pki: TestPki;
let mini: MiniPki;
let psc: PscSandbox;
let letters: string;
const ws = newWorkstation('Comptoir 1');
const ws2 = newWorkstation('Bureau');
const extra: Record<string, string> = {};

beforeAll(async () => {
  pki = await loadTestPki();
  mini = await makeMiniPki();
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
  const now = env.clock.now();
  seed = await seedDemo(env.backend.db, now, env.backend.ctx.config);
  // Two more card holders of the pharmacy: one whose card the CRL lists, one with the same national id as a card
  // from a CA nobody trusts.
  await env.backend.db.transaction().execute(async (trx) => {
    for (const [key, nationalId, name] of [
      ['revoked', '899700099991', 'Paul REVOQUE'],
      ['foreign', '899700054321', 'Sophie DURAND'],
    ] as const) {
      extra[key] = await createAccount(
        trx,
        {
          pharmacyId: seed.pharmacyId,
          kind: 'card_delegate',
          displayName: name,
          nationalId,
          email: `${key}@demo.vigie.invalid`,
        },
        now,
        env.backend.ctx.config,
      );
      await trx
        .insertInto('delegations')
        .values({
          holder_account_id: seed.accounts.holder,
          delegate_account_id: extra[key]!,
          granted_at: now,
          granted_by: seed.accounts.holder,
          revoked_at: null,
          revoked_by: null,
        })
        .execute();
    }
  });
}, 120_000);

afterAll(async () => {
  await env?.close();
  await psc?.close();
  rmSync(letters, { recursive: true, force: true });
});

async function block(accountId: string) {
  const now = env.clock.now();
  await env.backend.db.transaction().execute(async (trx) => {
    const a = await trx
      .selectFrom('accounts')
      .select(['id', 'display_name', 'email'])
      .where('id', '=', accountId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await blockAccounts(trx, [a], 'inactivity', BLOCK_EXPLANATION_INACTIVITY, now);
  });
}
const stateOf = (id: string) =>
  env.backend.db
    .selectFrom('accounts')
    .select(['state', 'block_reason', 'block_explanation', 'suspicion_cause'])
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

const securityLogOf = (subject: string) =>
  env.backend.db
    .selectFrom('security_log')
    .selectAll()
    .where('subject', '=', subject)
    .orderBy('id', 'desc')
    .execute();

async function challenge(w: Workstation = ws) {
  const r = await call(env, 'POST', '/v1/auth/card/challenge', { ws: w });
  expect(r.status).toBe(200);
  return r.json.challenge as string;
}
const cardOf = (nationalId: string) => pki.holders[nationalId]!;
function signed(ch: string, keyPem: string, certPem: string, o: { tamper?: boolean } = {}) {
  const sig = signLikeCps3(keyPem, Buffer.from(ch, 'base64url'));
  if (o.tamper) sig[20] = sig[20]! ^ 0x01;
  const der = Buffer.from(certPem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
  return {
    challenge: ch,
    signature: sig.toString('base64'),
    certificate: der.toString('base64'),
    cardSerial: '2900012345',
  };
}
const claireCard = (ch: string, o: { tamper?: boolean } = {}) =>
  signed(ch, cardOf(P.holder.nationalId).authKeyPem, cardOf(P.holder.nationalId).authCertPem, o);
const signInCard = (body: unknown, w: Workstation = ws) =>
  call(env, 'POST', '/v1/auth/card', { ws: w, body });
interface Keyed extends Workstation {
  privateKey: KeyObject;
}
/** A workstation that registered its key (challenge, signature) and proves its sign-in requests. */
async function registeredWorkstation(label: string): Promise<Keyed> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const w = { ...newWorkstation(label), privateKey };
  const c = await call(env, 'POST', '/v1/workstations/challenge', { ws: w });
  const unsigned = {
    workstationId: w.id,
    label,
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    challenge: c.json.challenge as string,
  };
  const signature = sign(null, Buffer.from(workstationRegistrationMessage(unsigned)), privateKey).toString(
    'base64',
  );
  expect(
    (await call(env, 'POST', '/v1/workstations/register', { ws: w, body: { ...unsigned, signature } }))
      .status,
  ).toBe(200);
  return w;
}
function provenPassword(identifier: string, pw: string, w: Keyed) {
  const body = { identifier, password: pw };
  const headers = proofHeaders(w, env.clock.now(), 'POST', '/v1/auth/password', body);
  return call(env, 'POST', '/v1/auth/password', { ws: w, body, headers });
}
const password = (identifier: string, pw: string, w: Workstation = ws) =>
  call(env, 'POST', '/v1/auth/password', { ws: w, body: { identifier, password: pw } });

describe('card sign-in', () => {
  it('a blocked holder signs in with her card: active again, unblock and sign-in logged with the card, e-mailed', async () => {
    await block(seed.accounts.holder);
    expect(await stateOf(seed.accounts.holder)).toMatchObject({
      state: 'blocked',
      block_reason: 'inactivity',
    });
    await env.deliver();
    const r = await signInCard(claireCard(await challenge()));
    expect(r.status, r.body).toBe(200);
    expect(r.json).toMatchObject({
      account: { displayName: 'Claire MARTIN', kind: 'holder' },
      passwordChangeRequired: false,
    });
    expect(await stateOf(seed.accounts.holder)).toMatchObject({ state: 'active', block_reason: null });
    const status = await call(env, 'GET', '/v1/me/status', { ws, token: r.json.token as string });
    expect(status.json).toMatchObject({
      state: 'active',
      lastActivity: { method: 'card', workstationLabel: 'Comptoir 1' },
    });
    const [unblocked] = await eventsOf(seed.accounts.holder, 'account_unblocked');
    expect(unblocked).toMatchObject({
      method: 'card',
      outcome: 'success',
      card_serial: '2900012345',
      details: { previousReason: 'inactivity' },
    });
    const [signIn] = await eventsOf(seed.accounts.holder, 'sign_in');
    expect(signIn).toMatchObject({
      method: 'card',
      card_serial: '2900012345',
      workstation_label: 'Comptoir 1',
    });
    const mails = (await env.deliver()).filter((m) => m.to.includes(P.holder.email));
    expect(mails.map((m) => m.subject)).toEqual(
      expect.arrayContaining([
        'Votre compte amelipro est débloqué',
        'Nouvelle connexion à votre compte amelipro',
      ]),
    );
    expect(mails.find((m) => m.subject.includes('débloqué'))!.text).toContain('avec votre carte CPS');
  });

  it('refuses a replayed challenge with CHALLENGE_REPLAYED, in the security log only', async () => {
    const body = claireCard(await challenge());
    expect((await signInCard(body)).status).toBe(200);
    const again = await signInCard(body);
    expect(again.status).toBe(401);
    expect(again.json.code).toBe('CHALLENGE_REPLAYED');
    expect(
      (await eventsOf(seed.accounts.holder, 'sign_in_failed')).filter(
        (e) => e.details.reason === 'CHALLENGE_REPLAYED',
      ),
    ).toHaveLength(0);
    expect((await securityLogOf(P.holder.nationalId))[0]).toMatchObject({
      kind: 'card_sign_in_refused',
      method: 'card',
      details: { reason: 'CHALLENGE_REPLAYED' },
      workstation_id: ws.id,
    });
  });

  it('refuses an expired challenge with CHALLENGE_EXPIRED', async () => {
    const ch = await challenge();
    env.clock.advance(3 * 60_000);
    const r = await signInCard(claireCard(ch));
    expect(r.json.code).toBe('CHALLENGE_EXPIRED');
    expect((await securityLogOf(P.holder.nationalId))[0]).toMatchObject({
      details: { reason: 'CHALLENGE_EXPIRED' },
    });
  });

  it('refuses a challenge issued to another workstation with CHALLENGE_FOREIGN', async () => {
    const r = await signInCard(claireCard(await challenge(ws2)), ws);
    expect(r.json.code).toBe('CHALLENGE_FOREIGN');
    expect((await securityLogOf(P.holder.nationalId))[0]).toMatchObject({
      details: { reason: 'CHALLENGE_FOREIGN' },
    });
  });

  it('refuses a certificate from another CA with CERT_UNTRUSTED, in the security log, not on the account it names', async () => {
    const r = await signInCard(signed(await challenge(), mini.foreign.keyPem, mini.foreign.certPem));
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('CERT_UNTRUSTED');
    expect(await eventsOf(extra.foreign!, 'sign_in_failed')).toHaveLength(0);
    expect((await securityLogOf('899700054321'))[0]).toMatchObject({
      method: 'card',
      details: { reason: 'CERT_UNTRUSTED', cardPresent: false },
    });
    expect(await eventsOf(extra.foreign!, 'sign_in')).toHaveLength(0);
  });

  it('refuses a revoked certificate with CERT_REVOKED; the real card was there, so the account shows it', async () => {
    const c = cardOf('899700099991');
    const r = await signInCard(signed(await challenge(), c.authKeyPem, c.authCertPem));
    expect(r.json.code).toBe('CERT_REVOKED');
    expect((await eventsOf(extra.revoked!, 'sign_in_failed'))[0]).toMatchObject({
      method: 'card',
      details: { reason: 'CERT_REVOKED' },
      workstation_label: 'poste inconnu',
    });
  });

  it('refuses a wrong signature with SIGNATURE_INVALID, and a signature by another card', async () => {
    const r = await signInCard(claireCard(await challenge(), { tamper: true }));
    expect(r.json.code).toBe('SIGNATURE_INVALID');
    const julien = cardOf(P.employee.nationalId);
    const ch = await challenge();
    const other = {
      ...claireCard(ch),
      signature: signLikeCps3(julien.authKeyPem, Buffer.from(ch, 'base64url')).toString('base64'),
    };
    expect((await signInCard(other)).json.code).toBe('SIGNATURE_INVALID');
    expect(
      (await eventsOf(seed.accounts.holder, 'sign_in_failed')).filter(
        (e) => e.details.reason === 'SIGNATURE_INVALID',
      ),
    ).toHaveLength(0);
    expect((await securityLogOf(P.holder.nationalId))[0]).toMatchObject({
      details: { reason: 'SIGNATURE_INVALID', cardPresent: false },
    });
  });
});

describe('e-CPS sign-in through the PSC sandbox', () => {
  async function ecps(nationalId: string, answer: 'approve' | 'refuse') {
    const start = await call(env, 'POST', '/v1/auth/ecps', { ws, body: { nationalId } });
    expect(start.status, start.body).toBe(200);
    expect(start.json.bindingMessage).toMatch(/^Vigie \d{4}$/);
    const id = start.json.transactionId as string;
    const first = await call(env, 'POST', '/v1/auth/ecps/poll', { ws, body: { transactionId: id } });
    expect(first.json).toMatchObject({ status: 'pending', bindingMessage: start.json.bindingMessage });
    // Another workstation cannot take the session.
    expect(
      (await call(env, 'POST', '/v1/auth/ecps/poll', { ws: ws2, body: { transactionId: id } })).json.code,
    ).toBe('NOT_FOUND');
    const req = await psc.waitForPending((r) => r.nationalId === nationalId);
    expect(req).toMatchObject({
      channel: 'MOBILE',
      acrValues: 'eidas1',
      bindingMessage: start.json.bindingMessage,
    });
    await (answer === 'approve' ? psc.approve(req.authReqId) : psc.refuse(req.authReqId));
    for (let i = 0; i < 100; i++) {
      const r = await call(env, 'POST', '/v1/auth/ecps/poll', { ws, body: { transactionId: id } });
      if (r.json.status !== 'pending') return { r, id };
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('e-CPS never answered');
  }

  it('a blocked card delegate signs in with e-CPS: active again, logged as e-CPS; the session is handed out once', async () => {
    await block(seed.accounts.employee);
    const { r, id } = await ecps(P.employee.nationalId, 'approve');
    expect(r.status, r.body).toBe(200);
    expect(r.json).toMatchObject({
      status: 'approved',
      session: { account: { displayName: 'Julien PETIT' } },
    });
    expect(await stateOf(seed.accounts.employee)).toMatchObject({ state: 'active' });
    expect((await eventsOf(seed.accounts.employee, 'account_unblocked'))[0]).toMatchObject({
      method: 'ecps',
    });
    expect((await eventsOf(seed.accounts.employee, 'sign_in'))[0]).toMatchObject({
      method: 'ecps',
      details: { acr: 'eidas1' },
    });
    expect(
      (await call(env, 'POST', '/v1/auth/ecps/poll', { ws, body: { transactionId: id } })).json.code,
    ).toBe('ECPS_EXPIRED');
  });

  it('a refusal on the phone answers ECPS_REFUSED and is logged as a failed e-CPS sign-in', async () => {
    const { r } = await ecps(P.holder.nationalId, 'refuse');
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('ECPS_REFUSED');
    expect((await eventsOf(seed.accounts.holder, 'sign_in_failed'))[0]).toMatchObject({
      method: 'ecps',
      details: { reason: 'ecps_refused' },
    });
  });
});

describe('security key', () => {
  it('a blocked accountant: 3 wrong tries, the fourth held back even when right; a minute later the key, a new password, active', async () => {
    const marc = seed.accounts.accountantBlocked;
    const now = env.clock.now();
    expect(await setSecurityKey(env.backend.signin.securityKeys, marc, KEY, now)).toEqual({ ok: true });
    const blocked = await password(P.accountantBlocked.identifier, DEMO_PASSWORD);
    expect(blocked.json).toMatchObject({
      code: 'ACCOUNT_BLOCKED_INACTIVITY',
      blocked: { unblockPaths: ['security_key', 'postal_code'] },
    });
    const elig = await call(env, 'POST', '/v1/unblock/eligibility', {
      ws,
      body: { identifier: P.accountantBlocked.identifier },
    });
    expect(elig.json).toEqual({ paths: ['security_key', 'postal_code'], securityKeyTriesLeft: 3 });
    const q = await call(env, 'GET', '/v1/unblock/security-key/questions', { ws });
    expect((q.json.questions as { id: string }[]).map((x) => x.id)).toEqual([
      'birth_date',
      'practice_postal_code',
      'iban_last4',
    ]);

    const submit = (answers: Record<string, string>) =>
      call(env, 'POST', '/v1/unblock/security-key', {
        ws,
        body: { identifier: P.accountantBlocked.identifier, answers },
      });
    const wrong = { ...KEY, iban_last4: '0000' };
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await submit(wrong));
    expect(tries.map((t) => t.json.code)).toEqual([
      'SECURITY_KEY_WRONG',
      'SECURITY_KEY_WRONG',
      'SECURITY_KEY_WRONG',
    ]);
    // no count of tries left: wrong tries are throttled, they no longer close the path
    expect(tries[0]!.json.message).not.toMatch(/essai/);
    const fourth = await submit({
      birth_date: '1979-07-14',
      practice_postal_code: '75 011',
      iban_last4: '4821',
    });
    expect(fourth.status).toBe(423);
    expect(fourth.json.code).toBe('SECURITY_KEY_LOCKED');
    // the held-back try was not checked: the security log has it, not her events
    expect((await eventsOf(marc, 'security_key_failed')).map((e) => e.details.reason)).toEqual([
      'SECURITY_KEY_WRONG',
      'SECURITY_KEY_WRONG',
      'SECURITY_KEY_WRONG',
    ]);
    expect(
      (
        await call(env, 'POST', '/v1/unblock/eligibility', {
          ws,
          body: { identifier: P.accountantBlocked.identifier },
        })
      ).json,
    ).toEqual({ paths: ['security_key', 'postal_code'], securityKeyTriesLeft: 3 }); // the same answer for everyone

    env.clock.advance(61_000);
    const ok = await submit({
      birth_date: '14 07 1979',
      practice_postal_code: '75011',
      iban_last4: ' 4821 ',
    });
    expect(ok.status, ok.body).toBe(200);
    const ticket = ok.json.ticket as string;
    const weak = await call(env, 'POST', '/v1/unblock/password', {
      ws,
      body: { ticket, newPassword: 'motdepasse' },
    });
    expect(weak.json.code).toBe('PASSWORD_POLICY');
    const reused = await call(env, 'POST', '/v1/unblock/password', {
      ws,
      body: { ticket, newPassword: DEMO_PASSWORD },
    });
    expect(reused.json.code).toBe('PASSWORD_REUSED');
    const set = await call(env, 'POST', '/v1/unblock/password', {
      ws,
      body: { ticket, newPassword: NEW_PASSWORD },
    });
    expect(set.status, set.body).toBe(200);
    expect(set.json).toEqual({ unblocked: true });
    expect(
      (
        await call(env, 'POST', '/v1/unblock/password', {
          ws,
          body: { ticket, newPassword: `${NEW_PASSWORD}x` },
        })
      ).json.code,
    ).toBe('UNAUTHENTICATED');
    expect(await stateOf(marc)).toMatchObject({ state: 'active' });
    expect((await eventsOf(marc, 'account_unblocked'))[0]).toMatchObject({ method: 'security_key' });
    const mails = await env.deliver();
    expect(
      mails.filter((m) => m.subject === 'Votre compte amelipro est débloqué').flatMap((m) => m.to),
    ).toEqual(expect.arrayContaining([P.accountantBlocked.email, P.holder.email]));
    const signIn = await password(P.accountantBlocked.identifier, NEW_PASSWORD);
    expect(signIn.status, signIn.body).toBe(200);
    await call(env, 'POST', '/v1/session/sign-out', { ws, token: signIn.json.token as string });
  });
});

describe('postal code', () => {
  it('a blocked account: letter PDF in the outbox with a manifest line, an e-mail without the code, the code from the letter, a new password, active', async () => {
    const nadia = seed.accounts.suspicious;
    const id = P.suspicious.identifier;
    // An identifier alone gets the same choice as any other (her own paths come with a right password).
    expect(
      (await call(env, 'POST', '/v1/unblock/eligibility', { ws, body: { identifier: id } })).json,
    ).toEqual({ paths: ['security_key', 'postal_code'], securityKeyTriesLeft: 3 });
    const req = await call(env, 'POST', '/v1/unblock/postal-code/request', { ws, body: { identifier: id } });
    expect(req.status, req.body).toBe(200);
    expect(req.json).toMatchObject({ status: 'requested', reference: expect.stringMatching(/^VG-/) });
    const again = await call(env, 'POST', '/v1/unblock/postal-code/request', {
      ws,
      body: { identifier: id },
    });
    // The same answer as the first (nothing tells a stranger a code is pending), and no second letter.
    expect(again.json).toMatchObject({ status: 'requested', handle: expect.any(String) });
    expect(again.json.reference).not.toBe(req.json.reference);
    const manifest = readFileSync(join(letters, 'letters', 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = manifest.find((m) => m.reference === req.json.reference)!;
    expect(line).toMatchObject({
      type: 'postal_unblock_code',
      accountId: nadia,
      recipient: { name: 'Nadia GARCIA', organisation: 'Pharmacie des Tilleuls (démo)' },
    });
    const letter = await readLetter(join(letters, line.file as string));
    expect(letter.reference).toBe(req.json.reference);
    expect(letter.text).toContain('12 rue des Tilleuls');
    const code = letter.code!;
    expect(code).toMatch(/^[A-Z2-9]{12}$/);
    expect(JSON.stringify(manifest)).not.toContain(code);
    const mail = (await env.deliver()).find(
      (m) =>
        m.to.includes(P.suspicious.email) &&
        m.subject === 'Un code de déblocage vous est envoyé par courrier',
    )!;
    expect(mail.text).toContain(req.json.reference as string);
    expect(mail.text).not.toContain(code);
    const state = () =>
      call(env, 'POST', '/v1/unblock/postal-code/state', { ws, body: { handle: req.json.handle } });
    expect((await state()).json).toMatchObject({ status: 'requested', reference: req.json.reference });
    expect(await markLetterPrinted(env.backend.db, req.json.reference as string, env.clock.now())).toBe(true);
    expect((await state()).json).toMatchObject({
      status: 'in-post',
      printedAt: expect.any(String),
      expectedBy: expect.any(String),
    });

    expect(
      (
        await call(env, 'POST', '/v1/unblock/postal-code', {
          ws,
          body: { identifier: id, code: 'ABCD-EFGH-JKMN' },
        })
      ).json.code,
    ).toBe('POSTAL_CODE_WRONG');
    const ok = await call(env, 'POST', '/v1/unblock/postal-code', {
      ws,
      body: { identifier: id, code: code.toLowerCase().replace(/(.{4})/g, '$1 ') },
    });
    expect(ok.status, ok.body).toBe(200);
    const used = await call(env, 'POST', '/v1/unblock/postal-code', { ws, body: { identifier: id, code } });
    expect(used.json.code).toBe('POSTAL_CODE_USED');
    expect(
      (
        await call(env, 'POST', '/v1/unblock/password', {
          ws,
          body: { ticket: ok.json.ticket, newPassword: NEW_PASSWORD },
        })
      ).status,
    ).toBe(200);
    expect(await stateOf(nadia)).toMatchObject({ state: 'active', block_reason: null });
    expect((await eventsOf(nadia, 'account_unblocked'))[0]).toMatchObject({ method: 'postal_code' });
    expect((await eventsOf(nadia, 'postal_code_failed')).map((e) => e.details.reason)).toEqual([
      'POSTAL_CODE_USED',
      'POSTAL_CODE_WRONG',
    ]);
    const s = await password(id, NEW_PASSWORD, ws2);
    expect(s.status, s.body).toBe(200);
    await call(env, 'POST', '/v1/session/sign-out', { ws: ws2, token: s.json.token as string });
  });

  it('answers an unknown identifier like a known one, and sends nothing', async () => {
    const r = await call(env, 'POST', '/v1/unblock/postal-code/request', {
      ws,
      body: { identifier: 'personne.inconnue' },
    });
    expect(r.json).toMatchObject({ status: 'requested' });
    expect(
      (await call(env, 'POST', '/v1/unblock/eligibility', { ws, body: { identifier: 'personne.inconnue' } }))
        .json,
    ).toEqual({ paths: ['security_key', 'postal_code'], securityKeyTriesLeft: 3 });
  });
});

describe('suspicious rules and report cases', () => {
  it('one password account signed in from two workstations at once is blocked as suspicious, with the explanation', async () => {
    const marc = seed.accounts.accountantBlocked;
    const a = await password(P.accountantBlocked.identifier, NEW_PASSWORD, ws);
    expect(a.status, a.body).toBe(200);
    const b = await password(P.accountantBlocked.identifier, NEW_PASSWORD, ws2);
    expect(b.status).toBe(403);
    expect(b.json).toMatchObject({ code: 'ACCOUNT_BLOCKED_SUSPICIOUS', blocked: { reason: 'suspicious' } });
    const explanation = (b.json.blocked as { explanation: string }).explanation;
    expect(explanation).toContain('connecté en même temps sur deux postes, « Comptoir 1 » et « Bureau »');
    expect(await stateOf(marc)).toMatchObject({
      state: 'blocked',
      block_reason: 'suspicious',
      suspicion_cause: 'concurrent_sessions',
      block_explanation: explanation,
    });
    // Both sessions are over.
    expect((await call(env, 'GET', '/v1/session', { ws, token: a.json.token as string })).json.code).toBe(
      'SESSION_REVOKED',
    );
    expect((await eventsOf(marc, 'account_blocked'))[0]).toMatchObject({
      details: { reason: 'suspicious', explanation },
    });
    const mail = (await env.deliver()).find(
      (m) => m.to.includes(P.accountantBlocked.email) && m.subject.includes('suspect'),
    )!;
    expect(mail.text).toContain('deux postes');
  });

  it('at least 20 failed sign-ins in 24 h on a familiar workstation block the account as suspicious', async () => {
    const now = env.clock.now();
    const hash = await env.backend.hasher.hash(DEMO_PASSWORD);
    const id = await env.backend.db.transaction().execute((trx) =>
      createAccount(
        trx,
        {
          pharmacyId: seed.pharmacyId,
          kind: 'password_delegate',
          displayName: 'Luc FLOOD',
          identifier: 'luc.flood',
          email: 'luc@demo.vigie.invalid',
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
    // Luc's own registered workstation, where he signed in before: its failures are evidence nobody else can send.
    const office = await registeredWorkstation('Bureau de Luc');
    const first = await provenPassword('luc.flood', DEMO_PASSWORD, office);
    expect(first.status, first.body).toBe(200);
    await call(env, 'POST', '/v1/session/sign-out', { ws: office, token: first.json.token as string });
    // The same 20 wrong passwords from an unknown workstation block nothing.
    for (let i = 0; i < 20; i++) await password('luc.flood', `Mauvais-${i}-Essai!`);
    expect(await stateOf(id)).toMatchObject({ state: 'active' });
    // On the familiar workstation, each attempt once its throttle lets it through.
    for (let i = 0; i < 19; i++) {
      await provenPassword('luc.flood', `Mauvais-${i}-Essai!`, office);
      env.clock.advance(15 * 60_000 + 1000);
    }
    expect(await stateOf(id)).toMatchObject({ state: 'active' });
    await provenPassword('luc.flood', 'Mauvais-20-Essai!', office);
    expect(await stateOf(id)).toMatchObject({
      state: 'blocked',
      block_reason: 'suspicious',
      suspicion_cause: 'failures',
    });
    env.clock.advance(10 * 60_000);
    const r = await password('luc.flood', DEMO_PASSWORD);
    expect(r.json).toMatchObject({
      code: 'ACCOUNT_BLOCKED_SUSPICIOUS',
      blocked: { explanation: expect.stringContaining('20 tentatives de connexion ont échoué') },
    });
  });

  it('a report with "block my account": case received → secured (sessions ended, new password required, blocked); the key is then refused; the postal code unblocks and closes the case', async () => {
    const sophie = seed.accounts.accountantSoon;
    const id = P.accountantSoon.identifier;
    const s = await password(id, DEMO_PASSWORD);
    expect(s.status, s.body).toBe(200);
    const token = s.json.token as string;
    expect(
      (
        await call(env, 'POST', '/v1/me/security-key', {
          ws,
          token,
          body: { answers: KEY, currentPassword: DEMO_PASSWORD },
        })
      ).status,
    ).toBe(200);
    expect(
      (await env.deliver()).filter((m) => m.to.includes(P.accountantSoon.email)).map((m) => m.subject),
    ).toContain('La clé de sécurité de votre compte amelipro a été enregistrée');
    const ev = await call(env, 'GET', '/v1/events?type=sign_in&limit=2', { ws, token });
    const eventId = (ev.json.events as { id: number }[])[1]!.id;
    const c = await call(env, 'POST', '/v1/reports', {
      ws,
      token,
      body: { eventId, comment: 'Pas moi', blockAccount: true },
    });
    expect(c.status, c.body).toBe(200);
    expect(c.json).toMatchObject({
      status: 'secured',
      eventId,
      actions: ['sessions-revoked', 'password-change-required', 'account-blocked'],
      advice: expect.stringContaining('36 08'),
    });
    expect((c.json.steps as { status: string }[]).map((x) => x.status)).toEqual(['received', 'secured']);
    expect((await call(env, 'GET', '/v1/session', { ws, token })).json.code).toBe('SESSION_REVOKED');
    const st = await stateOf(sophie);
    expect(st).toMatchObject({
      state: 'blocked',
      block_reason: 'suspicious',
      suspicion_cause: 'user_report',
    });
    expect(st.block_explanation).toContain('à votre demande');

    const key = await call(env, 'POST', '/v1/unblock/security-key', {
      ws,
      body: { identifier: id, answers: KEY },
    });
    expect(key.json.code).toBe('SECURITY_KEY_NOT_ALLOWED');
    expect(
      (await call(env, 'POST', '/v1/unblock/eligibility', { ws, body: { identifier: id } })).json.paths,
    ).toEqual(['security_key', 'postal_code']);
    // The report withdrew the password: it opens nothing, not even the blocked answer with its ways out.
    const pw = await password(id, DEMO_PASSWORD);
    expect(pw.json).toMatchObject({ code: 'INVALID_CREDENTIALS' });

    // The holder sees the case of her delegate.
    const h = await signInCard(claireCard(await challenge()));
    const cases = await call(env, 'GET', '/v1/reports', { ws, token: h.json.token as string });
    expect(cases.json.cases).toEqual(
      expect.arrayContaining([expect.objectContaining({ accountId: sophie, status: 'secured' })]),
    );

    // A code past its date is refused; a new letter's code unblocks and closes the case.
    const first = await call(env, 'POST', '/v1/unblock/postal-code/request', {
      ws,
      body: { identifier: id },
    });
    const l1 = await readLetter(join(letters, 'letters', `${first.json.reference as string}.pdf`));
    env.clock.advance(11 * 86_400_000);
    expect(
      (await call(env, 'POST', '/v1/unblock/postal-code', { ws, body: { identifier: id, code: l1.code } }))
        .json.code,
    ).toBe('POSTAL_CODE_EXPIRED');
    const second = await call(env, 'POST', '/v1/unblock/postal-code/request', {
      ws,
      body: { identifier: id },
    });
    expect(second.status, second.body).toBe(200);
    const l2 = await readLetter(join(letters, 'letters', `${second.json.reference as string}.pdf`));
    const t = await call(env, 'POST', '/v1/unblock/postal-code', {
      ws,
      body: { identifier: id, code: l2.code },
    });
    expect(t.status, t.body).toBe(200);
    expect(
      (
        await call(env, 'POST', '/v1/unblock/password', {
          ws,
          body: { ticket: t.json.ticket, newPassword: NEW_PASSWORD },
        })
      ).status,
    ).toBe(200);
    expect(await stateOf(sophie)).toMatchObject({ state: 'active' });
    const h2 = await signInCard(claireCard(await challenge()));
    const after = await call(env, 'GET', '/v1/reports', { ws, token: h2.json.token as string });
    const closed = (
      after.json.cases as { accountId: string; status: string; steps: { status: string }[] }[]
    ).find((x) => x.accountId === sophie)!;
    expect(closed.status).toBe('closed');
    expect(closed.steps.map((x) => x.status)).toEqual(['received', 'secured', 'closed']);
  });
});

describe('events', () => {
  it('the chain of every account still verifies', async () => {
    const ids = await env.backend.db.selectFrom('accounts').select('id').execute();
    expect(ids.length).toBeGreaterThanOrEqual(7);
    for (const { id } of ids)
      expect(await verifyChain(env.backend.db, id), id).toMatchObject({ ok: true, firstBad: null });
  });
});
