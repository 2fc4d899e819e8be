/**
 * Every flow through HAProxy in front of three backend instances on one PostgreSQL server (./cluster.ts), the
 * proxy balancing round-robin so that consecutive requests land on different instances: any state kept in one
 * instance's memory between two requests breaks a flow here. Real parts only: HAProxy, PostgreSQL 15, the
 * instances as child processes, the SMTP receiver of the test harness, the PSC sandbox (oidc-provider), the
 * card-sim test PKI, the workstation core's own backend client checking the proxy's certificate.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestPki, type TestPki } from '../../card-sim/pki';
import { workstationRegistrationMessage } from '../../domain/backend-api';
import { BackendClient } from '../../electron/core/backend-client/client';
import { createAccount, createPharmacy } from '../accounts/accounts';
import { createBackend, type Backend } from '../app';
import { signLikeCps3 } from '../auth/card/test-pki';
import { startPscSandbox, type PscSandbox } from '../auth/ecps/sandbox';
import { DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PHARMACY, DEMO_SECURITY_KEY } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { seedDemoSecurityKeys } from '../demo/signin-seed';
import { verifyChain } from '../events/chain';
import { useEventsKey } from '../events/key';
import { headers, newWorkstation, type Workstation } from '../test/harness';
import { proofHeaders } from '../test/proofs';
import { readLetter } from '../unblock/letter-reader';
import { freePort, haproxyBinary, startCluster, startProxy, stopProc, type Cluster } from './cluster';

const haproxy = haproxyBinary();
const missing = 'missing' in haproxy ? haproxy.missing : null;
if (missing && process.env.CI) throw new Error(`backend-cluster: ${missing}`);
if (missing) console.warn(`backend-cluster: skipped, ${missing}`);

const P = DEMO_PEOPLE;
const NEW_PASSWORD = 'Glycine-Ombelle-Pivoine-93!';
const ARGON = { memoryCost: 4096, timeCost: 2, parallelism: 1 };

let cluster: Cluster;
let smtp: Receiver;
let psc: PscSandbox;
let pki: TestPki;
let tool: Backend;
let seed: SeedResult;
let letters: string;
const clients: Via[] = [];
/** The demo holder's own counter: her password sessions open there (two at once elsewhere would look shared). */
const holderWs = newWorkstation('Comptoir titulaire');

interface Answer {
  status: number;
  json: Record<string, unknown> & { code?: string };
  instance: string;
}

