import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../../backend/demo/people';
import { createCore, type Core } from '../core';
import { createDemo } from '../demo';
import { createSecretStore } from '../secrets/secret-store';
import { realPart } from '../../../scripts/real-parts';

/**
 * "Remember me" end to end in the core: the renderer API as the UI calls it, the embedded backend (PGlite, demo
 * pharmacy) in the user-data folder, and a real Secret Service (gnome-keyring in a private D-Bus session:
 * scripts/with-keyring.sh sets VIGIE_SECRET_SERVICE=1). A restart is a new core on the same folder (the previous
 * one stopped: PGlite is one process per folder), with the same keychain.
 */
const hasSecretService = realPart(
  process.env.VIGIE_SECRET_SERVICE === '1',
  'no Secret Service on the session bus (run under scripts/with-keyring.sh, as npm test does)',
);
const sophie = DEMO_PEOPLE.accountantSoon;
const HOUR = 3600_000;
let dir: string;
const logs: string[] = [];
const open: Core[] = [];

async function startCore(now?: () => Date): Promise<Core> {
  const core = createCore({
    mode: 'browser',
    userDataDir: dir,
    appVersion: '0.0.0-test',
    demo: createDemo(() => null),
    log: (level, msg, fields) => logs.push(JSON.stringify({ level, msg, fields })),
    ...(now ? { now } : {}),
  });
  open.push(core);
  await core.start();
  return core;
}
async function stopCore(core: Core) {
  await core.stop();
  open.splice(open.indexOf(core), 1);
}
const call = (core: Core, channel: string, req?: unknown) =>
  core.dispatcher.invoke(channel, req, { transport: 'direct' });
const state = async (core: Core) => {
  const r = await call(core, 'session.getState');
  if (!r.ok) throw new Error(r.code);
  return r.value as {
    status: string;
    endedBecause: string | null;
    user: { accountId: string } | null;
    remember?: unknown;
  };
};
/** The keychain as the core files it (its default service), read from outside the core. */
const keychainToken = (accountId: string) =>
  createSecretStore({ timeoutMs: 3000 }).get(`refresh-token:${accountId}`);
/** Whether a token is kept (a yes or no, so that a failing test does not print a token). */
const kept = async (accountId: string) => (await keychainToken(accountId)) !== null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-remember-'));
});
afterEach(async () => {
  for (const core of open.splice(0)) await core.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasSecretService)('remember me (embedded backend, real gnome-keyring)', () => {
  it('a remembered session resumes in a new core without credentials; sign-out deletes it from the keychain', async () => {
    const first = await startCore();
    expect(await state(first)).toMatchObject({
      status: 'signed-out',
      remember: { available: true, reason: null, active: false },
    });

    const signIn = await call(first, 'session.signInWithPassword', {
      identifier: sophie.identifier,
      password: DEMO_PASSWORD,
      remember: true,
    });
    expect(signIn).toMatchObject({
      ok: true,
      value: {
        status: 'signed-in',
        session: { user: { displayName: 'Sophie BERNARD', method: 'password' }, remember: { active: true } },
      },
    });
    const accountId = (await state(first)).user!.accountId;
    const token = (await keychainToken(accountId)) ?? '';
    expect(token.length).toBeGreaterThanOrEqual(20);
    // The token is in the keychain only: not in what the renderer gets, not in the settings file, not in the logs.
    expect(JSON.stringify(signIn)).not.toContain(token);
    expect(JSON.stringify(await state(first))).not.toContain(token);
    const settingsFile = readFileSync(join(dir, 'settings.json'), 'utf8');
    expect(settingsFile).toContain(accountId);
    expect(settingsFile).not.toContain(token);
    expect(logs.join('\n')).not.toContain(token);
    await stopCore(first); // Vigie quits (no sign-out)

    // A new core on the same folder: the session is back, no credentials asked, and the backend takes its calls.
    const second = await startCore();
    expect(await state(second)).toMatchObject({
      status: 'signed-in',
      endedBecause: null,
      user: { accountId, displayName: 'Sophie BERNARD', method: 'password' },
      remember: { available: true, reason: null, active: true },
    });
    expect(await call(second, 'accounts.getMine')).toMatchObject({
      ok: true,
      value: { status: { displayName: 'Sophie BERNARD' } },
    });

    // Sign-out: the token leaves the keychain (not only the list in the settings file).
    expect(await call(second, 'session.signOut')).toMatchObject({
      ok: true,
      value: { status: 'signed-out', remember: { active: false } },
    });
    expect(await kept(accountId)).toBe(false);
    expect(second.settings.get('rememberedAccounts')).toEqual([]);
    await stopCore(second);

    // The third start finds nothing to resume.
    const third = await startCore();
    expect(await state(third)).toMatchObject({ status: 'signed-out', endedBecause: null, user: null });
    expect(await call(third, 'accounts.getMine')).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    expect(logs.join('\n')).not.toContain(token);
  });

  it('without "remember me" nothing is kept; a remembered session the backend ended is forgotten silently', async () => {
    const core = await startCore();
    await call(core, 'session.signInWithPassword', {
      identifier: sophie.identifier,
      password: DEMO_PASSWORD,
    });
    const { user } = await state(core);
    expect(await state(core)).toMatchObject({
      status: 'signed-in',
      remember: { available: true, active: false },
    });
    expect(await kept(user!.accountId)).toBe(false);
    expect(core.settings.get('rememberedAccounts')).toEqual([]);

    // Kept this time; then Vigie stays closed for more than the backend's 1 h idle limit.
    await call(core, 'session.signInWithPassword', {
      identifier: sophie.identifier,
      password: DEMO_PASSWORD,
      remember: true,
    });
    expect(await kept(user!.accountId)).toBe(true);
    await stopCore(core);

    const later = await startCore(() => new Date(Date.now() + HOUR + 5 * 60_000));
    // The backend refused it: forgotten from the keychain, the sign-in screen shows, with no "session ended" notice.
    await vi.waitFor(async () => expect(await kept(user!.accountId)).toBe(false), { timeout: 10_000 });
    expect(later.settings.get('rememberedAccounts')).toEqual([]);
    expect(logs.filter((l) => l.includes('remembered session refused')).at(-1)).toContain('SESSION_IDLE');
    expect(await state(later)).toMatchObject({
      status: 'signed-out',
      endedBecause: null,
      user: null,
      remember: { active: false },
    });
  });
});

describe('remember me without a Secret Service', () => {
  it('the sign-in works, remember is refused and said unavailable, nothing is written', async () => {
    const noKeychainDir = mkdtempSync(join(tmpdir(), 'vigie-remember-nokc-'));
    try {
      const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/vigie-bus' };
      const child = join(import.meta.dirname, 'remember-child.fixture.ts');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', child, noKeychainDir],
        { env, timeout: 120_000 },
      );
      const r = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      const unavailable = { available: false, reason: 'keychain-unavailable', active: false };
      expect(r.before).toMatchObject({ ok: true, value: { status: 'signed-out', remember: unavailable } });
      expect(r.signIn).toMatchObject({
        ok: true,
        value: {
          status: 'signed-in',
          session: { user: { displayName: 'Sophie BERNARD' }, remember: unavailable },
        },
      });
      expect(r.mineOk).toBe(true);
      expect(r.remembered).toEqual([]);
    } finally {
      rmSync(noKeychainDir, { recursive: true, force: true });
    }
  }, 150_000);
});
