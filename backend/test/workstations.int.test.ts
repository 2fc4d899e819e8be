import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEADER_WORKSTATION_NONCE,
  HEADER_WORKSTATION_PROOF,
  HEADER_WORKSTATION_TIME,
  workstationRegistrationMessage,
} from '../../domain/backend-api';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { call, newWorkstation, startTestEnv, type TestEnv, type Workstation } from './harness';
import { proofHeaders } from './proofs';

let env: TestEnv;
const P = DEMO_PEOPLE;

beforeAll(async () => {
  env = await startTestEnv();
  await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
});
afterAll(() => env?.close());

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

async function registration(ws: Keyed, o: { label?: string; key?: KeyObject; publicKey?: string } = {}) {
  const c = await call(env, 'POST', '/v1/workstations/challenge', { ws });
  expect(c.status).toBe(200);
  const unsigned = {
    workstationId: ws.id,
    label: o.label ?? ws.label,
    publicKey: o.publicKey ?? ws.publicKey,
    challenge: c.json.challenge as string,
  };
  const signature = sign(
    null,
    Buffer.from(workstationRegistrationMessage(unsigned)),
    o.key ?? ws.privateKey,
  ).toString('base64');
  return { ...unsigned, signature };
}
const register = (body: unknown, ws: Workstation) =>
  call(env, 'POST', '/v1/workstations/register', { ws, body });
/** The proof headers a registered workstation adds to a request (its key, the server's time). */
const proof = (
  ws: Keyed,
  o: { key?: KeyObject; at?: Date; path?: string; method?: string; body?: unknown } = {},
) =>
  proofHeaders(
    { id: ws.id, privateKey: o.key ?? ws.privateKey },
    o.at ?? env.clock.now(),
    o.method ?? 'POST',
    o.path ?? '/v1/auth/password',
    'body' in o ? o.body : { identifier: P.holder.identifier!, password: DEMO_PASSWORD },
  );
const signIn = (identifier: string, ws: Workstation, headers?: Record<string, string>) =>
  call(env, 'POST', '/v1/auth/password', {
    ws,
    body: { identifier, password: DEMO_PASSWORD },
    headers:
      headers ??
      ('privateKey' in ws ? proof(ws as Keyed, { body: { identifier, password: DEMO_PASSWORD } }) : {}),
  });

describe('workstation registration', () => {
  it('registers a key with its label once the workstation signed the challenge', async () => {
    const ws = keyedWorkstation('Poste comptoir 1');
    const r = await register(await registration(ws), ws);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ workstationId: ws.id, label: 'Poste comptoir 1' });
    const row = await env.backend.db
      .selectFrom('workstations')
      .selectAll()
      .where('id', '=', ws.id)
      .executeTakeFirstOrThrow();
    expect(row.public_key).toBe(ws.publicKey);
    expect(row.registered_at).not.toBeNull();
  });

  it('refuses a replayed challenge, an expired one, a wrong signature and a key that is not Ed25519', async () => {
    const ws = keyedWorkstation('Poste réserve');
    const body = await registration(ws);
    expect((await register(body, ws)).status).toBe(200);
    const replay = await register(body, ws);
    expect([replay.status, replay.json.code]).toEqual([401, 'CHALLENGE_REPLAYED']);

    const late = await registration(ws);
    env.clock.advance(6 * 60_000);
    const expired = await register(late, ws);
    env.clock.advance(-6 * 60_000);
    expect([expired.status, expired.json.code]).toEqual([401, 'CHALLENGE_EXPIRED']);

    const other = keyedWorkstation('x');
    const forged = await register(await registration(ws, { key: other.privateKey }), ws);
    expect([forged.status, forged.json.code]).toEqual([401, 'SIGNATURE_INVALID']);

    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    const wrongKind = await register({ ...(await registration(ws)), publicKey: rsa.slice(0, 200) }, ws);
    expect(wrongKind.status).toBeGreaterThanOrEqual(400);
    expect(wrongKind.status).toBeLessThan(500);
  });

  it('never lets another install take over a registered workstation; the owner may rename it', async () => {
    const ws = keyedWorkstation('Comptoir 2');
    expect((await register(await registration(ws), ws)).status).toBe(200);
    const intruder = keyedWorkstation('Comptoir 2');
    const takeover = await register(await registration({ ...intruder, id: ws.id }), ws);
    expect([takeover.status, takeover.json.code]).toEqual([409, 'CONFLICT']);

    const renamed = await register(await registration(ws, { label: 'Comptoir 2 (fenêtre)' }), ws);
    expect(renamed.json).toMatchObject({ label: 'Comptoir 2 (fenêtre)' });
  });

  it('a registered workstation keeps its label in the events log whatever the request header says', async () => {
    const ws = keyedWorkstation('Poste comptoir 3');
    expect((await register(await registration(ws), ws)).status).toBe(200);
    const r = await signIn(P.holder.identifier!, { id: ws.id, label: 'Faux nom' }, proof(ws));
    expect(r.status).toBe(200);
    const events = await call(env, 'GET', `/v1/events?type=sign_in&limit=1`, {
      ws,
      token: r.json.token as string,
      headers: proof(ws, { method: 'GET', path: '/v1/events?type=sign_in&limit=1', body: undefined }),
    });
    expect((events.json.events as { workstationLabel: string }[])[0]!.workstationLabel).toBe(
      'Poste comptoir 3',
    );
    const verify = await call(env, 'GET', '/v1/events/verify', {
      ws,
      token: r.json.token as string,
      headers: proof(ws, { method: 'GET', path: '/v1/events/verify', body: undefined }),
    });
    expect(verify.json).toMatchObject({ ok: true });
  });
});