/** A client on its own loopback address (127.0.0.x), through the proxy, checking its certificate. */
class Via {
  readonly agent: Agent;
  readonly served: string[] = [];
  constructor(readonly address: string) {
    this.agent = new Agent({ localAddress: address, connect: { ca: cluster.certPem } });
    clients.push(this);
  }
  async call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    o: { ws?: Workstation | null; token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const raw = o.body === undefined ? undefined : JSON.stringify(o.body);
    const res = await undiciFetch(`${cluster.url}${path}`, {
      method,
      headers: {
        ...headers(o.ws ?? null, o.token),
        ...(raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      body: raw,
      dispatcher: this.agent,
    });
    const text = await res.text();
    let json: Answer['json'];
    try {
      json = JSON.parse(text) as Answer['json'];
    } catch {
      json = {};
    }
    const instance = res.headers.get('x-vigie-instance') ?? '';
    this.served.push(instance);
    return { status: res.status, json, instance };
  }
  /** How many instances served the requests since `from`. */
  instancesSince(from: number) {
    return new Set(this.served.slice(from)).size;
  }
}

const describeCluster = missing ? describe.skip : describe;

interface Receiver {
  port: number;
  mails: { messageId: string; to: string[] }[];
  close(): Promise<void>;
}

/**
 * The mail receiver (smtp-server, as in ../test/harness.ts), which also outlives a sender killed mid-session: the
 * reset connection is an expected event here, not a failure.
 */
async function startReceiver(): Promise<Receiver> {
  const mails: Receiver['mails'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        PostalMime.parse(Buffer.concat(chunks))
          .then((m) => {
            mails.push({ messageId: m.messageId ?? '', to: session.envelope.rcptTo.map((r) => r.address) });
            cb();
          })
          .catch((e: Error) => cb(e));
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const a = server.server.address();
  return {
    port: typeof a === 'object' && a ? a.port : 0,
    mails,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  if (missing) return;
  smtp = await startReceiver();
  pki = await loadTestPki();
  letters = mkdtempSync(join(tmpdir(), 'vigie-cluster-letters-'));
  psc = await startPscSandbox({
    people: [
      { nationalId: P.holder.nationalId, givenName: 'CLAIRE', familyName: 'MARTIN', ecps: true },
      { nationalId: P.employee.nationalId, givenName: 'JULIEN', familyName: 'PETIT', ecps: true },
    ],
  });
  cluster = await startCluster({
    instances: 3,
    smtpPort: smtp.port,
    env: {
      CARD_TRUST_PEM: `${join(pki.dir, 'root.pem')},${join(pki.dir, 'intermediate.pem')}`,
      CARD_CRL: join(pki.dir, 'crl.pem'),
      PSC_ISSUER: psc.issuer,
      PSC_CLIENT_ID: psc.clientId,
      PSC_CLIENT_SECRET: psc.clientSecret,
      LETTERS_DIR: letters,
    },
    tuning: {
      jobIntervals: { mail: 300, reminders: 400, inactivity: 2000, retention: 3600_000 },
      argon2: ARGON,
      failureFloorMs: 60,
      ecpsPollIntervalMs: 50,
      // The shared sign-in limit has its own test (backend/test/rate-limits.pg.int.test.ts); the load below
      // signs in many times a minute from one address.
      rateLimit: { max: 100_000, signInMax: 10_000, checkMax: 10_000, timeWindowMs: 60_000 },
    },
  });
  // This process appends and verifies chains too (the seed): with the instances' key.
  useEventsKey(readFileSync(cluster.eventsKeyFile));
  tool = await createBackend({
    database: cluster.databaseUrl,
    logLevel: 'silent',
    jobs: { autoStart: false },
    mailer: { kind: 'none' },
    config: { argon2: ARGON },
    signin: { lettersDir: letters },
  });
  seed = await seedDemo(tool.db, new Date(), tool.ctx.config);
  await seedDemoSecurityKeys(tool);
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.agent.close()));
  await tool?.close();
  await cluster?.stop();
  await psc?.close();
  await smtp?.close();
  if (letters) rmSync(letters, { recursive: true, force: true });
});

const chainOk = async (accountId: string) => (await verifyChain(tool.db, accountId)).ok;

describeCluster('HAProxy in front of three instances', () => {
  it('balances round-robin: consecutive requests land on different instances, all three in turn', async () => {
    const c = new Via('127.0.0.10');
    for (let i = 0; i < 6; i++) expect((await c.call('GET', '/health')).status).toBe(200);
    expect(new Set(c.served)).toEqual(new Set(['i1', 'i2', 'i3']));
    for (let i = 1; i < c.served.length; i++) expect(c.served[i]).not.toBe(c.served[i - 1]);
    expect(await cluster.serverStates()).toEqual({ i1: 'UP', i2: 'UP', i3: 'UP' });
  });

  it('the workstation core reaches it through its backend client, which refuses a certificate it was not given', async () => {
    const ws = newWorkstation('Comptoir cœur');
    const core = new BackendClient({
      baseUrl: cluster.url,
      workstation: ws,
      appVersion: '0.1.0-cluster',
      ca: cluster.certPem,
    });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const otherCa = (await import('node:child_process')).spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-key',
        '/dev/stdin',
        '-subj',
        '/CN=127.0.0.1',
        '-days',
        '1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { input: stranger.privateKey.export({ format: 'pem', type: 'pkcs8' }), encoding: 'utf8' },
    ).stdout;
    const fooled = new BackendClient({
      baseUrl: cluster.url,
      workstation: ws,
      appVersion: '0.1.0-cluster',
      ca: otherCa,
    });
    try {
      expect(await core.call('health')).toMatchObject({ ok: true });
      const signIn = await core.call('signInPassword', {
        body: { identifier: P.accountantSoon.identifier!, password: DEMO_PASSWORD },
      });
      expect(signIn).toMatchObject({ ok: true });
      const status = await core.call('myStatus');
      expect(status).toMatchObject({ ok: true, value: { state: 'active' } });
      expect(await core.call('signOut')).toMatchObject({ ok: true });
      expect(await fooled.call('health')).toMatchObject({ ok: false, code: 'BACKEND_TLS_ERROR' });
    } finally {
      await core.close();
      await fooled.close();
    }
  });

  it('password sign-in, status, events, sessions and sign-out, each request on the next instance', async () => {
    const c = new Via('127.0.0.11');
    const ws = newWorkstation('Comptoir 1');
    const r = await c.call('POST', '/v1/auth/password', {
      ws,
      body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const token = r.json.token as string;
    const st = await c.call('GET', '/v1/me/status', { ws, token });
    expect(st.json).toMatchObject({ state: 'active' });
    const ev = await c.call('GET', '/v1/events?type=sign_in&limit=5', { ws, token });
    expect((ev.json.events as { ip: string }[])[0]!.ip).toBe('127.0.0.11');
    const sessions = await c.call('GET', '/v1/sessions', { ws, token });
    expect((sessions.json.sessions as unknown[]).length).toBeGreaterThan(0);
    expect(c.instancesSince(0)).toBe(3);
    expect((await c.call('POST', '/v1/session/sign-out', { ws, token })).status).toBe(200);
    // The token is refused by every instance now.
    for (let i = 0; i < 3; i++)
      expect((await c.call('GET', '/v1/me/status', { ws, token })).status).toBe(401);
    expect(c.instancesSince(c.served.length - 3)).toBe(3);
    expect(await chainOk(seed.accounts.holder)).toBe(true);
  });

  it('card sign-in: the challenge from one instance, the signature checked by another, the challenge used once', async () => {
    const c = new Via('127.0.0.12');
    const ws = newWorkstation('Comptoir carte');
    const card = pki.holders[P.employee.nationalId]!;
    const ch = await c.call('POST', '/v1/auth/card/challenge', { ws });
    expect(ch.status).toBe(200);
    const challenge = ch.json.challenge as string;
    const body = {
      challenge,
      signature: signLikeCps3(card.authKeyPem, Buffer.from(challenge, 'base64url')).toString('base64'),
      certificate: Buffer.from(card.authCertPem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64').toString(
        'base64',
      ),
      cardSerial: '2900067890',
    };
    const r = await c.call('POST', '/v1/auth/card', { ws, body });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.instance).not.toBe(ch.instance);
    expect(r.json).toMatchObject({ account: { displayName: 'Julien PETIT' } });
    // A replay of the same signed challenge on the third instance is refused: the challenge lives in PostgreSQL.
    const replay = await c.call('POST', '/v1/auth/card', { ws, body });
    expect(replay.instance).not.toBe(r.instance);
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(await chainOk(seed.accounts.employee)).toBe(true);
  });

  it('e-CPS: started on one instance, polled and completed on the others, the session handed out once', async () => {
    const c = new Via('127.0.0.13');
    const ws = newWorkstation('Comptoir e-CPS');
    const start = await c.call('POST', '/v1/auth/ecps', { ws, body: { nationalId: P.holder.nationalId } });
    expect(start.status, JSON.stringify(start.json)).toBe(200);
    const transactionId = start.json.transactionId as string;
    const first = await c.call('POST', '/v1/auth/ecps/poll', { ws, body: { transactionId } });
    expect(first.json).toMatchObject({ status: 'pending' });
    expect(first.instance).not.toBe(start.instance);
    const req = await psc.waitForPending((x) => x.nationalId === P.holder.nationalId);
    await psc.approve(req.authReqId);
    let done: Answer | null = null;
    for (let i = 0; i < 200 && !done; i++) {
      const r = await c.call('POST', '/v1/auth/ecps/poll', { ws, body: { transactionId } });
      if (r.json.status !== 'pending') done = r;
      else await new Promise((res) => setTimeout(res, 50));
    }
    expect(done?.json).toMatchObject({
      status: 'approved',
      session: { account: { displayName: 'Claire MARTIN' } },
    });
    expect(c.instancesSince(0)).toBe(3);
    const again = await c.call('POST', '/v1/auth/ecps/poll', { ws, body: { transactionId } });
    expect(again.json.code).toBe('ECPS_EXPIRED');
    expect(await chainOk(seed.accounts.holder)).toBe(true);
  });

  it('security key: eligibility, the key and the new password on three instances; the account is active again', async () => {
    const c = new Via('127.0.0.14');
    const ws = newWorkstation('Cabinet comptable');
    const id = P.accountantBlocked.identifier!;
    const elig = await c.call('POST', '/v1/unblock/eligibility', { ws, body: { identifier: id } });
    expect(elig.json).toMatchObject({ paths: ['security_key', 'postal_code'] });
    const key = await c.call('POST', '/v1/unblock/security-key', {
      ws,
      body: { identifier: id, answers: { ...DEMO_SECURITY_KEY } },
    });
    expect(key.status, JSON.stringify(key.json)).toBe(200);
    const set = await c.call('POST', '/v1/unblock/password', {
      ws,
      body: { ticket: key.json.ticket, newPassword: NEW_PASSWORD },
    });
    expect(set.json).toEqual({ unblocked: true });
    expect(c.instancesSince(0)).toBe(3);
    const again = await c.call('POST', '/v1/auth/password', {
      ws,
      body: { identifier: id, password: NEW_PASSWORD },
    });
    expect(again.status).toBe(200);
    expect(await chainOk(seed.accounts.accountantBlocked)).toBe(true);
  });

  it('postal code: requested on one instance, the code from the letter typed on another, used once', async () => {
    const c = new Via('127.0.0.15');
    const ws = newWorkstation('Bureau');
    const id = P.suspicious.identifier!;
    const req = await c.call('POST', '/v1/unblock/postal-code/request', { ws, body: { identifier: id } });
    expect(req.status, JSON.stringify(req.json)).toBe(200);
    const letter = await readLetter(join(letters, 'letters', `${req.json.reference as string}.pdf`));
    const state = await c.call('POST', '/v1/unblock/postal-code/state', {
      ws,
      body: { handle: req.json.handle },
    });
    expect(state.json).toMatchObject({ status: 'requested', reference: req.json.reference });
    const ok = await c.call('POST', '/v1/unblock/postal-code', {
      ws,
      body: { identifier: id, code: letter.code },
    });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    const used = await c.call('POST', '/v1/unblock/postal-code', {
      ws,
      body: { identifier: id, code: letter.code },
    });
    expect(used.json.code).toBe('POSTAL_CODE_USED');
    const set = await c.call('POST', '/v1/unblock/password', {
      ws,
      body: { ticket: ok.json.ticket, newPassword: NEW_PASSWORD },
    });
    expect(set.json).toEqual({ unblocked: true });
    expect(c.instancesSince(0)).toBe(3);
    expect(await chainOk(seed.accounts.suspicious)).toBe(true);
  });

  it('delegations: granted on one instance, used on another, revoked on a third, which ends the delegate everywhere', async () => {
    const c = new Via('127.0.0.16');
    const ws = holderWs;
    const holder = await c.call('POST', '/v1/auth/password', {
      ws,
      body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    });
    const token = holder.json.token as string;
    const grant = await c.call('POST', '/v1/delegations', {
      ws,
      token,
      body: {
        kind: 'password_delegate',
        displayName: 'Paul DURAND',
        identifier: 'paul.durand',
        email: 'paul.durand@demo.vigie.invalid',
        initialPassword: 'Orage-Piment-48!x',
      },
    });
    expect(grant.status, JSON.stringify(grant.json)).toBe(200);
    const accWs = newWorkstation('Cabinet Durand');
    const paul = await c.call('POST', '/v1/auth/password', {
      ws: accWs,
      body: { identifier: 'paul.durand', password: 'Orage-Piment-48!x' },
    });
    expect(paul.status).toBe(200);
    const listed = await c.call('GET', '/v1/delegations', { ws, token });
    expect(
      (listed.json.delegations as { delegate: { displayName: string } }[]).map((d) => d.delegate.displayName),
    ).toContain('Paul DURAND');
    const revoke = await c.call('DELETE', `/v1/delegations/${grant.json.id as string}`, { ws, token });
    expect(revoke.status, JSON.stringify(revoke.json)).toBe(200);
    // Paul's session ended everywhere.
    for (let i = 0; i < 3; i++)
      expect(
        (await c.call('GET', '/v1/me/status', { ws: accWs, token: paul.json.token as string })).status,
      ).toBe(401);

    expect(c.instancesSince(0)).toBe(3);
    expect(await chainOk(seed.accounts.holder)).toBe(true);
  });

  it('a report opened on one instance secures the account on all: its sessions end and its password opens nothing', async () => {
    const c = new Via('127.0.0.20');
    const ws = newWorkstation('Comptoir rapport');
    await seedLoadAccounts(1);
    const identifier = 'charge.titulaire';
    const first = await c.call('POST', '/v1/auth/password', {
      ws,
      body: { identifier, password: LOAD_PASSWORD },
    });
    const token = first.json.token as string;
    const ev = await c.call('GET', '/v1/events?type=sign_in&limit=1', { ws, token });
    const eventId = (ev.json.events as { id: number }[])[0]!.id;
    const report = await c.call('POST', '/v1/reports', { ws, token, body: { eventId, comment: 'Pas moi' } });
    expect(report.status, JSON.stringify(report.json)).toBe(200);
    expect(report.json.actions).toContain('sessions-revoked');
    // The session ended on every instance.
    for (let i = 0; i < 3; i++)
      expect((await c.call('GET', '/v1/me/status', { ws, token })).status).toBe(401);
    // The withdrawn password opens nothing any more, on any instance.
    for (let i = 0; i < 3; i++)
      expect(
        (await c.call('POST', '/v1/auth/password', { ws, body: { identifier, password: LOAD_PASSWORD } }))
          .json.code,
      ).toBe('INVALID_CREDENTIALS');
    const cases = await tool.db
      .selectFrom('report_cases')
      .selectAll()
      .where('account_id', '=', loadPharmacy!.holderId)
      .execute();
    expect(cases).toHaveLength(1);
    expect(c.instancesSince(0)).toBe(3);
    expect(await chainOk(loadPharmacy!.holderId)).toBe(true);
  });

  it('workstation registration across instances; a request proof is single use on every instance', async () => {
    const c = new Via('127.0.0.17');
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const ws: Workstation & { privateKey: KeyObject } = { ...newWorkstation('Comptoir signé'), privateKey };
    const ch = await c.call('POST', '/v1/workstations/challenge', { ws });
    const unsigned = {
      workstationId: ws.id,
      label: ws.label,
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      challenge: ch.json.challenge as string,
    };
    const signature = sign(null, Buffer.from(workstationRegistrationMessage(unsigned)), privateKey).toString(
      'base64',
    );
    const reg = await c.call('POST', '/v1/workstations/register', { ws, body: { ...unsigned, signature } });
    expect(reg.status, JSON.stringify(reg.json)).toBe(200);
    expect(reg.instance).not.toBe(ch.instance);
    const { identifiers } = await seedLoadAccounts(1);
    const body = { identifier: identifiers[0]!, password: LOAD_PASSWORD };
    const signIn = async () => {
      const r = await c.call('POST', '/v1/auth/password', {
        ws,
        body,
        headers: proofHeaders(ws, new Date(), 'POST', '/v1/auth/password', body),
      });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      return r.json as { token: string; sessionId: string };
    };
    // Without a proof, a registered id cannot sign in, on any instance.
    for (let i = 0; i < 3; i++)
      expect((await c.call('POST', '/v1/auth/password', { ws, body })).json.code).toBe(
        'WORKSTATION_PROOF_INVALID',
      );
    const a = await signIn();
    const b = await signIn();
    // A state-changing request's proof is used once: the next two instances refuse its replay.
    const path = `/v1/sessions/${b.sessionId}`;
    const proven = proofHeaders(ws, new Date(), 'DELETE', path);
    const first = await c.call('DELETE', path, { ws, token: a.token, headers: proven });
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    for (let i = 0; i < 2; i++) {
      const replay = await c.call('DELETE', path, { ws, token: a.token, headers: proven });
      expect(replay.instance).not.toBe(first.instance);
      expect(replay.json.code).toBe('WORKSTATION_PROOF_INVALID');
    }
    // The session's requests without a proof (a token copied elsewhere) are refused by every instance.
    for (let i = 0; i < 3; i++)
      expect((await c.call('GET', '/v1/me/status', { ws, token: a.token })).json.code).toBe(
        'WORKSTATION_PROOF_INVALID',
      );
    expect(c.instancesSince(0)).toBe(3);
  });

  it('a workstation withdrawn on one instance is refused by the others, though each had read its key', async () => {
    const c = new Via('127.0.0.21');
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const ws: Workstation & { privateKey: KeyObject } = { ...newWorkstation('Poste à retirer'), privateKey };
    const ch = await c.call('POST', '/v1/workstations/challenge', { ws });
    const unsigned = {
      workstationId: ws.id,
      label: ws.label,
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      challenge: ch.json.challenge as string,
    };
    const signature = sign(null, Buffer.from(workstationRegistrationMessage(unsigned)), privateKey).toString(
      'base64',
    );
    expect(
      (await c.call('POST', '/v1/workstations/register', { ws, body: { ...unsigned, signature } })).status,
    ).toBe(200);
    const body = { identifier: P.accountantSoon.identifier!, password: DEMO_PASSWORD };
    const proven = () =>
      c.call('POST', '/v1/auth/password', {
        ws,
        body,
        headers: proofHeaders(ws, new Date(), 'POST', '/v1/auth/password', body),
      });
    // A sign-in on each instance: each has now read the workstation's key.
    const before = [await proven(), await proven(), await proven()];
    expect(before.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(new Set(before.map((r) => r.instance)).size).toBe(3);
    const holder = await c.call('POST', '/v1/auth/password', {
      ws: holderWs,
      body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    });
    const token = holder.json.token as string;
    const revoked = await c.call('POST', `/v1/pharmacy/workstations/${ws.id}/revoke`, {
      ws: holderWs,
      token,
    });
    expect(revoked.status, JSON.stringify(revoked.json)).toBe(200);
    const after = [await proven(), await proven(), await proven()];
    expect(new Set(after.map((r) => r.instance)).size).toBe(3);
    expect(after.map((r) => r.json.code)).toEqual([
      'WORKSTATION_REVOKED',
      'WORKSTATION_REVOKED',
      'WORKSTATION_REVOKED',
    ]);
    // Its open sessions ended too, whichever instance is asked.
    const t = before[0]!.json.token as string;
    const path = '/v1/me/status';
    for (let i = 0; i < 3; i++) {
      const r = await c.call('GET', path, {
        ws,
        token: t,
        headers: proofHeaders(ws, new Date(), 'GET', path),
      });
      expect(r.status).toBe(401);
    }
    expect(await chainOk(seed.accounts.accountantSoon)).toBe(true);
  });

  it('per-address throttles: a stranger on one address is held back on every instance, the owner on hers is not', async () => {
    const stranger = new Via('127.0.0.18');
    const owner = new Via('127.0.0.19');
    const { identifiers } = await seedLoadAccounts(1);
    const id = identifiers[0]!;
    const strangerWs = newWorkstation('Poste inconnu');
    for (let i = 0; i < 9; i++) {
      // A forged X-Forwarded-For on each try: the address the proxy saw still counts.
      const r = await stranger.call('POST', '/v1/auth/password', {
        ws: strangerWs,
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
        body: { identifier: id, password: 'pas le bon mot de passe' },
      });
      expect(r.json.code).toBe('INVALID_CREDENTIALS');
    }
    expect(stranger.instancesSince(0)).toBe(3);
    // Held-back tries (never checked) go to the security log under the address the proxy saw, never a forged one.
    const logged = await tool.db
      .selectFrom('security_log')
      .select(['ip'])
      .where('workstation_id', '=', strangerWs.id)
      .execute();
    expect(logged.length).toBeGreaterThan(0);
    expect(new Set(logged.map((l) => l.ip))).toEqual(new Set(['127.0.0.18']));
    // The right password from the stranger's source is held back too, on whichever instance takes it.
    const held = await stranger.call('POST', '/v1/auth/password', {
      ws: strangerWs,
      body: { identifier: id, password: LOAD_PASSWORD },
    });
    expect(held.json.code).toBe('INVALID_CREDENTIALS');
    // The owner, on her address and workstation, signs in at once.
    const mine = await owner.call('POST', '/v1/auth/password', {
      ws: newWorkstation('Poste de l’ayant droit'),
      body: { identifier: id, password: LOAD_PASSWORD },
    });
    expect(mine.status, JSON.stringify(mine.json)).toBe(200);
  });

  it('jobs on all three: each due reminder once, each mail once per Message-ID at the receiver', async () => {
    const now = new Date();
    const ids = await tool.db.transaction().execute(async (trx) => {
      const pharmacyId = await createPharmacy(
        trx,
        {
          finess: '759999931',
          amNumber: '759999932',
          name: 'Pharmacie des rappels',
          address: { line1: '1 rue', postalCode: '75001', city: 'Paris' },
        },
        now,
      );
      const out: string[] = [];
      for (let i = 0; i < 60; i++)
        out.push(
          await createAccount(
            trx,
            {
              pharmacyId,
              kind: 'card_delegate',
              displayName: `Rappel ${i}`,
              nationalId: `8997300${String(i).padStart(5, '0')}`,
              email: `rappel${i}.${randomUUID().slice(0, 6)}@x.invalid`,
            },
            now,
            tool.ctx.config,
          ),
        );
      return out;
    });
    await tool.db
      .updateTable('accounts')
      .set({
        block_due_at: new Date(now.getTime() + 5 * 86_400_000),
        next_reminder_at: new Date(now.getTime() - 60_000),
      })
      .where('id', 'in', ids)
      .execute();
    const sentAll = async () => {
      const r = await tool.db
        .selectFrom('outbox')
        .select(['message_id', 'sent_at'])
        .where('account_id', 'in', ids)
        .execute();
      return r.length === ids.length && r.every((x) => x.sent_at !== null) ? r : null;
    };
    let rows: Awaited<ReturnType<typeof sentAll>> = null;
    for (let i = 0; i < 300 && !rows; i++) {
      rows = await sentAll();
      if (!rows) await new Promise((res) => setTimeout(res, 100));
    }
    expect(rows, 'every reminder mailed').not.toBeNull();
    const events = await tool.db
      .selectFrom('events')
      .select('account_id')
      .where('account_id', 'in', ids)
      .where('type', '=', 'reminder_sent')
      .execute();
    expect(events).toHaveLength(ids.length);
    expect(new Set(events.map((e) => e.account_id)).size).toBe(ids.length);
    const norm = (m: string) => m.replace(/[<>]/g, '');
    const wanted = new Set(rows!.map((r) => norm(r.message_id)));
    const got = smtp.mails.filter((m) => wanted.has(norm(m.messageId)));
    expect(got).toHaveLength(ids.length);
    expect(new Set(got.map((m) => norm(m.messageId))).size).toBe(ids.length);
    for (const id of ids.slice(0, 5)) expect(await chainOk(id)).toBe(true);
  });

  it('one instance killed under load: its requests end at once with a retryable answer, the others go on, nothing acknowledged is lost', async () => {
    const loops = 8;
    const load = await seedLoadAccounts(loops);
    interface Outcome {
      ok: boolean;
      code?: string;
      retryable?: boolean;
      ms: number;
      afterKill: boolean;
      sessionId?: string;
    }
    const outcomes: Outcome[] = [];
    let killedAt = 0;
    let stop = false;
    // Each account on its own workstation, through the core's backend client (the proxy's certificate checked).
    const cores = load.identifiers.map(
      (_, i) =>
        new BackendClient({
          baseUrl: cluster.url,
          workstation: newWorkstation(`Charge ${i}`),
          appVersion: '0.1.0-cluster',
          ca: cluster.certPem,
          timeoutMs: 20_000,
        }),
    );
    const run = async (i: number) => {
      while (!stop) {
        const t0 = performance.now();
        const r = await cores[i]!.call('signInPassword', {
          body: { identifier: load.identifiers[i]!, password: LOAD_PASSWORD },
        });
        const ms = performance.now() - t0;
        const afterKill = killedAt > 0;
        outcomes.push(
          r.ok
            ? { ok: true, ms, afterKill, sessionId: (r.value as { sessionId?: string }).sessionId }
            : { ok: false, code: r.code, retryable: r.retryable, ms, afterKill },
        );
      }
    };
    const running = Array.from({ length: loops }, (_, i) => run(i));
    await new Promise((res) => setTimeout(res, 1500));
    const victim = cluster.instances[1]!;
    killedAt = Date.now();
    await victim.kill('SIGKILL');
    await new Promise((res) => setTimeout(res, 4000));
    stop = true;
    await Promise.all(running);
    await Promise.all(cores.map((c) => c.close()));
    expect(victim.alive()).toBe(false);
    const failures = outcomes.filter((o) => !o.ok);
    console.log(
      `kill under load: ${outcomes.length} sign-ins, ${failures.length} failed (${[...new Set(failures.map((f) => f.code))].join(', ') || 'none'}), slowest ${Math.round(Math.max(...outcomes.map((o) => o.ms)))} ms`,
    );
    // Every failure is one the core retries, and none hung: the proxy's 502 (UNAVAILABLE) for the first request of a
    // connection; for a later one on a kept-alive connection, HAProxy closes it without an answer (its keep-alive
    // convention, so a client may try again), which the core reads as BACKEND_UNREACHABLE.
    for (const f of failures)
      expect(f, JSON.stringify(f)).toMatchObject({
        code: expect.stringMatching(/^(UNAVAILABLE|BACKEND_UNREACHABLE)$/),
        retryable: true,
      });
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(5_000);
    // The other two went on.
    expect(outcomes.filter((o) => o.ok && o.afterKill).length).toBeGreaterThan(10);
    // Every acknowledged sign-in is in the database with its session and its event; every chain verifies.
    const acked = outcomes.flatMap((o) => (o.ok && o.sessionId ? [o.sessionId] : []));
    expect(acked.length).toBe(outcomes.filter((o) => o.ok).length);
    const sessions = await tool.db.selectFrom('sessions').select('id').where('id', 'in', acked).execute();
    expect(sessions).toHaveLength(acked.length);
    const events = await tool.db
      .selectFrom('events')
      .select('details')
      .where('account_id', 'in', load.accountIds)
      .where('type', '=', 'sign_in')
      .execute();
    const eventSessions = new Set(events.map((e) => (e.details as { sessionId?: string }).sessionId));
    expect(acked.filter((id) => !eventSessions.has(id))).toEqual([]);
    for (const id of load.accountIds) expect(await chainOk(id)).toBe(true);
    // The sign-in mails: the two live instances send every row but those the dead one had leased (sent again once
    // the lease ends, with the same Message-ID); the receiver holds each sent row's Message-ID, and nothing else.
    const norm = (m: string) => m.replace(/[<>]/g, '');
    const pending = () =>
      tool.db
        .selectFrom('outbox')
        .select('id')
        .where('account_id', 'in', load.accountIds)
        .where('sent_at', 'is', null)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', new Date())]))
        .execute();
    // About 30 mails a second leave two loaded instances: a fast machine's few hundred sign-ins need some seconds.
    for (let i = 0; i < 900 && (await pending()).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await pending()).toEqual([]);
    const mailRows = await tool.db
      .selectFrom('outbox')
      .select(['message_id', 'sent_at', 'to_address', 'lease_until'])
      .where('account_id', 'in', load.accountIds)
      .execute();
    const addresses = new Set(mailRows.map((r) => r.to_address));
    const received = smtp.mails.filter((m) => m.to.some((t) => addresses.has(t)));
    const ids = new Set(mailRows.map((r) => norm(r.message_id)));
    expect(received.filter((m) => !ids.has(norm(m.messageId)))).toEqual([]);
    const got = new Set(received.map((m) => norm(m.messageId)));
    expect(mailRows.filter((r) => r.sent_at !== null && !got.has(norm(r.message_id)))).toEqual([]);
    // What is not sent yet is what the dead instance had leased, waiting for its lease to end.
    const now = Date.now();
    expect(
      mailRows.filter((r) => r.sent_at === null && !(r.lease_until && r.lease_until.getTime() > now)),
    ).toEqual([]);
    console.log(
      `kill under load, mail: ${mailRows.length} rows, ${mailRows.filter((r) => r.sent_at).length} sent, ${received.length} received for ${got.size} Message-IDs`,
    );
    // HAProxy took the dead instance out of the rotation.
    for (let i = 0; i < 100 && (await cluster.serverStates()).i2 === 'UP'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await cluster.serverStates()).i2).toMatch(/DOWN/);
  }, 180_000);
});

const LOAD_PASSWORD = 'Charge-Essai-2027!Garrigue';

let loadPharmacy: { pharmacyId: string; holderId: string } | null = null;
let accountsMade = 0;

/** `n` password delegates of one test pharmacy (its holder made once), each with LOAD_PASSWORD. */
async function seedLoadAccounts(n: number) {
  const stored = await hash(LOAD_PASSWORD, ARGON);
  const now = new Date();
  return tool.db.transaction().execute(async (trx) => {
    if (!loadPharmacy) {
      const pharmacyId = await createPharmacy(
        trx,
        {
          finess: '759999941',
          amNumber: '759999942',
          name: 'Pharmacie de charge',
          address: { line1: '1 rue', postalCode: '75001', city: 'Paris' },
        },
        now,
      );
      const holderId = await createAccount(
        trx,
        {
          pharmacyId,
          kind: 'holder',
          displayName: 'Titulaire de charge',
          identifier: 'charge.titulaire',
          nationalId: '899700044441',
          email: 'charge.titulaire@x.invalid',
          passwordHash: stored,
        },
        now,
        tool.ctx.config,
      );
      loadPharmacy = { pharmacyId, holderId };
    }
    const identifiers: string[] = [];
    const accountIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const identifier = `charge.${accountsMade++}`;
      const id = await createAccount(
        trx,
        {
          pharmacyId: loadPharmacy.pharmacyId,
          kind: 'password_delegate',
          displayName: `Compte ${identifier}`,
          identifier,
          nationalId: null,
          email: `${identifier}@x.invalid`,
          passwordHash: stored,
        },
        now,
        tool.ctx.config,
      );
      await trx
        .insertInto('delegations')
        .values({
          holder_account_id: loadPharmacy.holderId,
          delegate_account_id: id,
          granted_at: now,
          granted_by: loadPharmacy.holderId,
          revoked_at: null,
          revoked_by: null,
        })
        .execute();
      identifiers.push(identifier);
      accountIds.push(id);
    }
    return { identifiers, accountIds };
  });
}

