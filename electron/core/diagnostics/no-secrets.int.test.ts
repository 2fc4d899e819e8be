import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../../backend/demo/people';
import type { ReminderNotice } from '../../../domain/reminders/planner';
import { createCore, type Core } from '../core';
import { createDemo } from '../demo';
import { createFileLogger, type FileLogger } from './logger';

/**
 * The whole core with its embedded backend (demo pharmacy) and the rotating file logger at debug level: a real
 * status from the backend becomes a reminder, and after a sign-in, calls and a sign-out, neither the logs, nor the
 * settings file, nor "copy diagnostics" hold a password, a token or a person's name.
 */
describe('workstation services with the embedded backend', () => {
  let dir: string;
  let core: Core;
  let logger: FileLogger;
  const notices: ReminderNotice[] = [];
  const call = (ch: string, req?: unknown) => core.dispatcher.invoke(ch, req, { transport: 'direct' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigie-nosecret-'));
    logger = await createFileLogger(dir, { level: 'debug' });
    core = createCore({
      mode: 'browser',
      userDataDir: dir,
      appVersion: 'test',
      demo: createDemo(() => null),
      log: logger.log,
      recentLog: logger.recent,
    });
    core.workstation.reminders.onNotify((n) => notices.push(n));
    await core.start();
  }, 180_000);
  afterAll(async () => {
    await core?.stop();
    await logger?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the holder signs in: the pharmacy’s statuses come from the backend, and a delegate 5 days from her block gets the D-7 reminder once', async () => {
    const holder = DEMO_PEOPLE.holder;
    expect(
      await call('session.signInWithPassword', { identifier: holder.identifier, password: DEMO_PASSWORD }),
    ).toMatchObject({ ok: true, value: { status: 'signed-in' } });
    await core.workstation.reminders.refresh();
    const list = await call('reminders.list');
    const reminders = list.ok
      ? (
          list.value as {
            reminders: { displayName: string; urgency: string; daysLeft: number; stale: boolean }[];
          }
        ).reminders
      : [];
    // Signing in is activity: the holder is far from her block date; Sophie (no sign-in for 6 months less 5 days) is not.
    expect(reminders.find((r) => r.displayName === 'Sophie BERNARD')).toMatchObject({
      urgency: 'd7',
      daysLeft: 5,
      stale: false,
    });
    expect(reminders[0]?.urgency).toBe('blocked'); // the most urgent first
    const forSophie = () => notices.filter((n) => n.displayName === 'Sophie BERNARD');
    expect(forSophie().map((n) => [n.days, n.action])).toEqual([[7, 'open-sign-in']]);
    await core.workstation.reminders.refresh();
    expect(forSophie()).toHaveLength(1);
  }, 60_000);

  it('leaves no password, token or name in the logs, the settings file or the diagnostics', async () => {
    await call('accounts.getMine');
    await call('events.list', { filters: {}, limit: 5 });
    const diag = await call('settings.diagnostics');
    await call('session.signOut');
    await new Promise<void>((resolve) => logger.logger.flush(() => resolve()));
    const logs = readdirSync(join(dir, 'logs'))
      .map((f) => readFileSync(join(dir, 'logs', f), 'utf8'))
      .join('\n');
    expect(logs.length).toBeGreaterThan(0);
    const settings = readFileSync(join(dir, 'settings.json'), 'utf8');
    const text = diag.ok ? (diag.value as { text: string }).text : '';
    expect(text).toMatch(/^Vigie test — diagnostics/);
    for (const where of [logs, settings, text]) {
      expect(where).not.toContain(DEMO_PASSWORD);
      expect(where).not.toMatch(/Bearer\s|"(token|refreshToken|accessToken)":"[^[]/);
    }
    // Names stay out of the diagnostics (the settings file keeps them for the reminder list, by design).
    expect(text).not.toContain('BERNARD');
    expect(text).not.toContain(DEMO_PEOPLE.accountantSoon.identifier);
  }, 60_000);
});
