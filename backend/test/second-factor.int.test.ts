/**
 * The second factor of a password sign-in, through the HTTP API of a real backend (PGlite and PostgreSQL), with the
 * mailed codes read from a real SMTP server and TOTP codes computed as an authenticator app does (same library).
 * Written from both sides: the accountant who enrols and signs in, and a phisher who holds only her password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PHARMACY } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { createBackend } from '../app';
import { sealSecret, totpCode } from '../auth/factors/secret';
import { setSecurityKey } from '../unblock/security-key';
import { createSession } from '../sessions/sessions';
import { GRACE_MS } from '../auth/factors/grace';
import { verifyChain } from '../events/chain';
import { call, headers, newWorkstation, startTestEnv, testDatabaseUrl, type TestEnv } from './harness';

let env: TestEnv;
const P = DEMO_PEOPLE;
const ws = newWorkstation('Bureau comptable');
const phisherWs = newWorkstation('Poste pirate');
const SOPHIE = P.accountantSoon;

beforeAll(async () => {
  env = await startTestEnv({ now: '2026-03-02T09:00:00+01:00' });
  await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
});
afterAll(() => env?.close());

const signIn = (identifier: string, w = ws) =>
  call(env, 'POST', '/v1/auth/password', { ws: w, body: { identifier, password: DEMO_PASSWORD } });
const post = (url: string, body: unknown, w = ws, token?: string) =>
  call(env, 'POST', url, { ws: w, body, ...(token ? { token } : {}) });
const codeIn = (text: string) => /\b([0-9]{6})\b/.exec(text)?.[1] ?? '';
async function mailedCode(to: string) {
  const mails = (await env.deliver()).filter((m) => m.to.includes(to) && m.subject.startsWith('Votre code'));
  expect(mails).toHaveLength(1);
  return codeIn(mails[0]!.subject);
}
const step = (r: { json: Record<string, unknown> }) =>
  (r.json.secondStep ?? {}) as { ticket: string; purpose: string; methods: string[]; mailTo: string };

describe('enrolment and sign-in with TOTP', () => {
  let secret = '';
  let recovery: string[] = [];

  it('in the grace period a password alone opens a session, says until when, and the mail says no factor was used', async () => {
    const r = await signIn(SOPHIE.identifier!);
    expect(r.status).toBe(200);
    const graceEnds = new Date(env.clock.now().getTime() + GRACE_MS).toISOString();
    expect(r.json).toMatchObject({ factorGrace: { graceEndsAt: graceEnds, extendable: true } });
    const mail = (await env.deliver()).find((m) => m.to.includes(SOPHIE.email))!;
    expect(mail.text).toContain('Sans second facteur');
    await call(env, 'POST', '/v1/session/sign-out', { ws, token: r.json.token as string });
  });

  it('a phisher holding only the password cannot enrol: no mailed code, no secret, no factor', async () => {
    const r = await signIn(SOPHIE.identifier!, phisherWs);
    const session = r.json.token as string;
    const start = await call(env, 'POST', '/v1/me/second-factor/enrol', { ws: phisherWs, token: session });
    expect(start.status).toBe(200);
    const { ticket } = step(start);
    // He asks for the code: it goes to Sophie's mailbox, not to him.
    expect((await post('/v1/auth/second-factor/mail-code', { ticket }, phisherWs)).status).toBe(200);
    const mails = await env.deliver();
    expect(mails.filter((m) => m.to.includes(SOPHIE.email)).map((m) => m.subject)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Votre code Vigie : [0-9]{6}$/)]),
    );
    expect(mails.filter((m) => !m.to.includes(SOPHIE.email))).toEqual([]);
    for (const guess of ['000000', '123456', '999999']) {
      const t = await post('/v1/auth/enrol/totp', { ticket, mailCode: guess }, phisherWs);
      expect(t.status).toBe(401);
      expect(t.json.code).toBe('INVALID_CREDENTIALS');
    }
    // Confirming an app without the mailbox proven, or the e-mail factor with a guess: refused.
    expect(
      (await post('/v1/auth/enrol/confirm', { ticket, kind: 'totp', code: '123456' }, phisherWs)).status,
    ).toBe(401);
    expect(
      (await post('/v1/auth/enrol/confirm', { ticket, kind: 'email', code: '654321' }, phisherWs)).status,
    ).toBe(401);
    const mine = await call(env, 'GET', '/v1/me/second-factor', { ws: phisherWs, token: session });
    expect(mine.json).toMatchObject({ kind: null, recoveryCodesLeft: 0 });
    await call(env, 'POST', '/v1/session/sign-out', { ws: phisherWs, token: session });
  });

  it('Sophie enrols an authenticator app with the mailed code, confirms it with its first code, and gets 10 recovery codes once', async () => {
    const r = await signIn(SOPHIE.identifier!);
    const session = r.json.token as string;
    const { ticket, purpose, methods } = step(
      await call(env, 'POST', '/v1/me/second-factor/enrol', { ws, token: session }),
    );
    expect(purpose).toBe('enrol');
    expect(methods).toEqual(['totp', 'email']);
    await env.deliver();
    const sent = await post('/v1/auth/second-factor/mail-code', { ticket });
    expect(sent.json).toMatchObject({ mailTo: 's•••@demo.vigie.invalid' });
    // A second code is refused for a minute.
    expect((await post('/v1/auth/second-factor/mail-code', { ticket })).json.code).toBe('RATE_LIMITED');
    const mailCode = await mailedCode(SOPHIE.email);
    const t = await post('/v1/auth/enrol/totp', { ticket, mailCode });
    expect(t.status).toBe(200);
    secret = t.json.secret as string;
    expect(t.json.uri).toMatch(/^otpauth:\/\/totp\/Vigie%20amelipro:sophie\.bernard\?/);
    expect((await post('/v1/auth/enrol/confirm', { ticket, kind: 'totp', code: '000000' })).status).toBe(401);
    const c = await post('/v1/auth/enrol/confirm', {
      ticket,
      kind: 'totp',
      code: totpCode(secret, env.clock.now()),
    });
    expect(c.status).toBe(200);
    recovery = c.json.recoveryCodes as string[];
    expect(new Set(recovery).size).toBe(10);
    expect(c.json.session).toBeUndefined();
    // Stored sealed and hashed: neither the secret nor a recovery code is in the database in clear.
    const f = await env.backend.db.selectFrom('second_factors').selectAll().execute();
    expect(JSON.stringify(f)).not.toContain(secret);
    const rc = await env.backend.db.selectFrom('recovery_codes').select('code_hash').execute();
    expect(rc.map((x) => x.code_hash)).not.toContain(recovery[0]);
    const mails = await env.deliver();
    expect(mails.map((m) => m.subject)).toContain('Second facteur activé sur votre compte amelipro');
    await call(env, 'POST', '/v1/session/sign-out', { ws, token: session });
  });

  it('the password now leads to a second step; the app code opens the session once, and the mail names the factor', async () => {
    env.clock.advance(60_000);
    const r = await signIn(SOPHIE.identifier!);
    expect(r.status).toBe(200);
    expect(r.json.token).toBeUndefined();
    const { ticket, purpose, methods } = step(r);
    expect(purpose).toBe('verify');
    expect(methods).toEqual(['totp', 'recovery']);
    // No mailed code for an app account's second step.
    expect((await post('/v1/auth/second-factor/mail-code', { ticket })).status).toBe(400);
    // The ticket is bound to the workstation it was given to.
    const code = totpCode(secret, env.clock.now());
    expect((await post('/v1/auth/second-factor', { ticket, method: 'totp', code }, phisherWs)).status).toBe(
      401,
    );
    const ok = await post('/v1/auth/second-factor', { ticket, method: 'totp', code });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ account: { displayName: SOPHIE.displayName } });
    const mail = (await env.deliver()).find(
      (m) => m.subject === 'Nouvelle connexion à votre compte amelipro',
    )!;
    expect(mail.text).toContain("le code de l'application d'authentification");
    // Her history names the sign-in and the factor, and its chain still verifies.
    const sophie = ok.json as { sessionId: string; account: { id: string } };
    const signedIn = await env.backend.db
      .selectFrom('events')
      .select(['details', 'workstation_label'])
      .where('account_id', '=', sophie.account.id)
      .where('type', '=', 'sign_in')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(signedIn.details).toEqual({ sessionId: sophie.sessionId, factor: 'totp' });
    expect(await verifyChain(env.backend.db, sophie.account.id)).toMatchObject({ ok: true, firstBad: null });
    await call(env, 'POST', '/v1/session/sign-out', { ws, token: ok.json.token as string });
    // The same code, within its 30 seconds, on a new sign-in: refused (seen over a shoulder, it is worth nothing).
    const again = step(await signIn(SOPHIE.identifier!));
    expect(
      (await post('/v1/auth/second-factor', { ticket: again.ticket, method: 'totp', code })).status,
    ).toBe(401);
  });

  it('her code, seen over her shoulder and sent at the same moment from another sign-in, opens one session only', async () => {
    env.clock.advance(60_000);
    const hers = step(await signIn(SOPHIE.identifier!));
    const his = step(await signIn(SOPHIE.identifier!));
    const code = totpCode(secret, env.clock.now());
    const answers = await Promise.all(
      [hers, his, hers].map((t) =>
        post('/v1/auth/second-factor', { ticket: t.ticket, method: 'totp', code }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401]);
    const opened = answers.find((a) => a.status === 200)!;
    await call(env, 'POST', '/v1/session/sign-out', { ws, token: opened.json.token as string });
  });

  it('a recovery code opens the session once', async () => {
    env.clock.advance(60_000);
    const { ticket } = step(await signIn(SOPHIE.identifier!));
    const ok = await post('/v1/auth/second-factor', {
      ticket,
      method: 'recovery',
      code: recovery[0]!.toLowerCase(),
    });
    expect(ok.status).toBe(200);
    await call(env, 'POST', '/v1/session/sign-out', { ws, token: ok.json.token as string });
    const second = step(await signIn(SOPHIE.identifier!));
    const reuse = await post('/v1/auth/second-factor', {
      ticket: second.ticket,
      method: 'recovery',
      code: recovery[0]!,
    });
    expect(reuse.status).toBe(401);
    const mine = await env.backend.db
      .selectFrom('recovery_codes')
      .select((e) => e.fn.countAll<string>().as('n'))
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(Number(mine.n)).toBe(9);
  });

  it('wrong codes are throttled with one answer, never block the account, and are in her events', async () => {
    env.clock.advance(20 * 60_000);
    const { ticket } = step(await signIn(SOPHIE.identifier!, phisherWs));
    const answers = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await post(
        '/v1/auth/second-factor',
        { ticket, method: 'totp', code: String(100000 + i) },
        phisherWs,
      );
      expect(r.status).toBe(401);
      answers.add(JSON.stringify(r.json));
    }
    // Throttled now: even the right code is refused unchecked, with the same answer.
    const right = await post(
      '/v1/auth/second-factor',
      { ticket, method: 'totp', code: totpCode(secret, env.clock.now()) },
      phisherWs,
    );
    answers.add(JSON.stringify(right.json));
    const unknown = await post('/v1/auth/second-factor', {
      ticket: 'x'.repeat(43),
      method: 'totp',
      code: '123456',
    });
    answers.add(JSON.stringify(unknown.json));
    expect(answers.size).toBe(1);
    const acc = await env.backend.db
      .selectFrom('accounts')
      .select(['state', 'id'])
      .where('identifier', '=', SOPHIE.identifier)
      .executeTakeFirstOrThrow();
    expect(acc.state).toBe('active');
    const failed = await env.backend.db
      .selectFrom('events')
      .select('type')
      .where('account_id', '=', acc.id)
      .where('type', '=', 'second_factor_failed')
      .execute();
    expect(failed.length).toBeGreaterThanOrEqual(3);
    const logged = await env.backend.db
      .selectFrom('security_log')
      .select('kind')
      .where('kind', '=', 'second_factor_throttled')
      .execute();
    expect(logged.length).toBeGreaterThan(0);
  });
});

describe('the grace period ends', () => {
  it('after 30 days the password leads to enrolment; the e-mail factor is enrolled with the mailed code and works at the next sign-in', async () => {
    env.clock.advance(GRACE_MS + 3600_000);
    const holder = await signIn(DEMO_PHARMACY.amNumber);
    expect(holder.json.token).toBeUndefined();
    const { ticket, purpose, methods } = step(holder);
    expect(purpose).toBe('enrol');
    expect(methods).toEqual(['totp', 'email']);
    await env.deliver();
    await post('/v1/auth/second-factor/mail-code', { ticket });
    const code = await mailedCode(P.holder.email);
    const c = await post('/v1/auth/enrol/confirm', { ticket, kind: 'email', code });
    expect(c.status).toBe(200);
    expect((c.json.session as { token: string }).token).toEqual(expect.any(String));
    await call(env, 'POST', '/v1/session/sign-out', {
      ws,
      token: (c.json.session as { token: string }).token,
    });

    // Next sign-in: the mailed code is the factor; 5 wrong tries spend it, and a new one comes after a minute.
    env.clock.advance(5 * 60_000);
    const next = step(await signIn(DEMO_PHARMACY.amNumber));
    expect(next.methods).toEqual(['email', 'recovery']);
    await env.deliver();
    await post('/v1/auth/second-factor/mail-code', { ticket: next.ticket });
    const good = await mailedCode(P.holder.email);
    for (let i = 0; i < 5; i++) {
      const wrong = String((Number(good) + 1 + i) % 1_000_000).padStart(6, '0');
      env.clock.advance(20_000);
      await post('/v1/auth/second-factor', { ticket: next.ticket, method: 'email', code: wrong });
    }
    expect(
      (await post('/v1/auth/second-factor', { ticket: next.ticket, method: 'email', code: good })).status,
    ).toBe(401);
    await post('/v1/auth/second-factor/mail-code', { ticket: next.ticket });
    const fresh = await mailedCode(P.holder.email);
    env.clock.advance(30_000);
    const ok = await post('/v1/auth/second-factor', { ticket: next.ticket, method: 'email', code: fresh });
    expect(ok.status).toBe(200);
    const mail = (await env.deliver()).find(
      (m) => m.subject === 'Nouvelle connexion à votre compte amelipro',
    )!;
    expect(mail.text).toContain('le code envoyé à cette adresse');
  });

  it('a mailed code lasts 10 minutes', async () => {
    env.clock.advance(60_000);
    await env.deliver();
    const w2 = newWorkstation('Comptoir 3');
    const s2 = step(await signIn(DEMO_PHARMACY.amNumber, w2));
    expect(s2.purpose).toBe('verify');
    await post('/v1/auth/second-factor/mail-code', { ticket: s2.ticket }, w2);
    const code = await mailedCode(P.holder.email);
    env.clock.advance(10 * 60_000 + 1000);
    const late = await post('/v1/auth/second-factor', { ticket: s2.ticket, method: 'email', code }, w2);
    expect(late.status).toBe(401);
  });
});

describe('the ways out keep the factor whole', () => {
  const KEY = { birth_date: '14/07/1979', practice_postal_code: '75011', iban_last4: '4821' };

  it('a blocked accountant who lost her app: the security key and a new password, then a factor enrolled again through the mailbox', async () => {
    const marc = await env.backend.db
      .selectFrom('accounts')
      .select(['id', 'email'])
      .where('identifier', '=', P.accountantBlocked.identifier)
      .executeTakeFirstOrThrow();
    await env.backend.db
      .insertInto('second_factors')
      .values({
        account_id: marc.id,
        kind: 'totp',
        totp_secret: sealSecret('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'),
        last_step: null,
        enrolled_at: env.clock.now(),
      })
      .execute();
    await setSecurityKey(env.backend.signin.securityKeys, marc.id, KEY, env.clock.now());
    const key = await post('/v1/unblock/security-key', {
      identifier: P.accountantBlocked.identifier,
      answers: KEY,
    });
    expect(key.status, key.body).toBe(200);
    const NEW = 'Glycine-Ombelle-Pivoine-93!';
    const set = await post('/v1/unblock/password', { ticket: key.json.ticket, newPassword: NEW });
    expect(set.json).toEqual({ unblocked: true });
    // The old app is gone: the next sign-in enrols again, and only the mailbox can prove it.
    const r = await call(env, 'POST', '/v1/auth/password', {
      ws,
      body: { identifier: P.accountantBlocked.identifier, password: NEW },
    });
    expect(step(r).purpose).toBe('enrol');
    const reset = await env.backend.db
      .selectFrom('events')
      .select('details')
      .where('account_id', '=', marc.id)
      .where('type', '=', 'second_factor_reset')
      .executeTakeFirstOrThrow();
    expect(reset.details).toEqual({ via: 'security_key' });
  });

  it("the holder, from her card session only, resets a delegate's factor; the delegate enrols again and both are mailed", async () => {
    const ids = await env.backend.db
      .selectFrom('accounts')
      .select(['id', 'identifier', 'kind'])
      .where('identifier', 'in', [DEMO_PHARMACY.amNumber, SOPHIE.identifier!])
      .execute();
    const claire = ids.find((a) => a.kind === 'holder')!;
    const sophie = ids.find((a) => a.kind !== 'holder')!;
    const cardWs = newWorkstation('Comptoir titulaire');
    await env.backend.db
      .insertInto('workstations')
      .values({
        id: cardWs.id,
        label: cardWs.label,
        first_seen_at: env.clock.now(),
        last_seen_at: env.clock.now(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const { token } = await env.backend.db.transaction().execute((trx) =>
      createSession(
        trx,
        {
          accountId: claire.id,
          workstationId: cardWs.id,
          method: 'card',
          scope: 'full',
          meta: { ip: null, workstationId: cardWs.id, workstationLabel: cardWs.label, appVersion: null },
        },
        env.clock.now(),
      ),
    );
    await env.deliver();
    // the pharmacy's accounts say each one's factor, from the factor itself: an enrolment older than the events
    // log's retention still shows
    const factorOf = async () =>
      (
        (await call(env, 'GET', '/v1/pharmacy/accounts', { ws: cardWs, token })).json.accounts as {
          accountId: string;
          secondFactor: { kind: string; enrolledAt: string } | null;
        }[]
      ).find((a) => a.accountId === sophie.id)!.secondFactor;
    const enrolled = await env.backend.db
      .selectFrom('second_factors')
      .select(['kind', 'enrolled_at'])
      .where('account_id', '=', sophie.id)
      .executeTakeFirstOrThrow();
    expect(await factorOf()).toEqual({ kind: enrolled.kind, enrolledAt: enrolled.enrolled_at.toISOString() });
    const r = await call(env, 'POST', '/v1/pharmacy/second-factor/reset', {
      ws: cardWs,
      token,
      body: { accountId: sophie.id },
    });
    expect(r.status, r.body).toBe(200);
    expect(await factorOf()).toBeNull();
    const mails = await env.deliver();
    expect(
      mails
        .filter((m) => m.subject.includes('réinitialisé'))
        .map((m) => m.to[0])
        .sort(),
    ).toEqual([P.holder.email, SOPHIE.email].sort());
    env.clock.advance(2 * 60_000);
    expect(step(await signIn(SOPHIE.identifier!)).purpose).toBe('enrol');
  });

  it('a password session cannot reset a factor, and the grace is extended once by the holder', async () => {
    const me = await env.backend.db
      .selectFrom('accounts')
      .select('id')
      .where('identifier', '=', SOPHIE.identifier)
      .executeTakeFirstOrThrow();
    // The holder signs in with her password and her mailed code.
    env.clock.advance(2 * 60_000);
    const s = step(await signIn(DEMO_PHARMACY.amNumber));
    await env.deliver();
    await post('/v1/auth/second-factor/mail-code', { ticket: s.ticket });
    const ok = await post('/v1/auth/second-factor', {
      ticket: s.ticket,
      method: 'email',
      code: await mailedCode(P.holder.email),
    });
    const token = ok.json.token as string;
    const r = await call(env, 'POST', '/v1/pharmacy/second-factor/reset', {
      ws,
      token,
      body: { accountId: me.id },
    });
    expect(r.json.code).toBe('FRESH_PROOF_REQUIRED');
    const g = await call(env, 'POST', '/v1/pharmacy/second-factor/grace', { ws, token });
    expect(g.status, g.body).toBe(200);
    expect(g.json).toEqual({
      graceEndsAt: new Date(env.clock.now().getTime() + 30 * 24 * 3600_000).toISOString(),
      extendable: false,
    });
    const again = await call(env, 'POST', '/v1/pharmacy/second-factor/grace', { ws, token });
    expect(again.json.code).toBe('CONFLICT');
    const mine = await call(env, 'GET', '/v1/me/second-factor', { ws, token });
    expect(mine.json).toMatchObject({ kind: 'email', recoveryCodesLeft: 10, required: true });
  });
});

describe('what the second step tells a stranger', () => {
  it('an unknown ticket, a wrong code and a throttled attempt take the same time (the production floor)', async () => {
    const b = await createBackend({
      database: await testDatabaseUrl(),
      logLevel: 'silent',
      jobs: { autoStart: false },
      mailer: { kind: 'none' },
      rateLimit: false,
      config: { argon2: { memoryCost: 4096, timeCost: 2, parallelism: 1 } },
    });
    try {
      const now = new Date();
      await seedDemo(b.db, now, b.ctx.config);
      // The pharmacy's grace is over: the password leads to a second step.
      await b.db
        .updateTable('pharmacies')
        .set({ factor_grace_ends_at: new Date(now.getTime() - 1000) })
        .execute();
      const w = newWorkstation();
      const inject = (url: string, payload: unknown) =>
        b.app.inject({ method: 'POST', url, headers: headers(w), payload: payload as object });
      const first = await inject('/v1/auth/password', {
        identifier: SOPHIE.identifier,
        password: DEMO_PASSWORD,
      });
      const ticket = (first.json() as { secondStep: { ticket: string } }).secondStep.ticket;
      const time = async (t: string) => {
        const t0 = performance.now();
        const r = await inject('/v1/auth/enrol/confirm', { ticket: t, kind: 'email', code: '123456' });
        expect(r.statusCode).toBe(401);
        return performance.now() - t0;
      };
      const unknown: number[] = [];
      const real: number[] = [];
      for (let i = 0; i < 6; i++) {
        unknown.push(await time(`inconnu-${'y'.repeat(40)}${i}`));
        real.push(await time(ticket)); // checked, then throttled after 3: the same answer, the same floor
      }
      const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
      expect(Math.min(...unknown, ...real)).toBeGreaterThanOrEqual(249);
      expect(Math.abs(med(unknown) - med(real))).toBeLessThan(25);
    } finally {
      await b.close();
    }
  });
});
