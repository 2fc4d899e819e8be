import { describe, expect, it } from 'vitest';
import { parisDate, toParis } from '../policy/paris-time';
import { planReminders, snooze, urgencyFor, type KnownAccount, type ReminderMemory } from './planner';
import { notificationText, trayTooltip } from './text';

// Block date: 14 March 2027 at 09:30 in Paris (UTC+1). D-30 is 12 February, D-1 is 13 March.
const BLOCK = '2027-03-14T08:30:00.000Z';
const acc = (over: Partial<KnownAccount> = {}): KnownAccount => ({
  accountId: 'a1',
  displayName: 'Marie Curie',
  state: 'active',
  blockAt: BLOCK,
  checkedAt: '2027-01-01T00:00:00.000Z',
  ...over,
});
const at = (iso: string) => new Date(iso);

function run(
  nowIso: string,
  memory: ReminderMemory = {},
  accounts = [acc({ checkedAt: nowIso })],
  refreshFailing = false,
) {
  return planReminders({ accounts, memory, now: at(nowIso), refreshFailing });
}

describe('reminder planner', () => {
  it('shows nothing before D-30 and wakes at D-30, 09:30 Paris time', () => {
    const p = run('2027-02-01T12:00:00Z');
    expect(p.notify).toEqual([]);
    expect(p.nextWakeAt?.toISOString()).toBe('2027-02-12T08:30:00.000Z');
    expect(toParis(p.nextWakeAt!)).toMatchObject({ day: 12, month: 2, hour: 9, minute: 30 });
  });

  it('shows D-30 once, then not again on the next evaluation', () => {
    const p1 = run('2027-02-12T08:30:00Z');
    expect(p1.notify.map((n) => n.days)).toEqual([30]);
    const p2 = run('2027-02-12T09:00:00Z', p1.memory);
    expect(p2.notify).toEqual([]);
  });

  it('after a long sleep shows only the most recent passed reminder, and never the skipped ones', () => {
    const p1 = run('2027-02-12T08:30:00Z'); // D-30 shown
    const p2 = run('2027-03-08T10:00:00Z', p1.memory); // slept past D-14 and D-7
    expect(p2.notify.map((n) => n.days)).toEqual([7]);
    // Clock set back to before D-7 but after D-14: D-14 must not appear now.
    const p3 = run('2027-03-01T10:00:00Z', p2.memory);
    expect(p3.notify).toEqual([]);
  });

  it('a new block date (the person signed in) starts a new cycle', () => {
    const p1 = run('2027-03-13T09:00:00Z');
    expect(p1.notify.map((n) => n.days)).toEqual([1]);
    const later = '2027-09-14T07:30:00.000Z';
    const p2 = planReminders({
      accounts: [acc({ blockAt: later })],
      memory: p1.memory,
      now: at('2027-08-15T08:00:00Z'),
      refreshFailing: false,
    });
    expect(p2.notify.map((n) => n.days)).toEqual([30]);
  });

  it('an account missing from one answer and back in the next is not reminded twice', () => {
    const p1 = run('2027-02-12T08:30:00Z');
    expect(p1.notify.map((n) => n.days)).toEqual([30]);
    const p2 = planReminders({
      accounts: [],
      memory: p1.memory,
      now: at('2027-02-13T08:30:00Z'),
      refreshFailing: false,
    });
    expect(p2.memory).toEqual(p1.memory);
    expect(run('2027-02-14T08:30:00Z', p2.memory).notify).toEqual([]);
    // …and forgotten long after its block date.
    const p3 = planReminders({
      accounts: [],
      memory: p1.memory,
      now: at('2027-06-01T00:00:00Z'),
      refreshFailing: false,
    });
    expect(p3.memory).toEqual({});
  });

  it('announces a blocked account once, with the way out', () => {
    const p1 = run('2027-03-14T09:00:00Z');
    expect(p1.notify).toHaveLength(1);
    expect(p1.notify[0]).toMatchObject({ days: 0, urgency: 'blocked', action: 'open-sign-in' });
    expect(notificationText(p1.notify[0]!, 'fr').body).toContain('carte CPS le débloque');
    expect(run('2027-03-20T09:00:00Z', p1.memory).notify).toEqual([]);
  });

  it('a snooze shows the same reminder again later, once, and never hides a closer one', () => {
    const p1 = run('2027-03-11T08:30:00Z'); // D-3
    expect(p1.notify.map((n) => n.days)).toEqual([3]);
    const { memory, snoozedUntil } = snooze(p1.memory, acc(), at('2027-03-11T09:00:00Z'), 72);
    expect(snoozedUntil).toBe('2027-03-14T09:00:00.000Z');
    const p2 = run('2027-03-12T09:00:00Z', memory);
    expect(p2.notify).toEqual([]);
    expect(p2.reminders[0]?.snoozedUntil).toBe(snoozedUntil);
    // D-1 comes before the snooze ends: it shows anyway.
    const p3 = run('2027-03-13T08:30:00Z', p2.memory);
    expect(p3.notify.map((n) => n.days)).toEqual([1]);

    const s = snooze(p3.memory, acc(), at('2027-03-13T08:31:00Z'), 2);
    const p4 = run('2027-03-13T10:31:00Z', s.memory);
    expect(p4.notify).toMatchObject([{ days: 1, cause: 'snooze-ended' }]);
    expect(run('2027-03-13T11:00:00Z', p4.memory).notify).toEqual([]);
  });

  it('flags a stale status when the refresh fails or the status is old', () => {
    expect(
      run('2027-02-12T08:30:00Z', {}, [acc({ checkedAt: '2027-02-12T08:00:00Z' })], true).reminders[0]?.stale,
    ).toBe(true);
    expect(
      run('2027-02-12T08:30:00Z', {}, [acc({ checkedAt: '2027-02-11T08:00:00Z' })], false).reminders[0]
        ?.stale,
    ).toBe(true);
    expect(
      run('2027-02-12T08:30:00Z', {}, [acc({ checkedAt: '2027-02-12T08:00:00Z' })], false).reminders[0]
        ?.stale,
    ).toBe(false);
    const n = run('2027-02-12T08:30:00Z', {}, [acc({ checkedAt: '2027-02-10T08:00:00Z' })], true).notify[0]!;
    expect(notificationText(n, 'fr').body).toContain('dernier état connu');
  });

  it('nobody signed in to ask is not "the server is down": stale only once the status is old, and said plainly', () => {
    const fresh = planReminders({
      accounts: [acc({ checkedAt: '2027-02-12T06:00:00Z' })],
      memory: {},
      now: at('2027-02-12T08:30:00Z'),
      refreshFailing: true,
      failure: 'signed-out',
    });
    expect(fresh.reminders[0]?.stale).toBe(false);
    const old = planReminders({
      accounts: [acc({ checkedAt: '2027-02-10T06:00:00Z' })],
      memory: {},
      now: at('2027-02-12T08:30:00Z'),
      refreshFailing: true,
      failure: 'signed-out',
    });
    expect(old.notify[0]).toMatchObject({ stale: true, staleReason: 'signed-out' });
    const body = notificationText(old.notify[0]!, 'fr').body;
    expect(body).toContain('(dernier état connu le 10 février à 07:00.)');
    expect(body).not.toContain('serveur');
  });

  it('lists the most urgent first and tells the nearest deadline in the tray', () => {
    const p = planReminders({
      accounts: [
        acc({ accountId: 'far', displayName: 'Comptable', blockAt: '2027-08-01T08:00:00Z' }),
        acc({ accountId: 'near', displayName: 'Titulaire', blockAt: '2027-01-09T08:00:00Z' }),
        acc({ accountId: 'gone', displayName: 'Ancien', state: 'blocked', blockAt: '2026-12-01T08:00:00Z' }),
      ],
      memory: {},
      now: at('2027-01-01T06:00:00Z'),
      refreshFailing: false,
    });
    expect(p.reminders.map((r) => r.accountId)).toEqual(['gone', 'near', 'far']);
    expect(p.reminders.map((r) => r.urgency)).toEqual(['blocked', 'd30', 'active']);
    const near = p.reminders[1]!;
    expect(parisDate(new Date(near.blockAt))).toBe('2027-01-09');
    expect(trayTooltip(near, 'fr')).toBe(
      'Vigie : prochaine échéance Titulaire, le 9 janvier 2027 (dans 8 jours)',
    );
    expect(trayTooltip({ ...near, stale: true }, 'fr')).toContain('(état non actualisé)');
  });

  it('maps days left onto the one status scale', () => {
    expect([45, 30, 8, 7, 2, 1, 0].map((d) => urgencyFor(false, d))).toEqual([
      'active',
      'd30',
      'd30',
      'd7',
      'd7',
      'd1',
      'd1',
    ]);
    expect(urgencyFor(true, 10)).toBe('blocked');
  });

  it('says the date and how long is left, in French and English', () => {
    const n = run('2027-02-12T08:30:00Z').notify[0]!;
    expect(notificationText(n, 'fr')).toEqual({
      title: 'Marie Curie : compte bloqué le 14 mars 2027',
      body: 'Ce compte sera bloqué le 14 mars 2027 (dans 30 jours). Une connexion avec votre carte suffit pour le garder actif.',
    });
    expect(notificationText(n, 'en').body).toBe(
      'This account will be blocked on 14 March 2027 (in 30 days). Signing in with your card is enough to keep it active.',
    );
  });
});
