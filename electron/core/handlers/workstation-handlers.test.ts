import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core';

/** The `settings` and `reminders` groups through the core's dispatcher, as the renderer calls them. */
let dir: string;
let core: Core;
const call = (channel: string, req?: unknown) =>
  core.dispatcher.invoke(channel, req, { transport: 'direct' });
const NOW = new Date('2027-03-07T10:00:00Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-handlers-'));
  core = createCore({
    mode: 'browser',
    userDataDir: dir,
    appVersion: '0.1.0',
    now: () => NOW,
    fetchAccountStatuses: async () => [
      {
        accountId: 'acc-1',
        displayName: 'Marie Curie',
        state: 'active',
        blockAt: '2027-03-12T09:00:00.000Z',
      },
      {
        accountId: 'acc-2',
        displayName: 'Cabinet Lumière',
        state: 'active',
        blockAt: '2027-08-01T09:00:00.000Z',
      },
    ],
  });
});
afterEach(() => {
  core.workstation.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('settings group', { timeout: 30_000 }, () => {
  it('reads and saves the workstation settings, and a language change reaches every window', async () => {
    const langs: unknown[] = [];
    core.events.subscribe('app.language', (l) => langs.push(l));
    expect(await call('settings.get')).toMatchObject({
      ok: true,
      value: { language: 'fr', startAtLogin: true },
    });
    expect(
      await call('settings.update', { language: 'en', workstationLabel: 'Poste comptoir 1' }),
    ).toMatchObject({
      ok: true,
      value: { language: 'en', workstationLabel: 'Poste comptoir 1' },
    });
    expect(langs).toEqual(['en']);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({
      workstationLabel: 'Poste comptoir 1',
    });
  });

  it('refuses what the schema refuses, with a code the UI maps to words', async () => {
    expect(await call('settings.update', { backendUrl: 'file:///etc/passwd' })).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
    expect(await call('settings.update', { rememberedAccounts: ['x'] })).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
    expect(await call('settings.get')).toMatchObject({ value: { backendUrl: '' } });
  });
});

describe('reminders group', { timeout: 30_000 }, () => {
  it('lists the followed accounts most urgent first, pushes changes, and snoozes', async () => {
    const pushed: unknown[] = [];
    core.events.subscribe('reminders.changed', (p) => pushed.push(p));
    await core.workstation.start();
    await core.workstation.reminders.refresh();
    const list = await call('reminders.list');
    expect(list).toMatchObject({
      ok: true,
      value: {
        reminders: [
          { accountId: 'acc-1', urgency: 'd7', daysLeft: 5 },
          { accountId: 'acc-2', urgency: 'active' },
        ],
      },
    });
    expect(pushed.length).toBeGreaterThan(0);
    expect(await call('reminders.snooze', { accountId: 'acc-1', hours: 24 })).toMatchObject({
      ok: true,
      value: { snoozedUntil: '2027-03-08T10:00:00.000Z' },
    });
    expect(await call('reminders.snooze', { accountId: 'acc-1', hours: 200 })).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
    expect(await call('reminders.snooze', { accountId: 'nobody', hours: 2 })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
  });
});
