import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../backend/app';
import { seedDemo } from '../../../backend/demo/seed';
import { DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PHARMACY } from '../../../backend/demo/people';
import { workstationRegistrationMessage } from '../../../domain/backend-api';
import { BackendClient, certificateSha256, type BackendClientOptions } from './client';

let backend: Backend;
let url: string;
let dir: string;
let cert: Buffer;
const logs: unknown[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-client-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'));
  backend = await createBackend({
    database: 'pglite:memory',
    logLevel: 'silent',
    jobs: { autoStart: false },
    tls: { key: readFileSync(join(dir, 'key.pem')), cert },
    failureFloorMs: 10,
    config: { argon2: { memoryCost: 4096, timeCost: 2, parallelism: 1 } },
  });
  await seedDemo(backend.db, new Date(), backend.ctx.config);
  url = await backend.listen(0, '127.0.0.1');
}, 60_000);
afterAll(async () => {
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = (o: Partial<BackendClientOptions> = {}) =>
  new BackendClient({
    baseUrl: url,
    workstation: { id: randomUUID(), label: 'Comptoir 1 — été' },
    appVersion: '0.1.0',
    ca: cert,
    log: (e) => logs.push(e),
    ...o,
  });

describe('backend client (HTTPS, typed from the route table)', () => {
  it('signs in over TLS with the server CA, keeps the token, and reads typed answers', async () => {
    const c = client();
    const r = await c.call('signInPassword', {
      body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    });
    expect(r.ok).toBe(true);
    expect(c.signedIn).toBe(true);
    const status = await c.call('myStatus');
    expect(status).toMatchObject({ ok: true, value: { displayName: 'Claire MARTIN', state: 'active' } });
    const page = await c.call('listEvents', { query: { type: 'sign_in', limit: 5 } });
    expect(page.ok && page.value.events.length).toBe(5);
    const events = page.ok ? page.value.events : [];
    expect(events[0]?.workstationLabel).toBe('Comptoir 1 — été');
    const csv = await c.call('exportEvents', { query: { type: 'sign_in' } });
    expect(csv.ok && csv.value.startsWith('date,evenement')).toBe(true);
    expect((await c.call('signOut')).ok).toBe(true);
    expect(c.signedIn).toBe(false);
    await c.close();
  });

  it('accepts a pinned certificate and refuses another one as BACKEND_TLS_ERROR', async () => {
    const pinned = client({ ca: cert, pinnedCertSha256: certificateSha256(cert) });
    expect((await pinned.call('health')).ok).toBe(true);
    const wrong = client({ ca: cert, pinnedCertSha256: 'ab'.repeat(32) });
    expect(await wrong.call('health')).toMatchObject({ ok: false, code: 'BACKEND_TLS_ERROR' });
    const untrusted = client({ ca: undefined });
    expect(await untrusted.call('health')).toMatchObject({ ok: false, code: 'BACKEND_TLS_ERROR' });
    await Promise.all([pinned.close(), wrong.close(), untrusted.close()]);
  });

  it('gives the block reason and the ways out, and stable codes for refusals', async () => {
    const c = client();
    const r = await c.call('signInPassword', {
      body: { identifier: DEMO_PEOPLE.accountantBlocked.identifier, password: DEMO_PASSWORD },
    });
    expect(r).toMatchObject({
      ok: false,
      code: 'ACCOUNT_BLOCKED_INACTIVITY',
      status: 403,
      body: { blocked: { reason: 'inactivity' } },
    });
    expect(!r.ok && 'body' in r ? r.body?.blocked?.unblockPaths : []).toContain('postal_code');
    expect(await c.call('signInPassword', { body: { identifier: 'inconnu', password: 'x' } })).toMatchObject({
      ok: false,
      code: 'INVALID_CREDENTIALS',
    });
    expect(await c.call('myStatus')).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    // a malformed call never leaves the workstation
    expect(await c.call('listEvents', { query: { limit: 5000 } })).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
    await c.close();
  });

  it('proves every request of a registered workstation: its token copied to another computer is refused', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const id = randomUUID();
    const label = 'Comptoir signé';
    const signer = (m: string) => sign(null, Buffer.from(m, 'utf8'), privateKey).toString('base64');
    const c = client({ workstation: { id, label, sign: signer } });
    const challenge = await c.call('workstationChallenge');
    expect(challenge.ok).toBe(true);
    const unsigned = {
      workstationId: id,
      label,
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      challenge: challenge.ok ? challenge.value.challenge : '',
    };
    const registered = await c.call('registerWorkstation', {
      body: { ...unsigned, signature: signer(workstationRegistrationMessage(unsigned)) },
    });
    expect(registered.ok).toBe(true);
    const r = await c.call('signInPassword', {
      body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    });
    expect(r.ok).toBe(true);
    const token = r.ok && 'token' in r.value ? r.value.token : '';
    // Reads, queries and state-changing requests of the workstation itself go through with their proofs.
    expect((await c.call('myStatus')).ok).toBe(true);
    expect((await c.call('listEvents', { query: { type: 'sign_in', limit: 2 } })).ok).toBe(true);

    // The token copied from the keychain, sent with the workstation's id from a computer without its key.
    const thief = client({ workstation: { id, label } });
    thief.useToken(token);
    expect(await thief.call('myStatus')).toMatchObject({ ok: false, code: 'WORKSTATION_PROOF_INVALID' });
    expect(await thief.call('revokeAllSessions')).toMatchObject({
      ok: false,
      code: 'WORKSTATION_PROOF_INVALID',
    });
    expect((await c.call('signOut')).ok).toBe(true);
    await Promise.all([c.close(), thief.close()]);
  });

  it('maps a server that is down to BACKEND_UNREACHABLE, retryable, and never logs the token', async () => {
    const c = new BackendClient({
      baseUrl: 'http://127.0.0.1:9',
      workstation: { id: randomUUID(), label: 'x' },
      appVersion: '0.1.0',
      timeoutMs: 2000,
    });
    expect(await c.call('health')).toMatchObject({ ok: false, code: 'BACKEND_UNREACHABLE', retryable: true });
    expect(JSON.stringify(logs)).not.toMatch(/Bearer|token/i);
  });
});
