import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CardState } from '../../../domain/card';
import type { CardReminder, CardReminderNotice } from '../../../domain/reminders/card-planner';
import { cardNotificationText } from '../../../domain/reminders/text';
import { parisDate } from '../../../domain/policy/paris-time';
import { createDemoClock, type DemoClock } from '../demo/clock';
import { openSettings } from '../settings/settings-store';
import { createReminderScheduler, type ReminderScheduler } from './scheduler';

/**
 * The end of a CPS card, reminded by the core's scheduler: a real settings file on disk (a restart is a new
 * scheduler on the same folder), the core's demo clock moved forward as « Avancer l'horloge » does, and a card
 * service stand-in that reports the card in the reader as the real one does (serial, holder, certNotAfter).
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;
// The card's certificate ends on 3 March 2027 at 13:00 in Paris (clear of midnight: one Paris calendar day).
const END = '2027-03-03T12:00:00.000Z';

let dir: string;
let clock: DemoClock;
let card: EventEmitter & { state: CardState };
let shown: { at: Date; n: CardReminderNotice }[];
let trays: CardReminder[][];
let running: ReminderScheduler[];

const withCard = (notAfter: string, serial = 'CPS-0001', nationalId = '810001234567'): CardState => ({
  status: 'present',
  readers: [
    {
      name: 'Lecteur comptoir',
      slot: 'present',
      card: {
        kind: 'cps3',
        atr: '3B',
        serial,
        holder: { nationalId, lastName: 'MARTIN', firstName: 'Claire', profession: '21' },
        certNotAfter: notAfter,
      },
    },
  ],
  activeReader: 'Lecteur comptoir',
  pinTriesLeft: 3,
  updatedAt: new Date().toISOString(),
});
const noCard = (): CardState => ({
  status: 'empty',
  readers: [{ name: 'Lecteur comptoir', slot: 'empty' }],
  activeReader: 'Lecteur comptoir',
  pinTriesLeft: null,
  updatedAt: new Date().toISOString(),
});
const insert = (s: CardState) => {
  card.state = s;
  card.emit('state', s);
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  dir = mkdtempSync(join(tmpdir(), 'vigie-card-reminders-'));
  card = Object.assign(new EventEmitter(), { state: noCard() });
  shown = [];
  trays = [];
  running = [];
});
afterEach(() => {
  for (const s of running) s.stop();
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** A start of the app on the same user-data folder, its clock the demo's (the wall clock plus what was advanced). */
async function startApp(at?: string) {
  if (at) {
    vi.setSystemTime(new Date(at));
    clock = createDemoClock(() => Date.now());
  }
  const s = createReminderScheduler({
    settings: openSettings(dir),
    // Nobody signed in: the accounts' statuses stay unknown; the card's reminder needs no backend.
    fetchStatuses: () => Promise.reject(new Error('nobody signed in')),
    now: () => clock.now(),
    maxSleepMs: 3 * HOUR,
    card: {
      getState: () => card.state,
      onState: (l) => (card.on('state', l), () => card.off('state', l)),
    },
  });
  s.onCardNotify((n) => shown.push({ at: clock.now(), n }));
  s.onCardsChanged((c) => trays.push(c));
  running.push(s);
  await s.start();
  return s;
}
/** « Avancer l'horloge » by whole days, then the scheduler's next look (it sleeps 3 h at most). */
async function advanceDays(days: number) {
  clock.advance(days * DAY);
  await vi.advanceTimersByTimeAsync(3 * HOUR + 1000);
}
const steps = () => shown.map((x) => x.n.step);

