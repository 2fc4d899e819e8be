/**
 * Delegations with an end date (« fin de contrat »), and the staff cards' end dates the holder sees: a real
 * backend on PGlite and on PostgreSQL, mails through a real SMTP server, the clock moved by hand.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestPki, type TestPki } from '../../card-sim/pki';
import { addParisDays, delegationEndsAt, parisDate } from '../../domain/policy';
import { DEMO_PEOPLE } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { runDelegationEnds } from '../jobs/delegation-ends';
import { signLikeCps3 } from '../auth/card/test-pki';
import { call, newWorkstation, startTestEnv, type TestEnv } from './harness';

let env: TestEnv;
let pki: TestPki;
let holder: string;
const ws = newWorkstation('Bureau');
const accountantWs = newWorkstation('Cabinet comptable');
const PW = 'Orage-Piment-48!x';
const HOLDER_EMAIL = DEMO_PEOPLE.holder.email;

/** A card sign-in of the given person (the card-sim test PKI's key signs the challenge). */
async function cardSignIn(nationalId: string) {
  const card = pki.holders[nationalId]!;
  const ch = await call(env, 'POST', '/v1/auth/card/challenge', { ws });
  const challenge = ch.json.challenge as string;
  const sig = signLikeCps3(card.authKeyPem, Buffer.from(challenge, 'base64url'));
  const der = Buffer.from(card.authCertPem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
  const r = await call(env, 'POST', '/v1/auth/card', {
    ws,
    body: { challenge, signature: sig.toString('base64'), certificate: der.toString('base64') },
  });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return {
    token: r.json.token as string,
    notAfter: new Date(new X509Certificate(der).validTo).toISOString(),
  };
}

/** The holder signs in with her card: no password rule (expiry, second factor) gets in the way of a moved clock. */
async function holderSignIn() {
  holder = (await cardSignIn(DEMO_PEOPLE.holder.nationalId)).token;
}

beforeAll(async () => {
  pki = await loadTestPki();
  env = await startTestEnv({
    // Today: the card-sim certificates are valid from the day they were made.
    now: new Date().toISOString(),
    backend: {
      signin: {
        cardAuth: {
          trustPemFiles: [join(pki.dir, 'root.pem'), join(pki.dir, 'intermediate.pem')],
          crlFiles: [join(pki.dir, 'crl.pem')],
        },
      },
    },
  });
  await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
  await holderSignIn();
  await env.deliver();
});
afterAll(() => env?.close());

const day = (offset: number) => parisDate(addParisDays(env.clock.now(), offset));

async function grant(identifier: string, endsOn?: string) {
  const r = await call(env, 'POST', '/v1/delegations', {
    ws,
    token: holder,
    body: {
      kind: 'password_delegate',
      displayName: `Compta ${identifier}`,
      identifier,
      email: `${identifier}@demo.vigie.invalid`,
      initialPassword: PW,
      ...(endsOn ? { endsOn } : {}),
    },
  });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as { id: string; endsOn: string | null; delegate: { accountId: string } };
}

const eventsOf = (accountId: string, type: string) =>
  env.backend.db
    .selectFrom('events')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('type', '=', type)
    .execute();

describe('delegation end date', () => {
  it('reminds the holder 7 days before, ends the access at midnight Paris, closes the sessions and mails both', async () => {
    const endsOn = day(10);
    const d = await grant('fin.contrat', endsOn);
    expect(d.endsOn).toBe(endsOn);
    const accounts = await call(env, 'GET', '/v1/pharmacy/accounts', { ws, token: holder });
    expect(
      (accounts.json.accounts as { accountId: string; delegationEndsOn: string | null }[]).find(
        (a) => a.accountId === d.delegate.accountId,
      ),
    ).toMatchObject({ delegationEndsOn: endsOn });
    const endsAt = delegationEndsAt(endsOn);

    // one minute before the reminder: nothing
    env.clock.set(new Date(addParisDays(endsAt, -7).getTime() - 60_000));
    await env.backend.jobs.run('delegation-ends');
    expect(await env.deliver()).toHaveLength(0);
    // the reminder, once
    env.clock.advance(2 * 60_000);
    await env.backend.jobs.run('delegation-ends');
    const reminder = await env.deliver();
    expect(reminder.map((m) => m.to[0])).toEqual([HOLDER_EMAIL]);
    expect(reminder[0]!.subject).toContain('Compta fin.contrat');
    expect(reminder[0]!.text).toContain('ne vous demanderont jamais par téléphone un code');
    await env.backend.jobs.run('delegation-ends');
    expect(await env.deliver()).toHaveLength(0);
    expect(await eventsOf(await holderId(), 'delegation_end_reminder_sent')).toHaveLength(1);

    // the last evening: the accountant signs in and works
    env.clock.set(new Date(endsAt.getTime() - 30 * 60_000));
    const s = await call(env, 'POST', '/v1/auth/password', {
      ws: accountantWs,
      body: { identifier: 'fin.contrat', password: PW },
    });
    expect(s.status, JSON.stringify(s.json)).toBe(200);
    const token = s.json.token as string;
    await env.backend.jobs.run('delegation-ends');
    expect((await call(env, 'GET', '/v1/me/status', { ws: accountantWs, token })).status).toBe(200);
    await env.deliver();

    // midnight in Paris: the job ends the delegation and the session
    env.clock.set(new Date(endsAt.getTime() + 30_000));
    expect(await env.backend.jobs.run('delegation-ends')).toBe(1);
    const after = await call(env, 'GET', '/v1/me/status', { ws: accountantWs, token });
    expect(after.status).toBe(401);
    const session = await env.backend.db
      .selectFrom('sessions')
      .select(['revoked_at', 'end_reason'])
      .where('account_id', '=', d.delegate.accountId)
      .executeTakeFirstOrThrow();
    expect(session.end_reason).toBe('delegation_ended');
    const again = await call(env, 'POST', '/v1/auth/password', {
      ws: accountantWs,
      body: { identifier: 'fin.contrat', password: PW },
    });
    expect(again.status).not.toBe(200);

    const mails = await env.deliver();
    expect(mails.map((m) => m.to[0]).sort()).toEqual([HOLDER_EMAIL, 'fin.contrat@demo.vigie.invalid'].sort());
    const toDelegate = mails.find((m) => m.to[0] === 'fin.contrat@demo.vigie.invalid')!;
    expect(toDelegate.subject).toBe('Votre accès délégué au compte amelipro a pris fin');
    expect(toDelegate.text).toContain('ne vous demanderont jamais par téléphone');
    expect(await eventsOf(d.delegate.accountId, 'delegation_ended')).toHaveLength(1);
    expect(await eventsOf(await holderId(), 'delegation_ended')).toHaveLength(1);

    // the holder's list: revoked from the end instant, by no one (the end date did it)
    const row = await env.backend.db
      .selectFrom('delegations')
      .selectAll()
      .where('id', '=', d.id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at?.toISOString()).toBe(endsAt.toISOString());
    expect(row.revoked_by).toBeNull();
    // a second run does nothing more
    expect(await env.backend.jobs.run('delegation-ends')).toBe(0);
    expect(await env.deliver()).toHaveLength(0);
    await holderSignIn();
  });

  it('lets the holder set, change and remove the end date later; a day already over is refused', async () => {
    const d = await grant('plus.tard');
    expect(d.endsOn).toBeNull();
    const set = (endsOn: string | null, token = holder) =>
      call(env, 'POST', `/v1/delegations/${d.id}/end`, { ws, token, body: { endsOn } });
    expect((await set(day(3))).json.endsOn).toBe(day(3));
    expect((await set(day(40))).json.endsOn).toBe(day(40));
    const past = await set(day(-1));
    expect(past.status).toBe(400);
    expect(past.json.code).toBe('INVALID_REQUEST');
    expect((await set('2027-02-30')).status).toBe(400);
    expect((await set(null)).json.endsOn).toBeNull();
    const events = await eventsOf(d.delegate.accountId, 'delegation_end_set');
    expect(events).toHaveLength(3);
    // without an end date, the job never ends it
    env.clock.advance(60 * 86_400_000);
    await env.backend.jobs.run('delegation-ends');
    const row = await env.backend.db
      .selectFrom('delegations')
      .select('revoked_at')
      .where('id', '=', d.id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
    await holderSignIn();
  });

  it("a delegate cannot push back an end date, her own or another's", async () => {
    const d = await grant('pousse.date', day(5));
    const other = await grant('autre.compta', day(5));
    // a delegate signed in with her own card (the pharmacy's employee)
    const { token } = await cardSignIn(DEMO_PEOPLE.employee.nationalId);
    await holderSignIn();
    const list = await call(env, 'GET', '/v1/delegations', { ws, token: holder });
    const own = (list.json.delegations as { id: string; delegate: { displayName: string } }[]).find(
      (x) => x.delegate.displayName === 'Julien PETIT',
    )!;
    for (const id of [own.id, d.id, other.id]) {
      const r = await call(env, 'POST', `/v1/delegations/${id}/end`, {
        ws,
        token,
        body: { endsOn: null },
      });
      expect(r.status).toBe(403);
      expect(r.json.code).toBe('FORBIDDEN');
    }
    const unknown = await call(env, 'POST', `/v1/delegations/00000000-0000-4000-8000-000000000000/end`, {
      ws,
      token: holder,
      body: { endsOn: null },
    });
    expect(unknown.json.code).toBe('NOT_FOUND');
    const after = await call(env, 'GET', '/v1/delegations', { ws, token: holder });
    expect(
      (after.json.delegations as { id: string; endsOn: string }[]).find((x) => x.id === d.id)!.endsOn,
    ).toBe(day(5));
  });

  it('two instances running the job at once end each delegation once', async () => {
    const a = await grant('ensemble.un', day(0));
    const b = await grant('ensemble.deux', day(0));
    await env.deliver();
    env.clock.set(new Date(delegationEndsAt(day(0)).getTime() + 1000));
    const counts = await Promise.all([
      runDelegationEnds(env.backend.ctx),
      runDelegationEnds(env.backend.ctx),
    ]);
    expect(counts[0]! + counts[1]!).toBeGreaterThanOrEqual(2);
    for (const d of [a, b]) expect(await eventsOf(d.delegate.accountId, 'delegation_ended')).toHaveLength(1);
    const mails = await env.deliver();
    expect(
      mails.filter((m) => m.subject === 'Votre accès délégué au compte amelipro a pris fin'),
    ).toHaveLength(2);
    await holderSignIn();
  });
});

describe('staff cards nearing their end', () => {
  it('a card sign-in records the certificate end date; the holder sees it on the pharmacy screen', async () => {
    env.clock.set(new Date());
    await holderSignIn();
    const { notAfter } = await cardSignIn(DEMO_PEOPLE.employee.nationalId);
    await holderSignIn();
    const accounts = await call(env, 'GET', '/v1/pharmacy/accounts', { ws, token: holder });
    const row = (accounts.json.accounts as { displayName: string; cardNotAfter: string | null }[]).find(
      (a) => a.displayName === 'Julien PETIT',
    )!;
    expect(row.cardNotAfter).toBe(notAfter);
  });
});

let holderAccountId: string | null = null;
async function holderId(): Promise<string> {
  holderAccountId ??= (
    await env.backend.db
      .selectFrom('accounts')
      .select('id')
      .where('kind', '=', 'holder')
      .executeTakeFirstOrThrow()
  ).id;
  return holderAccountId;
}
