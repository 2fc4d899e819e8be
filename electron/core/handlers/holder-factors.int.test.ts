import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../../backend/demo/people';
import { createCore, type Core } from '../core';
import { createDemo } from '../demo';

const P = DEMO_PEOPLE;
const DAY = 86_400_000;
type Factors = {
  grace: { graceEndsAt: string; extendable: boolean } | null;
  inGrace: boolean;
  delegates: { accountId: string; kind: string | null; enrolledAt: string | null }[];
};

/**
 * The holder's controls of the second factor through the renderer API, as the accounts screen calls them: the core
 * with its embedded backend (PGlite, demo pharmacy); the holder signs in with her password, then with e-CPS approved
 * on the demo phone; the accountant enrols the e-mail factor with the code read from the demo mailbox.
 */
describe('the holder resets a delegate’s second factor and extends the grace (embedded backend)', () => {
  let dir: string;
  let core: Core;
  const ecps: string[] = [];
  const call = (ch: string, req?: unknown) => core.dispatcher.invoke(ch, req, { transport: 'direct' });
  const value = async <T = Record<string, unknown>>(ch: string, req?: unknown): Promise<T> => {
    const r = await call(ch, req);
    if (!r.ok) throw new Error(`${ch}: ${r.code} ${r.message}`);
    return r.value as T;
  };
  const mails = async (personId: string) =>
    (await value<{ mails: { subject: string }[] }>('demo.mailbox', { personId })).mails.map((m) => m.subject);
  const signIn = (who: { identifier: string | null }) =>
    value<{ status: string }>('session.signInWithPassword', {
      identifier: who.identifier,
      password: DEMO_PASSWORD,
    });
  let sophieId = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigie-holder-factors-'));
    core = createCore({
      mode: 'browser',
      userDataDir: dir,
      appVersion: 'test',
      demo: createDemo(() => null),
    });
    await core.start();
    core.events.subscribe('session.ecps', (s) => ecps.push((s as { status: string }).status));
  }, 120_000);
  afterAll(async () => {
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the accountant enrols the e-mail factor from her session (the grace started at her sign-in)', async () => {
    expect(await signIn(P.accountantSoon)).toMatchObject({ status: 'signed-in' });
    sophieId = (await value<{ status: { accountId: string } }>('accounts.getMine')).status.accountId;
    expect(await value('session.startEnrolment')).toMatchObject({ status: 'second-step', purpose: 'enrol' });
    const before = await mails('accountantSoon');
    await value('session.sendFactorCode');
    // the mail leaves through the outbox: wait for it as a person waits for her mailbox
    let code: string | undefined;
    await expect
      .poll(
        async () =>
          (code = (await mails('accountantSoon'))
            .filter((s) => !before.includes(s))
            .map((s) => /^Votre code Vigie : ([0-9]{6})$/.exec(s)?.[1])
            .find(Boolean)),
        { timeout: 20_000 },
      )
      .toBeDefined();
    const { recoveryCodes } = await value<{ recoveryCodes: string[] }>('session.confirmEnrolment', {
      kind: 'email',
      code,
    });
    expect(recoveryCodes).toHaveLength(10);
    await value('session.finishEnrolment');
    // she is no holder: the holder's controls are refused to her
    expect(await call('accounts.resetDelegateFactor', { accountId: sophieId })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
    expect(await call('accounts.extendFactorGrace')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await value('session.signOut');
  }, 60_000);

  it('the holder sees the factor and the grace; from a password session the reset is refused, the extension is not', async () => {
    expect(await signIn(P.holder)).toMatchObject({ status: 'signed-in' });
    const seen = await value<Factors>('accounts.pharmacyFactors');
    expect(seen.delegates.find((d) => d.accountId === sophieId)).toMatchObject({ kind: 'email' });
    // only password delegates are listed: the holder and the card staff have no factor to reset
    const { accounts } = await value<{ accounts: { accountId: string; kind: string }[] }>(
      'accounts.listPharmacy',
    );
    const passwordIds = accounts.filter((a) => a.kind === 'password_delegate').map((a) => a.accountId);
    expect(seen.delegates.map((d) => d.accountId).sort()).toEqual(passwordIds.sort());
    expect(seen.grace).toMatchObject({ extendable: true });
    expect(seen.inGrace).toBe(true);
    const endsAt = new Date(seen.grace!.graceEndsAt).getTime();

    expect(await call('accounts.resetDelegateFactor', { accountId: sophieId })).toMatchObject({
      ok: false,
      code: 'FRESH_PROOF_REQUIRED',
    });
    expect((await value<Factors>('accounts.pharmacyFactors')).delegates).toContainEqual(
      expect.objectContaining({ accountId: sophieId, kind: 'email' }),
    );

    const extended = await value<{ graceEndsAt: string; extendable: boolean }>('accounts.extendFactorGrace');
    expect(extended.extendable).toBe(false);
    expect(new Date(extended.graceEndsAt).getTime() - endsAt).toBe(30 * DAY);
    expect(await call('accounts.extendFactorGrace')).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect((await value<Factors>('accounts.pharmacyFactors')).grace).toEqual(extended);
    await value('session.signOut');
  }, 60_000);

  it('from her e-CPS session the holder resets it: the accountant has none, both are mailed', async () => {
    await value('session.startEcps', { nationalId: P.holder.nationalId });
    expect(await value('demo.answerEcps', { approve: true })).toEqual({ answered: true });
    await expect.poll(() => ecps.includes('approved'), { timeout: 20_000 }).toBe(true);
    expect(await value('session.getState')).toMatchObject({ user: { kind: 'holder', method: 'ecps' } });

    expect(await value('accounts.resetDelegateFactor', { accountId: sophieId })).toEqual({ reset: true });
    expect((await value<Factors>('accounts.pharmacyFactors')).delegates).toContainEqual({
      accountId: sophieId,
      kind: null,
      enrolledAt: null,
    });
    await expect
      .poll(() => mails('accountantSoon'), { timeout: 20_000 })
      .toContain('Votre second facteur amelipro a été réinitialisé');
    await expect
      .poll(() => mails('holder'), { timeout: 20_000 })
      .toContain('Second facteur de Sophie BERNARD réinitialisé');
    // the holder's own account is not a delegate's: it cannot be reset from here
    const me = (await value<{ status: { accountId: string } }>('accounts.getMine')).status.accountId;
    expect(await call('accounts.resetDelegateFactor', { accountId: me })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    await value('session.signOut');
  }, 60_000);
});
