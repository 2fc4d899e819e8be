import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Reminder } from '../../domain/api/groups/reminders';
import type { CardState } from '../../domain/card';
import type { CardReminder } from '../../domain/reminders/card-planner';
import type { ReminderNotice } from '../../domain/reminders/planner';
import { createReminderScheduler } from '../core/reminders/scheduler';
import { openSettings } from '../core/settings/settings-store';
import { createShellController, type CoreLike, type ShellController } from './shell-controller';
import { systemNotification, trayModel, type ShellNotice } from './tray-model';

/** "Runs all day", without the Electron binary: the controller with stand-in windows and a real settings file. */
class FakeWindow extends EventEmitter {
  visible = false;
  destroyed = false;
  minimized = false;
  focused = 0;
  isDestroyed = () => this.destroyed;
  isMinimized = () => this.minimized;
  restore = () => void (this.minimized = false);
  show = () => void (this.visible = true);
  focus = () => void this.focused++;
  hide = () => void (this.visible = false);
  /** The person clicks the close button; returns whether the window really closed. */
  userClose() {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.destroyed = true;
      this.emit('closed');
    }
    return !prevented;
  }
}

let dir: string;
let windows: FakeWindow[];
let notified: { n: ShellNotice; lang: string; click: () => void }[];
let trayUpdates: { count: number; language: string; startAtLogin: boolean; cards: CardReminder[] }[];
let loginItem: boolean[];
let quits: number;
let core: CoreLike & {
  emitNotify(n: ReminderNotice): void;
  emitList(r: Reminder[]): void;
  stopped: boolean;
  wakes: string[];
};
let shell: ShellController;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-shell-'));
  windows = [];
  notified = [];
  trayUpdates = [];
  loginItem = [];
  quits = 0;
  const settings = openSettings(dir);
  const reminders = new EventEmitter();
  let list: Reminder[] = [];
  core = {
    stopped: false,
    wakes: [],
    start: async () => undefined,
    stop: async () => void (core.stopped = true),
    settings,
    workstation: {
      reminders: {
        list: () => list,
        onChanged: (l) => (reminders.on('changed', l), () => reminders.off('changed', l)),
        onNotify: (l) => (reminders.on('notify', l), () => reminders.off('notify', l)),
        cards: () => [],
        onCardNotify: (l) => (reminders.on('card-notify', l), () => reminders.off('card-notify', l)),
        onCardsChanged: (l) => (reminders.on('cards', l), () => reminders.off('cards', l)),
        wake: async (reason) => void core.wakes.push(reason),
      },
    },
    emitNotify: (n) => reminders.emit('notify', n),
    emitList: (r) => ((list = r), reminders.emit('changed', r)),
  };
  shell = createShellController({
    core,
    createWindow: () => {
      const w = new FakeWindow();
      w.visible = true;
      windows.push(w);
      return w;
    },
    tray: {
      update: (r, o) =>
        void trayUpdates.push({
          count: r.length,
          language: o.language,
          startAtLogin: o.startAtLogin,
          cards: [...o.cards],
        }),
    },
    notify: (n, lang, click) => void notified.push({ n, lang, click }),
    applyLoginItem: (on) => void loginItem.push(on),
    quitApp: () => {
      quits++;
      shell.onBeforeQuit({ preventDefault: () => undefined });
    },
    log: () => undefined,
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const notice: ReminderNotice = {
  accountId: 'a',
  displayName: 'Marie Curie',
  urgency: 'd7',
  days: 7,
  blockAt: '2027-03-14T09:30:00.000Z',
  daysLeft: 7,
  stale: false,
  staleReason: null,
  checkedAt: '2027-03-07T09:00:00.000Z',
  cause: 'due',
  action: 'open-sign-in',
};

describe('runs all day', () => {
  it('closing the window keeps Vigie in the tray; the tray or a second launch brings the same window back', async () => {
    await shell.ready(['vigie']);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.userClose()).toBe(false);
    expect(windows[0]!.visible).toBe(false);
    shell.onSecondInstance(['vigie']);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.visible).toBe(true);
  });

  it('started with the computer it stays in the tray, and the hidden login launch of a second copy changes nothing', async () => {
    await shell.ready(['vigie', '--hidden']);
    expect(windows).toHaveLength(0);
    shell.onSecondInstance(['vigie', '--hidden']);
    expect(windows).toHaveLength(0);
    shell.onSecondInstance(['vigie']);
    expect(windows).toHaveLength(1);
  });

  it('a reminder becomes an OS notification in the chosen language; clicking it opens the window', async () => {
    await shell.ready(['vigie', '--hidden']);
    core.settings.updateWorkstationSettings({ language: 'en' });
    core.emitNotify(notice);
    expect(notified.map((x) => [x.n.days, x.lang])).toEqual([[7, 'en']]);
    notified[0]!.click();
    expect(windows).toHaveLength(1);
  });

  it('the tray follows the reminders and the settings; start-at-login follows the setting', async () => {
    await shell.ready(['vigie']);
    expect(loginItem).toEqual([true]);
    core.emitList([
      {
        accountId: 'a',
        displayName: 'A',
        urgency: 'd7',
        blockAt: notice.blockAt,
        daysLeft: 7,
        stale: false,
        checkedAt: notice.checkedAt,
        snoozedUntil: null,
      },
    ]);
    expect(trayUpdates.at(-1)).toEqual({ count: 1, language: 'fr', startAtLogin: true, cards: [] });
    core.settings.updateWorkstationSettings({ startAtLogin: false });
    expect(loginItem).toEqual([true, false]);
    expect(trayUpdates.at(-1)).toMatchObject({ startAtLogin: false });
  });

  it('"Quit" stops the core before the app exits, and the window is allowed to close then', async () => {
    await shell.ready(['vigie']);
    shell.quit();
    await vi.waitFor(() => expect(core.stopped).toBe(true));
    await vi.waitFor(() => expect(quits).toBe(2)); // the first quit waited for the core, the second one exits
    expect(windows[0]!.userClose()).toBe(true);
  });

  it('an OS shutdown or session end is never held up by hide-to-tray', async () => {
    await shell.ready(['vigie']);
    windows[0]!.emit('session-end');
    expect(windows[0]!.userClose()).toBe(true);
  });

  it('waking from sleep makes the reminders look again at once', async () => {
    await shell.ready(['vigie']);
    shell.onWake('resume');
    expect(core.wakes).toEqual(['resume']);
  });

  it('a core that fails to start still gets its window (its own states say what is wrong)', async () => {
    core.start = async () => {
      throw new Error('boom');
    };
    await shell.ready(['vigie']);
    expect(windows).toHaveLength(1);
  });
});

