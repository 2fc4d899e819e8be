/**
 * From the attacker's side: a session token copied from a registered workstation's keychain, and proofs captured
 * on the wire. On a registered workstation every session request carries a proof made with its key over the
 * method, the path, the body's hash and the time (within 30 s of the server's clock); a state-changing request's
 * proof is accepted once, a read's may be replayed within its window. The sign-in proof covers the body.
 * The proof is written here from its specification, not with the backend's own helper.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workstationRegistrationMessage } from '../../domain/backend-api';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { call, newWorkstation, startTestEnv, type TestEnv, type Workstation } from './harness';

let env: TestEnv;
const P = DEMO_PEOPLE;

beforeAll(async () => {
  env = await startTestEnv();
  await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
});
afterAll(() => env?.close());
afterEach(async () => {
  await env.backend.db
    .updateTable('sessions')
    .set({ revoked_at: env.clock.now(), end_reason: 'signed_out' })
    .where('revoked_at', 'is', null)
    .execute();
});

interface Keyed extends Workstation {
  publicKey: string;
  privateKey: KeyObject;
}
function keyed(label: string): Keyed {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    ...newWorkstation(label),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey,
  };
}

/**
 * The proof headers: Ed25519 over
 * `vigie-workstation-request-2 \n id \n time \n nonce \n METHOD path \n base64url(sha256(body))`.
 */
function proof(
  ws: Keyed,
  method: string,
  path: string,
  body: string,
  o: { at?: Date; key?: KeyObject; nonce?: string } = {},
) {
  const time = (o.at ?? env.clock.now()).toISOString();
  const nonce = o.nonce ?? randomBytes(16).toString('base64url');
  const bodyHash = createHash('sha256').update(body, 'utf8').digest('base64url');
  const message = ['vigie-workstation-request-2', ws.id, time, nonce, `${method} ${path}`, bodyHash].join(
    '\n',
  );
  return {
    'x-vigie-workstation-time': time,
    'x-vigie-workstation-nonce': nonce,
    'x-vigie-workstation-proof': sign(null, Buffer.from(message, 'utf8'), o.key ?? ws.privateKey).toString(
      'base64',
    ),
  };
}

async function registered(label: string): Promise<Keyed> {
  const ws = keyed(label);
  const c = await call(env, 'POST', '/v1/workstations/challenge', { ws });
  const unsigned = {
    workstationId: ws.id,
    label,
    publicKey: ws.publicKey,
    challenge: c.json.challenge as string,
  };
  const body = {
    ...unsigned,
    signature: sign(null, Buffer.from(workstationRegistrationMessage(unsigned)), ws.privateKey).toString(
      'base64',
    ),
  };
  expect((await call(env, 'POST', '/v1/workstations/register', { ws, body })).status).toBe(200);
  return ws;
}

async function signIn(ws: Keyed, identifier = P.holder.identifier!) {
  const body = { identifier, password: DEMO_PASSWORD };
  const r = await call(env, 'POST', '/v1/auth/password', {
    ws,
    body,
    headers: proof(ws, 'POST', '/v1/auth/password', JSON.stringify(body)),
  });
  expect(r.status).toBe(200);
  return r.json.token as string;
}