describe('card end reminder (core scheduler, demo clock, real settings file)', { timeout: 30_000 }, () => {
  it('says nothing for a card ending in more than 60 days, then D-60, D-30 and D-7 once each as the clock moves', async () => {
    await startApp('2026-12-01T09:00:00Z'); // 92 days before the end
    insert(withCard(END));
    await vi.advanceTimersByTimeAsync(DAY);
    expect(shown).toEqual([]);
    expect(running[0]!.cards()).toEqual([]);

    await advanceDays(30); // 1 January 2027, 61 days before: still nothing
    expect(shown).toEqual([]);
    await advanceDays(1); // 60 days before
    expect(shown.map((x) => [x.n.step, x.n.level, x.n.daysLeft])).toEqual([[60, 'info', 60]]);
    expect(cardNotificationText(shown[0]!.n, 'fr')).toEqual({
      title: 'Carte CPS de Claire MARTIN : fin le 3 mars 2027',
      body: 'Votre carte CPS expire le 3 mars 2027 (dans 60 jours) : commandez la nouvelle dès maintenant.',
    });
    expect(cardNotificationText(shown[0]!.n, 'en').body).toBe(
      'Your CPS card expires on 3 March 2027 (in 60 days): order the new one now.',
    );
    // D-60 is information: in the list the in-app banner reads, neutral (the banner starts at D-30).
    expect(running[0]!.list()).toMatchObject([
      {
        accountId: 'card:CPS-0001',
        displayName: 'Claire MARTIN',
        urgency: 'active',
        card: { level: 'info' },
      },
    ]);

    // Days pass, the card goes in and out of the reader: D-60 is not shown again.
    insert(noCard());
    insert(withCard(END));
    await advanceDays(10);
    expect(steps()).toEqual([60]);

    await advanceDays(20); // 1 February, 30 days before
    expect(steps()).toEqual([60, 30]);
    expect(shown[1]!.n).toMatchObject({ level: 'd30', daysLeft: 30 });
    await advanceDays(21); // 8 days before
    expect(steps()).toEqual([60, 30]);
    await advanceDays(1); // 7 days before
    expect(steps()).toEqual([60, 30, 7]);
    expect(shown[2]!.n).toMatchObject({ level: 'd7', daysLeft: 7 });
    expect(parisDate(shown[2]!.at)).toBe('2027-02-24');
    await advanceDays(3);
    expect(steps()).toEqual([60, 30, 7]);
    // The tray's list follows: one card, on the dashboard's D-7 level.
    expect(trays.at(-1)).toMatchObject([
      { id: 'card:CPS-0001', holderName: 'Claire MARTIN', level: 'd7', daysLeft: 4 },
    ]);
    expect(running[0]!.list()).toMatchObject([{ urgency: 'd7', daysLeft: 4, card: { level: 'd7' } }]);
  });

  it('a restart does not repeat a step, and the next one still comes with the card out of the reader', async () => {
    const a = await startApp('2027-01-02T09:00:00Z'); // 60 days before
    insert(withCard(END));
    expect(steps()).toEqual([60]);
    a.stop();
    insert(noCard());

    // The same day, a new start of the app on the same settings file, with the clock moved on by the demo.
    await startApp();
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(steps()).toEqual([60]);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).reminders.cards).toMatchObject([
      { key: 'CPS-0001', notAfter: END, shownStep: 60 },
    ]);
    await advanceDays(30); // 30 days before; the card is not in the reader
    expect(steps()).toEqual([60, 30]);
    running.at(-1)!.stop();

    await startApp();
    await vi.advanceTimersByTimeAsync(DAY);
    expect(steps()).toEqual([60, 30]);
  });

  it('after a long sleep only the latest step shows, never the skipped one', async () => {
    await startApp('2027-01-02T09:00:00Z');
    insert(withCard(END));
    expect(steps()).toEqual([60]);
    await advanceDays(54); // the clock jumps to 6 days before: D-30 was skipped
    expect(steps()).toEqual([60, 7]);
  });

  it('a snoozed card reminder comes back once, later', async () => {
    const s = await startApp('2027-02-01T09:00:00Z'); // 30 days before
    insert(withCard(END));
    expect(steps()).toEqual([30]);
    const { snoozedUntil } = s.snooze('card:CPS-0001', 4);
    expect(snoozedUntil).toBe(new Date(clock.now().getTime() + 4 * HOUR).toISOString());
    await vi.advanceTimersByTimeAsync(3 * HOUR);
    expect(steps()).toEqual([30]);
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    expect(shown.map((x) => [x.n.step, x.n.cause])).toEqual([
      [30, 'due'],
      [30, 'snooze-ended'],
    ]);
    await vi.advanceTimersByTimeAsync(DAY);
    expect(shown).toHaveLength(2);
  });

  it('a renewed card of the same holder ends the old one’s reminders', async () => {
    await startApp('2027-02-01T09:00:00Z');
    insert(withCard(END));
    expect(steps()).toEqual([30]);
    insert(withCard('2030-02-01T12:00:00.000Z', 'CPS-0002'));
    await advanceDays(30);
    expect(steps()).toEqual([30]);
    expect(running[0]!.cards()).toEqual([]);
  });

  it('a card already past its end says so once', async () => {
    await startApp('2027-03-05T09:00:00Z');
    insert(withCard(END));
    expect(shown.map((x) => [x.n.step, x.n.level])).toEqual([[0, 'expired']]);
    expect(cardNotificationText(shown[0]!.n, 'fr').body).toContain(
      'Votre carte CPS a expiré le 3 mars 2027 : elle ne permet plus de vous connecter.',
    );
    await advanceDays(2);
    expect(shown).toHaveLength(1);
  });
});
