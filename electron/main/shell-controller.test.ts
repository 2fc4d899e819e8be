import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Reminder } from '../../domain/api/groups/reminders';
import type { ReminderNotice } from '../../domain/reminders/planner';
import { openSettings } from '../core/settings/settings-store';
import { createShellController, type CoreLike, type ShellController } from './shell-controller';

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
let notified: { n: ReminderNotice; lang: string; click: () => void }[];
let trayUpdates: { count: number; language: string; startAtLogin: boolean }[];
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
    tray: { update: (r, o) => void trayUpdates.push({ count: r.length, ...o }) },
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
    expect(trayUpdates.at(-1)).toEqual({ count: 1, language: 'fr', startAtLogin: true });
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
