import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addParisDays, parisDate } from '../../domain/policy';
import { DEMO_PASSWORD, DEMO_PHARMACY } from '../demo/people';
import { seedDemo } from '../demo/seed';
import { call, newWorkstation, startTestEnv, type TestEnv } from './harness';
import { keepFactorGraceOpen } from './factor-grace';

let env: TestEnv;
let holder: string;
let holderPassword = DEMO_PASSWORD;
let renewals = 0;
const ws = newWorkstation('Bureau');

/** The holder signs in (renewing the password when it expires), so that only the delegates go idle. */
async function holderSignIn() {
  const r = await call(env, 'POST', '/v1/auth/password', {
    ws,
    body: { identifier: DEMO_PHARMACY.amNumber, password: holderPassword },
  });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  holder = r.json.token as string;
  if (r.json.passwordChangeRequired) {
    const next = `Renouveau-${++renewals}-Kx!9q-Lagune`;
    const c = await call(env, 'POST', '/v1/auth/password/change', {
      ws,
      token: holder,
      body: { currentPassword: holderPassword, newPassword: next },
    });
    expect(c.status, JSON.stringify(c.json)).toBe(200);
    holderPassword = next;
  }
}

beforeAll(async () => {
  env = await startTestEnv({ now: '2026-01-10T10:00:00+01:00' });
  await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
  await keepFactorGraceOpen(env.backend.db);
  await holderSignIn();
  await env.deliver();
});
afterAll(() => env?.close());

async function grantAccountant(identifier: string) {
  const r = await call(env, 'POST', '/v1/delegations', {
    ws,
    token: holder,
    body: {
      kind: 'password_delegate',
      displayName: `Compta ${identifier}`,
      identifier,
      email: `${identifier}@demo.vigie.invalid`,
      initialPassword: 'Orage-Piment-48!x',
    },
  });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.delegate as { accountId: string; blockAt: string };
}

describe('inactivity: status, reminders, sweep', () => {
  it('counts from creation for an account that never signed in, and shows the status', async () => {
    const d = await grantAccountant('jamais.connecte');
    // created 10 January 2026 10:00 Paris → blocked 10 July 2026 10:00 Paris
    expect(d.blockAt).toBe('2026-07-10T08:00:00.000Z');
    const accounts = (await call(env, 'GET', '/v1/pharmacy/accounts', { ws, token: holder })).json
      .accounts as {
      accountId: string;
      daysLeft: number;
      nextReminderDays: number;
      lastActivity: unknown;
      state: string;
    }[];
    const s = accounts.find((a) => a.accountId === d.accountId)!;
    expect(s).toMatchObject({ state: 'active', daysLeft: 181, nextReminderDays: 30, lastActivity: null });
  });

  it('mails D-30, D-7 and D-1 once each, then the sweep blocks on the date and mails it', async () => {
    const d = await grantAccountant('rappels.test');
    const email = 'rappels.test@demo.vigie.invalid';
    const blockAt = new Date(d.blockAt);
    const at = (days: number, extraMs = 0) =>
      env.clock.set(new Date(addParisDays(blockAt, -days).getTime() + extraMs));
    const mailsTo = async () => (await env.deliver()).filter((m) => m.to.includes(email));

    // The holder keeps signing in, so only the accountant goes idle.
    const keepHolderAlive = holderSignIn;

    at(31);
    await keepHolderAlive();
    await env.backend.jobs.run('reminders');
    expect(await mailsTo()).toHaveLength(0);

    at(30, 60_000);
    await env.backend.jobs.run('reminders');
    await env.backend.jobs.run('reminders'); // twice: still one mail
    const d30 = await mailsTo();
    expect(d30.map((m) => m.subject)).toEqual(['Votre compte amelipro sera bloqué dans 30 jours']);
    expect(d30[0]!.text).toContain(
      `le ${new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' }).format(blockAt)}`,
    );

    at(14, 60_000);
    await env.backend.jobs.run('reminders');
    expect(await mailsTo()).toHaveLength(0); // D-14 is an app reminder, not a mail

    at(7, 60_000);
    await keepHolderAlive();
    await env.backend.jobs.run('reminders');
    expect((await mailsTo()).map((m) => m.subject)).toEqual([
      'Votre compte amelipro sera bloqué dans 7 jours',
    ]);

    at(1, 60_000);
    await env.backend.jobs.run('reminders');
    expect((await mailsTo()).map((m) => m.subject)).toEqual(['Votre compte amelipro sera bloqué demain']);

    // one minute before the date: not blocked; on the date: blocked by the sweep, once
    env.clock.set(new Date(blockAt.getTime() - 60_000));
    await keepHolderAlive();
    await env.backend.jobs.run('inactivity');
    const before = (await call(env, 'GET', '/v1/delegations', { ws, token: holder })).json.delegations as {
      delegate: { accountId: string; state: string; daysLeft: number };
    }[];
    expect(before.find((x) => x.delegate.accountId === d.accountId)!.delegate).toMatchObject({
      state: 'active',
      daysLeft: 0,
    });
    env.clock.set(blockAt);
    expect(await env.backend.jobs.run('inactivity')).toBeGreaterThanOrEqual(1);
    await env.backend.jobs.run('inactivity');
    const blocked = await mailsTo();
    expect(blocked.map((m) => m.subject)).toEqual([
      'Votre compte amelipro est bloqué (non utilisé depuis plus de 6 mois)',
    ]);
    const events = await call(env, 'GET', `/v1/events?accountId=${d.accountId}&type=account_blocked`, {
      ws,
      token: holder,
    });
    expect((events.json.events as unknown[]).length).toBe(1);
    // the block event was chained by the database in the sweep's single statement: the chain still verifies
    expect(
      (await call(env, 'GET', `/v1/events/verify?accountId=${d.accountId}`, { ws, token: holder })).json,
    ).toMatchObject({ ok: true, firstBad: null });
    const reminders = await call(env, 'GET', `/v1/events?accountId=${d.accountId}&type=reminder_sent`, {
      ws,
      token: holder,
    });
    expect((reminders.json.events as { details: { days: number } }[]).map((e) => e.details.days)).toEqual([
      1, 7, 30,
    ]);
    expect(parisDate(blockAt)).toBe('2026-07-10');
  });

  it('retries a mail the SMTP server refused, and never sends one twice', async () => {
    await holderSignIn();
    await grantAccountant('retry.mail');
    await env.deliver();
    await call(env, 'POST', '/v1/auth/password', {
      ws,
      body: { identifier: 'retry.mail', password: 'Orage-Piment-48!x' },
    });
    env.smtp.failNext = 1;
    const first = await env.deliver();
    expect(first.filter((m) => m.to.includes('retry.mail@demo.vigie.invalid'))).toHaveLength(0);
    const [row] = await env.backend.db
      .selectFrom('outbox')
      .select(['attempts', 'last_error', 'sent_at'])
      .where('to_address', '=', 'retry.mail@demo.vigie.invalid')
      .execute();
    expect(row).toMatchObject({ attempts: 1, sent_at: null });
    expect(row!.last_error).toMatch(/451/);
    env.clock.advance(31_000);
    const second = await env.deliver();
    expect(second.filter((m) => m.to.includes('retry.mail@demo.vigie.invalid'))).toHaveLength(1);
    env.clock.advance(3600_000);
    expect((await env.deliver()).filter((m) => m.to.includes('retry.mail@demo.vigie.invalid'))).toHaveLength(
      0,
    );
  });
});