describeCluster('what the proxy tries again', () => {
  it('a request that reached an instance which died is sent once if it is a POST, tried elsewhere if it is a GET', async () => {
    // Two servers that answer HAProxy's health check, then take any other request and die without answering,
    // as an instance killed mid-request does: what matters here is how often the proxy sends each request.
    const arrived: Record<string, number> = {};
    const servers = await Promise.all(
      ['d1', 'd2'].map(async (name) => {
        const port = await freePort();
        const server = createServer((req, res) => {
          if (req.url === '/ready') {
            res.setHeader('content-type', 'application/json');
            res.end('{"status":"ready"}');
            return;
          }
          req.resume();
          req.on('end', () => {
            arrived[req.method!] = (arrived[req.method!] ?? 0) + 1;
            req.socket.destroy();
          });
        });
        await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
        return { name, port, server };
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'vigie-proxy-'));
    const proxy = await startProxy({ dir, servers, onLine: () => undefined });
    const agent = new Agent({ connect: { ca: proxy.certPem } });
    try {
      const post = await undiciFetch(`${proxy.url}/v1/auth/password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"identifier":"x","password":"y"}',
        dispatcher: agent,
      });
      expect(post.status).toBe(502);
      // The core's answer to it: retryable, so the user may simply try again.
      expect(await post.json()).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect(arrived.POST).toBe(1);
      const get = await undiciFetch(`${proxy.url}/v1/me/status`, { dispatcher: agent });
      expect(get.status).toBeGreaterThanOrEqual(502);
      expect(arrived.GET).toBeGreaterThan(1);
    } finally {
      await agent.close();
      await stopProc(proxy.proc);
      await Promise.all(servers.map((s) => new Promise((r) => s.server.close(r))));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