/** A request as the harness sends it, with the body serialised once (what the proof covers). */
const send = (
  ws: Workstation,
  method: 'GET' | 'POST',
  path: string,
  token: string,
  body: unknown,
  headers: Record<string, string>,
) =>
  env.backend.app.inject({
    method,
    url: path,
    headers: {
      'x-vigie-workstation': ws.id,
      'x-vigie-workstation-label': encodeURIComponent(ws.label),
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

describe('a session token copied from a registered workstation', () => {
  it('is refused from another computer: without a proof, or with a proof made by another key', async () => {
    const ws = await registered('Comptoir A');
    const token = await signIn(ws);
    // The thief copies the token and sends the workstation's id (not a secret) from his own computer.
    const bare = await call(env, 'GET', '/v1/me/status', { ws, token });
    expect([bare.status, bare.json.code]).toEqual([401, 'WORKSTATION_PROOF_INVALID']);
    const forged = await send(
      ws,
      'GET',
      '/v1/me/status',
      token,
      undefined,
      proof(ws, 'GET', '/v1/me/status', '', { key: keyed('x').privateKey }),
    );
    expect(forged.statusCode).toBe(401);
    // The workstation itself goes on.
    const own = await send(
      ws,
      'GET',
      '/v1/me/status',
      token,
      undefined,
      proof(ws, 'GET', '/v1/me/status', ''),
    );
    expect(own.statusCode).toBe(200);
  });

  it('a captured proof is bound to its method, path, body and time, and a state-changing one is used once', async () => {
    const ws = await registered('Comptoir B');
    const token = await signIn(ws);
    const reportPath = '/v1/session/sign-out';

    // A proof made for a read does not open another path.
    const forRead = proof(ws, 'GET', '/v1/me/status', '');
    expect((await send(ws, 'GET', '/v1/sessions', token, undefined, forRead)).statusCode).toBe(401);
    // A read may be replayed within the window.
    expect((await send(ws, 'GET', '/v1/me/status', token, undefined, forRead)).statusCode).toBe(200);
    expect((await send(ws, 'GET', '/v1/me/status', token, undefined, forRead)).statusCode).toBe(200);

    // A proof older than 30 s is refused (the workstation signs with the server's time).
    const old = proof(ws, 'GET', '/v1/me/status', '', { at: new Date(env.clock.now().getTime() - 31_000) });
    expect((await send(ws, 'GET', '/v1/me/status', token, undefined, old)).statusCode).toBe(401);

    // A proof for one body does not carry another.
    const grant = {
      kind: 'card_delegate',
      displayName: 'Intrus',
      nationalId: '810000000001',
      email: 'i@x.invalid',
    };
    const other = proof(ws, 'POST', '/v1/delegations', JSON.stringify({ ...grant, displayName: 'Autre' }));
    const swapped = await send(ws, 'POST', '/v1/delegations', token, grant, other);
    expect([swapped.statusCode, swapped.json().code]).toEqual([401, 'WORKSTATION_PROOF_INVALID']);

    // A state-changing request's proof is single use, even when sent to another backend instance on the database.
    const signOutProof = proof(ws, 'POST', reportPath, '');
    const first = await send(ws, 'POST', reportPath, token, undefined, signOutProof);
    expect(first.statusCode).toBe(200);
    const token2 = await signIn(ws);
    const replayProof = proof(ws, 'POST', reportPath, '', {
      nonce: signOutProof['x-vigie-workstation-nonce'],
    });
    expect(replayProof).toEqual(signOutProof);
    const replay = await send(ws, 'POST', reportPath, token2, undefined, signOutProof);
    expect([replay.statusCode, replay.json().code]).toEqual([401, 'WORKSTATION_PROOF_INVALID']);
    expect(
      (await send(ws, 'GET', '/v1/me/status', token2, undefined, proof(ws, 'GET', '/v1/me/status', '')))
        .statusCode,
    ).toBe(200);
  });

  it('the single-use record is shared by every backend instance on the database, and purged after the window', async () => {
    const ws = await registered('Comptoir C');
    const token = await signIn(ws);
    const p = proof(ws, 'POST', '/v1/sessions/revoke-all', '');
    expect((await send(ws, 'POST', '/v1/sessions/revoke-all', token, undefined, p)).statusCode).toBe(200);
    const token2 = await signIn(ws);
    // One PGlite per process: a second instance needs the PostgreSQL server.
    if (env.backend.ctx.dbKind === 'postgres') {
      const { createBackend } = await import('../app');
      const other = await createBackend({
        database: env.databaseUrl,
        clock: env.clock,
        logLevel: 'silent',
        jobs: { autoStart: false },
        mailer: { kind: 'none' },
      });
      try {
        const b = await other.app.inject({
          method: 'POST',
          url: '/v1/sessions/revoke-all',
          headers: { 'x-vigie-workstation': ws.id, authorization: `Bearer ${token2}`, ...p },
        });
        expect(b.statusCode).toBe(401);
      } finally {
        await other.close();
      }
    }
    // After the window the record goes (a new state-changing request clears the expired ones).
    env.clock.advance(31_000);
    const token3 = await signIn(ws);
    expect(
      (
        await send(
          ws,
          'POST',
          '/v1/session/sign-out',
          token3,
          undefined,
          proof(ws, 'POST', '/v1/session/sign-out', ''),
        )
      ).statusCode,
    ).toBe(200);
    const expired = await env.backend.db
      .selectFrom('workstation_request_proofs' as never)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('expires_at' as never, '<=', env.clock.now() as never)
      .executeTakeFirstOrThrow();
    expect(Number(expired.n)).toBe(0);
  });

  it('a sign-in proof covers its body: captured, it cannot try another password or identifier', async () => {
    const ws = await registered('Comptoir D');
    const body = { identifier: P.holder.identifier!, password: DEMO_PASSWORD };
    const captured = proof(ws, 'POST', '/v1/auth/password', JSON.stringify(body));
    const tried = await call(env, 'POST', '/v1/auth/password', {
      ws,
      body: { identifier: P.accountantSoon.identifier!, password: 'Devine-1234!' },
      headers: captured,
    });
    expect([tried.status, tried.json.code]).toEqual([401, 'WORKSTATION_PROOF_INVALID']);
  });

  it('a workstation without a keychain stays bound by its id only', async () => {
    const ws = newWorkstation('Sans trousseau');
    const r = await call(env, 'POST', '/v1/auth/password', {
      ws,
      body: { identifier: P.holder.identifier!, password: DEMO_PASSWORD },
    });
    expect((await call(env, 'GET', '/v1/me/status', { ws, token: r.json.token as string })).status).toBe(200);
  });
});
