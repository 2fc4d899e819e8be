/**
 * From the attacker's side: who may withdraw a workstation, and who may register a key under a workstation id.
 * A workstation belongs to one pharmacy (the first to use it, or the one whose session registered it); only its
 * holder withdraws it, and the withdrawal touches her pharmacy's sessions and logs only. A workstation id that has
 * history is registered only from a session opened on that id.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workstationRegistrationMessage } from '../../domain/backend-api';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { PasswordHasher } from '../auth/passwords';
import { createAccount, createPharmacy } from '../accounts/accounts';
import { call, newWorkstation, startTestEnv, type TestEnv, type Workstation } from './harness';
import { proofHeaders } from './proofs';

let env: TestEnv;
const P = DEMO_PEOPLE;
const OTHER_HOLDER = 'titulaire.autre';

beforeAll(async () => {
  env = await startTestEnv();
  await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
  // A second pharmacy, whose holder signs in with a password.
  const passwordHash = await new PasswordHasher(env.backend.ctx.config.argon2).hash(DEMO_PASSWORD);
  await env.backend.db.transaction().execute(async (trx) => {
    const pharmacyId = await createPharmacy(
      trx,
      {
        finess: '759999921',
        amNumber: '759999922',
        name: 'Pharmacie d’en face',
        address: { line1: '2 rue', postalCode: '75002', city: 'Paris' },
      },
      env.clock.now(),
    );
    await createAccount(
      trx,
      {
        pharmacyId,
        kind: 'holder',
        displayName: 'Marc AUTRE',
        nationalId: '899700099999',
        identifier: OTHER_HOLDER,
        email: 'marc@autre.invalid',
        passwordHash,
      },
      env.clock.now(),
      env.backend.ctx.config,
    );
  });
});
afterAll(() => env?.close());
// Each test's sessions end with it (one password account open on two workstations at once is suspicious).
afterEach(async () => {
  await env.backend.db
    .updateTable('sessions')
    .set({ revoked_at: env.clock.now(), end_reason: 'signed_out' })
    .where('revoked_at', 'is', null)
    .execute();
});

const signIn = (identifier: string, ws: Workstation) =>
  call(env, 'POST', '/v1/auth/password', { ws, body: { identifier, password: DEMO_PASSWORD } });

interface Keyed {
  publicKey: string;
  privateKey: KeyObject;
}
const newKey = (): Keyed => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
};
async function registration(ws: Workstation, key: Keyed, label = ws.label) {
  const c = await call(env, 'POST', '/v1/workstations/challenge', { ws });
  const unsigned = {
    workstationId: ws.id,
    label,
    publicKey: key.publicKey,
    challenge: c.json.challenge as string,
  };
  return {
    ...unsigned,
    signature: sign(null, Buffer.from(workstationRegistrationMessage(unsigned)), key.privateKey).toString(
      'base64',
    ),
  };
}
const register = async (ws: Workstation, key: Keyed, token?: string) =>
  call(env, 'POST', '/v1/workstations/register', {
    ws,
    body: await registration(ws, key),
    ...(token ? { token } : {}),
  });

const eventsOf = async (ws: Workstation, token: string, type: string) =>
  (await call(env, 'GET', `/v1/events?type=${type}`, { ws, token })).json.events as {
    details: Record<string, unknown>;
  }[];

describe("a holder cannot withdraw another pharmacy's workstation", () => {
  it('refuses the withdrawal of a workstation she only used under its id; its sessions and logs are untouched', async () => {
    // Sophie (demo pharmacy) works on the back-office computer, which has no keychain.
    const backOffice = newWorkstation('Arrière-boutique');
    const sophie = await signIn(P.accountantSoon.identifier!, backOffice);
    expect(sophie.status).toBe(200);
    const sophieToken = sophie.json.token as string;

    // The holder of another pharmacy sends that id (not a secret) once, then tries to withdraw it.
    const own = newWorkstation('Comptoir d’en face');
    const other = await signIn(OTHER_HOLDER, own);
    const used = await signIn(OTHER_HOLDER, { id: backOffice.id, label: 'Arrière-boutique' });
    expect([other.status, used.status]).toEqual([200, 200]);
    const revoke = await call(env, 'POST', `/v1/pharmacy/workstations/${backOffice.id}/revoke`, {
      ws: own,
      token: other.json.token as string,
    });
    expect([revoke.status, revoke.json.code]).toEqual([404, 'NOT_FOUND']);

    // Sophie's session goes on, her log says nothing, and her computer still signs in.
    expect((await call(env, 'GET', '/v1/me/status', { ws: backOffice, token: sophieToken })).status).toBe(
      200,
    );
    expect(await eventsOf(backOffice, sophieToken, 'session_revoked')).toEqual([]);
    const row = await env.backend.db
      .selectFrom('workstations')
      .select('revoked_at')
      .where('id', '=', backOffice.id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
  });

  it("her own withdrawal ends her pharmacy's sessions only and writes in her pharmacy's logs only", async () => {
    const backOffice = newWorkstation('Arrière-boutique 2');
    const sophie = await signIn(P.accountantSoon.identifier!, backOffice);
    const stranger = await signIn(OTHER_HOLDER, { id: backOffice.id, label: 'x' });
    const counter = newWorkstation('Comptoir');
    const holder = await signIn(P.holder.identifier!, counter);
    expect([sophie.status, stranger.status, holder.status]).toEqual([200, 200, 200]);

    const revoke = await call(env, 'POST', `/v1/pharmacy/workstations/${backOffice.id}/revoke`, {
      ws: counter,
      token: holder.json.token as string,
    });
    expect(revoke.status).toBe(200);
    const [done] = await eventsOf(counter, holder.json.token as string, 'workstation_revoked');
    expect(done!.details).toMatchObject({ workstationId: backOffice.id, sessionsEnded: 1 });

    // The other pharmacy's account: no event written by this holder, its session row not ended by her.
    const elsewhere = newWorkstation('Ailleurs');
    const otherAgain = await signIn(OTHER_HOLDER, elsewhere);
    expect(await eventsOf(elsewhere, otherAgain.json.token as string, 'session_revoked')).toEqual([]);
    const session = await env.backend.db
      .selectFrom('sessions')
      .select(['end_reason'])
      .where('id', '=', stranger.json.sessionId as string)
      .executeTakeFirstOrThrow();
    expect(session.end_reason).toBeNull();
  });
});

describe('no one takes over a workstation id that has no key yet', () => {
  it('refuses to register a key under a used id without a session opened on that id', async () => {
    const backOffice = newWorkstation('Poste sans clé');
    const sophie = await signIn(P.accountantSoon.identifier!, backOffice);
    expect(sophie.status).toBe(200);

    // The attacker knows the id (it travels in a header): he registers his own key and label under it.
    const attacker = newKey();
    const anonymous = await register({ id: backOffice.id, label: 'Poste pirate' }, attacker);
    expect([anonymous.status, anonymous.json.code]).toEqual([401, 'UNAUTHENTICATED']);
    // Nor with a session of his own opened on another workstation.
    const own = newWorkstation('Chez moi');
    const other = await signIn(OTHER_HOLDER, own);
    const withOwnSession = await register(
      { id: backOffice.id, label: 'Poste pirate' },
      attacker,
      other.json.token as string,
    );
    expect(withOwnSession.status).toBe(401);
    const row = await env.backend.db
      .selectFrom('workstations')
      .select(['public_key', 'label'])
      .where('id', '=', backOffice.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ public_key: null, label: 'Poste sans clé' });

    // The workstation itself, signed in, registers its key.
    const own2 = newKey();
    const mine = await register(backOffice, own2, sophie.json.token as string);
    expect(mine.status).toBe(200);
    const after = await env.backend.db
      .selectFrom('workstations')
      .select('public_key')
      .where('id', '=', backOffice.id)
      .executeTakeFirstOrThrow();
    expect(after.public_key).toBe(own2.publicKey);
  });

  it('a new install registers without a session and appears to the holder as a new workstation, with who used it', async () => {
    const reinstall = newWorkstation('Poste réinstallé');
    const key = newKey();
    expect((await register(reinstall, key)).status).toBe(200);
    // Unused so far: it belongs to no pharmacy and no holder sees it.
    const counter = newWorkstation('Comptoir 3');
    const holder = await signIn(P.holder.identifier!, counter);
    const list0 = (
      await call(env, 'GET', '/v1/pharmacy/workstations', { ws: counter, token: holder.json.token as string })
    ).json.workstations as { id: string }[];
    expect(list0.some((w) => w.id === reinstall.id)).toBe(false);

    // Sophie signs in from it: the holder sees a new workstation, and who used it.
    const sophie = await call(env, 'POST', '/v1/auth/password', {
      ws: reinstall,
      body: { identifier: P.accountantSoon.identifier!, password: DEMO_PASSWORD },
      headers: proofHeaders(
        { id: reinstall.id, privateKey: key.privateKey },
        env.clock.now(),
        'POST',
        '/v1/auth/password',
        {
          identifier: P.accountantSoon.identifier!,
          password: DEMO_PASSWORD,
        },
      ),
    });
    expect(sophie.status).toBe(200);
    const list = (
      await call(env, 'GET', '/v1/pharmacy/workstations', { ws: counter, token: holder.json.token as string })
    ).json.workstations as { id: string; isNew: boolean; lastUsedBy: string | null }[];
    expect(list.find((w) => w.id === reinstall.id)).toMatchObject({
      isNew: true,
      lastUsedBy: 'Sophie BERNARD',
    });
    expect(list.find((w) => w.id === counter.id)).toMatchObject({ isNew: true });

    // A week later it is no longer new.
    env.clock.advance(8 * 86_400_000);
    const holderLater = await signIn(P.holder.identifier!, counter);
    const later = (
      await call(env, 'GET', '/v1/pharmacy/workstations', {
        ws: counter,
        token: holderLater.json.token as string,
      })
    ).json.workstations as { id: string; isNew: boolean }[];
    expect(later.find((w) => w.id === reinstall.id)).toMatchObject({ isNew: false });
  });
});
