import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../../backend/demo/people';
import { createCore, type Core } from '../core';
import { createDemo } from '../demo';

/** The core with its embedded backend (PGlite, demo pharmacy), driven through the renderer API as the UI does. */
describe('session through the renderer API (embedded backend, demo pharmacy)', () => {
  let dir: string;
  let core: Core;
  const seen: string[] = [];
  const call = (ch: string, req?: unknown) => core.dispatcher.invoke(ch, req, { transport: 'direct' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigie-core-'));
    core = createCore({
      mode: 'browser',
      userDataDir: dir,
      appVersion: 'test',
      demo: createDemo(() => null),
    });
    await core.start();
    core.events.subscribe('session.state', (s) => seen.push((s as { status: string }).status));
  }, 120_000);
  afterAll(async () => {
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong password with a coded error and opens no session', async () => {
    const r = await call('session.signInWithPassword', {
      identifier: DEMO_PEOPLE.accountantSoon.identifier,
      password: 'pas-le-bon-mot-de-passe',
    });
    expect(r).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
    expect(await call('session.getState')).toMatchObject({ ok: true, value: { status: 'signed-out' } });
    expect(await call('accounts.getMine')).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });

  it('answers "blocked" with the reason and the ways out for a correct password on a blocked account', async () => {
    const r = await call('session.signInWithPassword', {
      identifier: DEMO_PEOPLE.accountantBlocked.identifier,
      password: DEMO_PASSWORD,
    });
    expect(r).toMatchObject({
      ok: true,
      value: { status: 'blocked', reason: 'inactivity', identifier: 'marc.leroy' },
    });
    if (r.ok) expect((r.value as { unblockPaths: string[] }).unblockPaths).toContain('postal_code');
  });

  it('signs a delegate in, shows her account and events, and never hands the token to the renderer', async () => {
    const r = await call('session.signInWithPassword', {
      identifier: DEMO_PEOPLE.accountantSoon.identifier,
      password: DEMO_PASSWORD,
    });
    expect(r).toMatchObject({
      ok: true,
      value: {
        status: 'signed-in',
        session: { user: { displayName: 'Sophie BERNARD', method: 'password' } },
      },
    });
    // Her pharmacy's grace period starts at this first password sign-in: the banner says 30 days, by the core's clock.
    expect(r.ok && (r.value as { session: { factorGrace: unknown } }).session.factorGrace).toMatchObject({
      daysLeft: 30,
    });
    const mine = await call('accounts.getMine');
    expect(mine).toMatchObject({
      ok: true,
      value: { status: { state: 'active', displayName: 'Sophie BERNARD' } },
    });
    const events = await call('events.list', { filters: { type: 'sign_in' }, limit: 5 });
    expect(events.ok && (events.value as { events: { type: string }[] }).events[0]?.type).toBe('sign_in');
    const verify = await call('events.verify', {});
    expect(verify).toMatchObject({ ok: true, value: { ok: true, firstBad: null } });
    for (const res of [r, mine, events, verify]) expect(JSON.stringify(res)).not.toMatch(/"token"|Bearer/i);
  });

  it('signs out: the backend session ends and calls need a new sign-in', async () => {
    expect(await call('session.signOut')).toMatchObject({
      ok: true,
      value: { status: 'signed-out', endedBecause: 'sign-out' },
    });
    expect(await call('events.list', { filters: {}, limit: 5 })).toMatchObject({
      ok: false,
      code: 'UNAUTHENTICATED',
    });
    expect(seen).toEqual(['signed-in', 'signed-out']);
  });
});