describe('a registered workstation proves each sign-in with its key', () => {
  it('refuses a sign-in under its id without the proof, with another key, an old time or another route', async () => {
    const ws = keyedWorkstation('Poste comptoir 4');
    expect((await register(await registration(ws), ws)).status).toBe(200);
    const id = P.holder.identifier!;
    for (const [why, headers] of [
      ['no proof', {}],
      ['another key', proof(ws, { key: keyedWorkstation('x').privateKey })],
      ['6 minutes old', proof(ws, { at: new Date(env.clock.now().getTime() - 6 * 60_000) })],
      ['signed for another route', proof(ws, { path: '/v1/auth/card' })],
    ] as const) {
      const r = await signIn(id, ws, headers);
      expect([why, r.status, r.json.code]).toEqual([why, 401, 'WORKSTATION_PROOF_INVALID']);
    }
    const bad = await signIn(id, ws, {
      [HEADER_WORKSTATION_TIME]: 'hier',
      [HEADER_WORKSTATION_NONCE]: 'x',
      [HEADER_WORKSTATION_PROOF]: 'x',
    });
    expect([bad.status, bad.json.code]).toEqual([400, 'INVALID_REQUEST']);
    // Within the window (the workstation's estimate of the server clock 4 minutes off) it works.
    const ok = await signIn(id, ws, proof(ws, { at: new Date(env.clock.now().getTime() + 4 * 60_000) }));
    expect(ok.status).toBe(200);
    expect(ok.headers['x-vigie-server-time']).toBe(env.clock.now().toISOString());
    // An unregistered workstation has nothing to prove.
    expect((await signIn(id, newWorkstation('Sans clé'))).status).toBe(200);
  });
});

