import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Reminder } from '../../domain/api/groups/reminders';
import type { ReminderNotice } from '../../domain/reminders/planner';
import { autostartEntry, setLinuxAutostart } from './autostart';
import { systemNotification, trayIconFor, trayModel } from './tray-model';

const r = (over: Partial<Reminder>): Reminder => ({
  accountId: 'a',
  displayName: 'Marie Curie',
  urgency: 'd7',
  blockAt: '2027-03-14T09:30:00.000Z',
  daysLeft: 5,
  stale: false,
  checkedAt: '2027-03-09T09:00:00.000Z',
  snoozedUntil: null,
  ...over,
});

describe('tray', () => {
  it('shows the nearest deadline in its tooltip and one line per account in its menu', () => {
    const m = trayModel(
      [
        r({}),
        r({
          accountId: 'b',
          displayName: 'Cabinet Lumière',
          urgency: 'active',
          blockAt: '2027-08-01T08:00:00.000Z',
          daysLeft: 144,
        }),
      ],
      {
        language: 'fr',
        startAtLogin: true,
      },
    );
    expect(m.tooltip).toBe('Vigie : prochaine échéance Marie Curie, le 14 mars 2027 (dans 5 jours)');
    expect(m.urgency).toBe('d7');
    expect(m.icon).toBe('tray-d7.png');
    expect(m.items.filter((i) => i.kind === 'account').map((i) => (i as { label: string }).label)).toEqual([
      'Marie Curie — 14 mars 2027 (dans 5 jours)',
      'Cabinet Lumière — 1 août 2027 (dans 144 jours)',
    ]);
    expect(m.items).toContainEqual({
      kind: 'start-at-login',
      label: 'Démarrer avec l’ordinateur',
      checked: true,
    });
    expect(m.items.at(-1)).toEqual({ kind: 'quit', label: 'Quitter Vigie' });
  });

  it('says so when no account is followed, and speaks English when asked', () => {
    const m = trayModel([], { language: 'en', startAtLogin: false });
    expect(m.tooltip).toBe('Vigie: no account followed on this workstation');
    expect(m.urgency).toBe('none');
    expect(m.icon).toBe('tray.png');
    expect(m.items[0]).toEqual({ kind: 'open', label: 'No account followed on this workstation' });
  });
});

describe('tray icons', () => {
  it('exist for every step of the status scale, with their high-density twins', () => {
    for (const u of ['none', 'active', 'd30', 'd7', 'd1', 'blocked'] as const) {
      const file = trayIconFor(u);
      for (const f of [file, file.replace('.png', '@2x.png')])
        expect(
          readFileSync(join(process.cwd(), 'assets', f))
            .subarray(1, 4)
            .toString(),
        ).toBe('PNG');
    }
  });
});

describe('OS notifications', () => {
  const n = (urgency: ReminderNotice['urgency'], days: number): ReminderNotice => ({
    accountId: 'a',
    displayName: 'Marie Curie',
    urgency,
    days,
    blockAt: '2027-03-14T09:30:00.000Z',
    daysLeft: days,
    stale: false,
    staleReason: null,
    checkedAt: '2027-03-13T09:00:00.000Z',
    cause: 'due',
    action: 'open-sign-in',
  });
  it('the day before and a block stay on screen; earlier reminders are quiet', () => {
    expect(systemNotification(n('d1', 1), 'fr')).toMatchObject({
      urgency: 'critical',
      silent: false,
      body: expect.stringContaining('(demain)'),
    });
    expect(systemNotification(n('blocked', 0), 'fr')).toMatchObject({
      urgency: 'critical',
      title: 'Compte bloqué : Marie Curie',
    });
    expect(systemNotification(n('d30', 30), 'fr')).toMatchObject({ urgency: 'normal', silent: true });
  });
});

describe('start with the computer on Linux (XDG autostart)', () => {
  it('writes a desktop entry that starts hidden, and removes it when turned off', () => {
    const home = mkdtempSync(join(tmpdir(), 'vigie-xdg-'));
    try {
      const env = { XDG_CONFIG_HOME: join(home, '.config') };
      setLinuxAutostart(true, '/opt/Vigie/vigie', env);
      const file = join(home, '.config/autostart/fr.vigie.workstation.desktop');
      expect(readFileSync(file, 'utf8')).toContain('Exec=/opt/Vigie/vigie --hidden');
      setLinuxAutostart(false, '/opt/Vigie/vigie', env);
      expect(existsSync(file)).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
  it('quotes an AppImage path with spaces so the entry cannot run something else', () => {
    expect(autostartEntry('/home/p/Vigie 1.0 $(rm -rf ~).AppImage')).toContain(
      'Exec="/home/p/Vigie 1.0 \\$(rm -rf ~).AppImage" --hidden',
    );
  });
});