describe('the end of a CPS card, from the core’s scheduler to the tray and the OS notification', () => {
  // The real scheduler on the same settings file, fed by a card service stand-in reporting the card in the reader.
  const cardIn = (notAfter: string): CardState => ({
    status: 'present',
    readers: [
      {
        name: 'Lecteur',
        slot: 'present',
        card: {
          kind: 'cps3',
          atr: '3B',
          serial: 'CPS-0001',
          holder: { nationalId: '810001234567', lastName: 'MARTIN', firstName: 'Claire', profession: '21' },
          certNotAfter: notAfter,
        },
      },
    ],
    activeReader: 'Lecteur',
    pinTriesLeft: 3,
    updatedAt: new Date().toISOString(),
  });

  it('a card ending in 20 days becomes one OS notification (in the chosen language) and a D-30 line in the tray', async () => {
    const now = new Date('2027-02-11T09:00:00Z');
    const reader = new EventEmitter();
    let state: CardState = {
      status: 'no-reader',
      readers: [],
      activeReader: null,
      pinTriesLeft: null,
      updatedAt: '',
    };
    const scheduler = createReminderScheduler({
      settings: core.settings as ReturnType<typeof openSettings>,
      fetchStatuses: () => Promise.reject(new Error('nobody signed in')),
      now: () => now,
      card: { getState: () => state, onState: (l) => (reader.on('s', l), () => reader.off('s', l)) },
    });
    core.workstation.reminders = scheduler;
    core.start = () => scheduler.start();
    try {
      await shell.ready(['vigie', '--hidden']);
      core.settings.updateWorkstationSettings({ language: 'en' });
      expect(notified).toEqual([]);

      state = cardIn('2027-03-03T12:00:00.000Z');
      reader.emit('s', state);
      expect(notified).toHaveLength(1);
      const { n, lang } = notified[0]!;
      expect(lang).toBe('en');
      expect(systemNotification(n, 'en')).toEqual({
        title: 'CPS card of Claire MARTIN: ends on 3 March 2027',
        body: 'Your CPS card expires on 3 March 2027 (in 20 days): order the new one now.',
        urgency: 'normal',
        silent: true,
      });
      expect(systemNotification(n, 'fr').body).toBe(
        'Votre carte CPS expire le 3 mars 2027 (dans 20 jours) : commandez la nouvelle dès maintenant.',
      );

      // The tray: the card's line on the dashboard's D-30 level, and the amber icon.
      const last = trayUpdates.at(-1)!;
      expect(last.cards.map((c) => [c.level, c.daysLeft])).toEqual([['d30', 20]]);
      const model = trayModel([], { language: 'fr', startAtLogin: true, cards: last.cards });
      expect(model.items).toContainEqual({
        kind: 'card',
        id: 'card:CPS-0001',
        level: 'd30',
        label: 'Claire MARTIN — carte CPS jusqu’au 3 mars 2027 (dans 20 jours)',
      });
      expect(model.icon).toBe('tray-d30.png');

      // The same card again (taken out and put back): no second notification. Clicking the first opens Vigie.
      reader.emit('s', state);
      expect(notified).toHaveLength(1);
      notified[0]!.click();
      expect(windows).toHaveLength(1);
    } finally {
      scheduler.stop();
    }
  });
});