describe('the holder withdraws a workstation', () => {
  it('lists the pharmacy workstations, ends the sessions of a withdrawn one and refuses it from then on', async () => {
    const counter = keyedWorkstation('Comptoir principal');
    const back = keyedWorkstation('Poste arrière-boutique');
    expect((await register(await registration(back), back)).status).toBe(200);
    const holder = await signIn(P.holder.identifier!, counter);
    const sophie = await signIn(P.accountantSoon.identifier!, back);
    expect([holder.status, sophie.status]).toEqual([200, 200]);
    const holderToken = holder.json.token as string;
    const sophieToken = sophie.json.token as string;

    // A delegate cannot manage workstations.
    const forbidden = await call(env, 'GET', '/v1/pharmacy/workstations', {
      ws: back,
      token: sophieToken,
      headers: proof(back, { method: 'GET', path: '/v1/pharmacy/workstations', body: undefined }),
    });
    expect([forbidden.status, forbidden.json.code]).toEqual([403, 'FORBIDDEN']);

    const list = await call(env, 'GET', '/v1/pharmacy/workstations', { ws: counter, token: holderToken });
    expect(list.status).toBe(200);
    const byId = new Map(
      (list.json.workstations as { id: string; registeredAt: string | null }[]).map((w) => [w.id, w]),
    );
    expect(byId.get(counter.id)).toMatchObject({
      label: 'Comptoir principal',
      current: true,
      registeredAt: null,
      revokedAt: null,
    });
    expect(byId.get(back.id)).toMatchObject({
      label: 'Poste arrière-boutique',
      current: false,
      lastUsedBy: 'Sophie BERNARD',
      openSessions: 1,
    });
    expect(byId.get(back.id)!.registeredAt).not.toBeNull();

    // Not the workstation in use, not one of another pharmacy, not twice.
    const self = await call(env, 'POST', `/v1/pharmacy/workstations/${counter.id}/revoke`, {
      ws: counter,
      token: holderToken,
    });
    expect([self.status, self.json.code]).toEqual([409, 'CONFLICT']);
    const stranger = newWorkstation('Ailleurs');
    const foreign = await call(env, 'POST', `/v1/pharmacy/workstations/${stranger.id}/revoke`, {
      ws: counter,
      token: holderToken,
    });
    expect([foreign.status, foreign.json.code]).toEqual([404, 'NOT_FOUND']);

    const revoked = await call(env, 'POST', `/v1/pharmacy/workstations/${back.id}/revoke`, {
      ws: counter,
      token: holderToken,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ id: back.id, openSessions: 0 });
    expect(revoked.json.revokedAt).not.toBeNull();
    const again = await call(env, 'POST', `/v1/pharmacy/workstations/${back.id}/revoke`, {
      ws: counter,
      token: holderToken,
    });
    expect([again.status, again.json.code]).toEqual([409, 'CONFLICT']);

    // Sophie's session there is over; she cannot sign in from it nor register it again. From another one she can.
    const after = await call(env, 'GET', '/v1/me/status', { ws: back, token: sophieToken });
    expect(after.status).toBe(401);
    expect(['SESSION_REVOKED', 'WORKSTATION_REVOKED']).toContain(after.json.code);
    const retry = await signIn(P.accountantSoon.identifier!, back);
    expect([retry.status, retry.json.code]).toEqual([401, 'WORKSTATION_REVOKED']);
    const reregister = await register(await registration(back), back);
    expect([reregister.status, reregister.json.code]).toEqual([401, 'WORKSTATION_REVOKED']);
    const bureau = keyedWorkstation('Poste bureau');
    const elsewhere = await signIn(P.accountantSoon.identifier!, bureau);
    expect(elsewhere.status).toBe(200);

    // Both logs say so, and both chains still verify.
    const holderEvents = await call(env, 'GET', '/v1/events?type=workstation_revoked', {
      ws: counter,
      token: holderToken,
    });
    expect((holderEvents.json.events as { details: unknown }[])[0]).toMatchObject({
      type: 'workstation_revoked',
      outcome: 'success',
      details: { workstationId: back.id, label: 'Poste arrière-boutique', sessionsEnded: 1 },
    });
    const sophieEvents = await call(env, 'GET', '/v1/events?type=session_revoked', {
      ws: bureau,
      token: elsewhere.json.token as string,
    });
    expect((sophieEvents.json.events as unknown[])[0]).toMatchObject({
      outcome: 'info',
      workstationLabel: 'Comptoir principal',
      details: { reason: 'workstation_revoked', workstationId: back.id },
    });
    expect(
      (await call(env, 'GET', '/v1/events/verify', { ws: counter, token: holderToken })).json,
    ).toMatchObject({ ok: true });
    expect(
      (await call(env, 'GET', '/v1/events/verify', { ws: bureau, token: elsewhere.json.token as string }))
        .json,
    ).toMatchObject({ ok: true });
  });
});

describe('malformed registration', () => {
  it('answers 400 with a code for bad bodies, never 5xx', async () => {
    const ws = keyedWorkstation('x');
    for (const body of [
      {},
      { workstationId: 'nope' },
      { ...(await registration(ws)), label: 'a\u0000b' },
      { ...(await registration(ws)), extra: 1 },
      { ...(await registration(ws)), signature: '%%%' },
    ]) {
      const r = await register(body, ws);
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('INVALID_REQUEST');
    }
  });
});
