import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Reminder } from '../../../domain/api/groups/reminders';
import { parisDate, toParis } from '../../../domain/policy/paris-time';
import type { ReminderNotice } from '../../../domain/reminders/planner';
import { notificationText } from '../../../domain/reminders/text';
import { AppError } from '../../../domain/result';
import { openSettings } from '../settings/settings-store';
import { createReminderScheduler, type ReminderScheduler, type StatusLike } from './scheduler';

/**
 * The scheduler with a fake clock (vitest fake timers move both the timers and `Date`) and a real settings file
 * on disk: restarts are new schedulers on the same folder.
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;
// Last sign-in 14 Sept 2026 at 10:30 in Paris → blocked on 14 March 2027 at 10:30 (UTC+1).
const TITULAIRE: StatusLike = {
  accountId: 'a-titulaire',
  displayName: 'Marie Curie',
  state: 'active',
  blockAt: '2027-03-14T09:30:00.000Z',
};
// Blocked on 10 April 2027 at 10:30 Paris (UTC+2): its D-30 (11 March) is still in winter time.
const COMPTABLE: StatusLike = {
  accountId: 'a-comptable',
  displayName: 'Cabinet Lumière',
  state: 'active',
  blockAt: '2027-04-10T08:30:00.000Z',
};

let dir: string;
let backend: { statuses: StatusLike[]; failing: boolean; calls: string[]; followed: (readonly string[])[] };
let shown: { at: Date; n: ReminderNotice }[];
let changes: Reminder[][];
let running: ReminderScheduler[];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  dir = mkdtempSync(join(tmpdir(), 'vigie-reminders-'));
  backend = { statuses: [TITULAIRE], failing: false, calls: [], followed: [] };
  shown = [];
  changes = [];
  running = [];
});
afterEach(() => {
  for (const s of running) s.stop();
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** A new start of the app: a new settings store and scheduler on the same user-data folder. */
async function startApp(at?: string) {
  if (at) vi.setSystemTime(new Date(at));
  const s = createReminderScheduler({
    settings: openSettings(dir),
    fetchStatuses: async (followed) => {
      backend.calls.push('status');
      backend.followed.push(followed);
      if (backend.failing) throw new AppError('BACKEND_UNREACHABLE', 'down', true);
      return backend.statuses;
    },
    refreshEveryMs: 12 * HOUR,
    maxSleepMs: 3 * HOUR,
    staleAfterMs: 25 * HOUR,
  });
  s.onNotify((n) => shown.push({ at: new Date(), n }));
  s.onChanged((r) => changes.push(r));
  running.push(s);
  await s.start();
  return s;
}
const runUntil = async (iso: string) => vi.advanceTimersByTimeAsync(new Date(iso).getTime() - Date.now());
const daysShown = (accountId = TITULAIRE.accountId) =>
  shown.filter((x) => x.n.accountId === accountId).map((x) => x.n.days);

describe('reminder scheduler (fake clock, real settings file)', { timeout: 30_000 }, () => {
  it('fires at D-30, D-14, D-7, D-3, D-1 at the Paris wall-clock time, once each, then says the account is blocked', async () => {
    backend.statuses = [TITULAIRE, COMPTABLE];
    await startApp('2027-02-01T08:00:00Z');
    await runUntil('2027-03-20T00:00:00Z');

    expect(daysShown()).toEqual([30, 14, 7, 3, 1, 0]);
    const titulaire = shown.filter((x) => x.n.accountId === TITULAIRE.accountId);
    expect(titulaire.map((x) => parisDate(x.at))).toEqual([
      '2027-02-12',
      '2027-02-28',
      '2027-03-07',
      '2027-03-11',
      '2027-03-13',
      '2027-03-14',
    ]);
    for (const x of titulaire) expect(toParis(x.at)).toMatchObject({ hour: 10, minute: 30 });

    // The other account: D-30 on 11 March at 10:30 Paris, before the change to summer time (28 March).
    const comptable = shown.filter((x) => x.n.accountId === COMPTABLE.accountId);
    expect(comptable.map((x) => [x.n.days, parisDate(x.at), toParis(x.at).hour])).toEqual([
      [30, '2027-03-11', 10],
    ]);
  });

  it('shows nothing twice across a restart, and goes on with the next one', async () => {
    const a = await startApp('2027-02-01T08:00:00Z');
    await runUntil('2027-02-20T08:00:00Z');
    expect(daysShown()).toEqual([30]);
    a.stop();

    await startApp('2027-02-20T08:00:00Z');
    expect(daysShown()).toEqual([30]);
    await runUntil('2027-03-01T12:00:00Z');
    expect(daysShown()).toEqual([30, 14]);
  });

  it('a missed reminder shows once after a restart (only the latest, not the ones skipped)', async () => {
    const a = await startApp('2027-02-10T08:00:00Z');
    await runUntil('2027-02-13T08:00:00Z');
    expect(daysShown()).toEqual([30]);
    a.stop(); // the app stays closed until 9 March (D-14 and D-7 passed)

    await startApp('2027-03-09T07:00:00Z');
    expect(daysShown()).toEqual([30, 7]);
    running.at(-1)!.stop();

    await startApp('2027-03-09T08:00:00Z');
    expect(daysShown()).toEqual([30, 7]);
  });

  it('after a 3-day sleep: one reminder soon after waking (without any resume event), with fresh statuses', async () => {
    await startApp('2027-03-02T08:00:00Z'); // D-14 passed before the first start: shown now, once
    expect(daysShown()).toEqual([14]);
    const callsBefore = backend.calls.length;

    // The computer sleeps 3 days: the clock jumps, no timer fires.
    vi.setSystemTime(new Date('2027-03-08T13:00:00Z'));
    expect(daysShown()).toEqual([14]);
    await vi.advanceTimersByTimeAsync(3 * HOUR);
    expect(daysShown()).toEqual([14, 7]);
    expect(backend.calls.length).toBeGreaterThan(callsBefore); // statuses refreshed on wake-up
    await runUntil('2027-03-10T00:00:00Z');
    expect(daysShown()).toEqual([14, 7]);
  });

  it('the resume event from the shell is enough to catch up at once', async () => {
    const s = await startApp('2027-03-02T08:00:00Z');
    vi.setSystemTime(new Date('2027-03-08T13:00:00Z'));
    await s.wake('resume');
    expect(daysShown()).toEqual([14, 7]);
  });

  it('a clock set back one day shows nothing again, and the next reminder still comes once', async () => {
    await startApp('2027-03-07T09:45:00Z');
    expect(daysShown()).toEqual([7]);
    vi.setSystemTime(new Date('2027-03-06T09:45:00Z')); // set back one day, before D-7
    await vi.advanceTimersByTimeAsync(2 * DAY);
    expect(daysShown()).toEqual([7]);
    await runUntil('2027-03-12T00:00:00Z');
    expect(daysShown()).toEqual([7, 3]);
    expect(parisDate(shown[1]!.at)).toBe('2027-03-11');
  });

  it('keeps the last known status when the backend is unreachable, says it is stale, and still reminds', async () => {
    await startApp('2027-03-01T08:00:00Z');
    expect(changes.at(-1)?.[0]).toMatchObject({
      accountId: TITULAIRE.accountId,
      urgency: 'd30',
      stale: false,
    });

    backend.failing = true;
    await runUntil('2027-03-01T21:00:00Z');
    expect(changes.at(-1)?.[0]).toMatchObject({
      accountId: TITULAIRE.accountId,
      blockAt: TITULAIRE.blockAt,
      stale: true,
    });

    await runUntil('2027-03-07T12:00:00Z');
    const d7 = shown.find((x) => x.n.days === 7)!.n;
    expect(d7.stale).toBe(true);
    expect(notificationText(d7, 'fr').body).toMatch(/dernier état connu le 1 mars à 09:00/);

    backend.failing = false;
    await runUntil('2027-03-08T02:00:00Z');
    expect(changes.at(-1)?.[0]).toMatchObject({ stale: false, urgency: 'd7' });
  });

  it('a sign-in elsewhere moves the block date: no more reminders until the new D-30', async () => {
    await startApp('2027-03-01T08:00:00Z');
    expect(daysShown()).toEqual([14]);
    backend.statuses = [{ ...TITULAIRE, blockAt: '2027-09-01T08:00:00.000Z' }];
    await runUntil('2027-04-01T00:00:00Z');
    expect(daysShown()).toEqual([14]);
    expect(running[0]!.list()[0]).toMatchObject({ urgency: 'active', daysLeft: 153 });
  });

  it('reminders never sign anyone in: they read statuses and ask the person to sign in', async () => {
    await startApp('2027-03-13T12:00:00Z');
    expect(new Set(backend.calls)).toEqual(new Set(['status']));
    const n = shown[0]!.n;
    expect(n.action).toBe('open-sign-in');
    expect(notificationText(n, 'fr').body).toContain('Une connexion avec votre carte suffit');
  });

  it('a snooze brings the same reminder back after the chosen hours, once', async () => {
    const s = await startApp('2027-03-07T10:00:00Z');
    expect(daysShown()).toEqual([7]);
    const { snoozedUntil } = s.snooze(TITULAIRE.accountId, 4);
    expect(snoozedUntil).toBe('2027-03-07T14:00:00.000Z');
    expect(s.list()[0]?.snoozedUntil).toBe(snoozedUntil);
    await runUntil('2027-03-07T13:59:00Z');
    expect(daysShown()).toEqual([7]);
    await runUntil('2027-03-08T00:00:00Z');
    expect(daysShown()).toEqual([7, 7]);
    expect(shown[1]!.n.cause).toBe('snooze-ended');
    expect(() => s.snooze('someone-else', 4)).toThrow(/suivi/);
  });

  it('follows an account from its first sign-in here, across restarts, until it is forgotten', async () => {
    const s = await startApp('2027-03-07T10:00:00Z');
    await s.follow(TITULAIRE.accountId);
    expect(backend.followed.at(-1)).toEqual([TITULAIRE.accountId]);
    s.stop();
    await startApp('2027-03-07T11:00:00Z');
    expect(backend.followed.at(-1)).toEqual([TITULAIRE.accountId]);
    running.at(-1)!.unfollow(TITULAIRE.accountId);
    expect(running.at(-1)!.list()).toEqual([]);
    await running.at(-1)!.refresh();
    expect(backend.followed.at(-1)).toEqual([]);
  });

  it('a followed account the current session cannot see keeps its last known status, and its reminders', async () => {
    // An accountant signs in here for pharmacy A, then someone signs in for pharmacy B, whose answer does not
    // include A's account: the workstation must not forget A's deadline.
    backend.statuses = [COMPTABLE];
    const s = await startApp('2027-03-01T10:00:00Z');
    await s.follow(COMPTABLE.accountId);
    backend.statuses = [TITULAIRE];
    await s.follow(TITULAIRE.accountId);
    expect(
      s
        .list()
        .map((r) => r.accountId)
        .sort(),
    ).toEqual([COMPTABLE.accountId, TITULAIRE.accountId].sort());
    await runUntil('2027-03-11T12:00:00Z');
    expect(daysShown(COMPTABLE.accountId)).toEqual([30]);
  });

  it('with nobody signed in, the last known status stays fresh for a while and never claims the server is down', async () => {
    await startApp('2027-03-01T08:00:00Z');
    backend.failing = true;
    const signedOut = new AppError('UNAUTHENTICATED', 'nobody signed in', true);
    running[0]!.stop();
    const s = createReminderScheduler({
      settings: openSettings(dir),
      fetchStatuses: async () => Promise.reject(signedOut),
      refreshEveryMs: 12 * HOUR,
      maxSleepMs: 3 * HOUR,
      staleAfterMs: 25 * HOUR,
    });
    running.push(s);
    s.onNotify((n) => shown.push({ at: new Date(), n }));
    await s.start();
    expect(s.list()[0]).toMatchObject({ stale: false });
    await runUntil('2027-03-07T12:00:00Z');
    const d7 = shown.find((x) => x.n.days === 7)!.n;
    expect(d7).toMatchObject({ stale: true, staleReason: 'signed-out' });
    expect(notificationText(d7, 'fr').body).not.toContain('serveur');
  });

  it('follows the reminder days chosen in the settings', async () => {
    openSettings(dir).updateWorkstationSettings({ reminderDays: [60, 2] });
    await startApp('2027-01-13T08:00:00Z'); // D-60 (13 January 10:30) has not come yet
    expect(daysShown()).toEqual([]);
    await runUntil('2027-03-13T00:00:00Z');
    expect(daysShown()).toEqual([60, 2]);
    expect(parisDate(shown[0]!.at)).toBe('2027-01-13');
  });

  it('a malformed answer counts as a failed refresh; a failing save is logged and retried, never thrown', async () => {
    const errors: string[] = [];
    const real = openSettings(dir);
    let diskFull = true;
    const settings: typeof real = {
      ...real,
      get: real.get,
      set: (k, v) => {
        if (diskFull) throw new Error('ENOSPC: no space left on device');
        real.set(k, v);
      },
    };
    let malformed = true;
    const s = createReminderScheduler({
      settings,
      fetchStatuses: async () => (malformed ? [null as unknown as StatusLike] : [TITULAIRE]),
      log: (level, msg) => void (level === 'error' && errors.push(msg)),
      maxSleepMs: HOUR,
    });
    running.push(s);
    s.onNotify((n) => shown.push({ at: new Date(), n }));
    vi.setSystemTime(new Date('2027-03-07T10:00:00Z'));
    await s.start();
    expect(errors).toEqual(['reminder evaluation failed']);
    malformed = false;
    diskFull = false;
    await s.wake('test');
    expect(daysShown()).toEqual([7]);
  });
});
