import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addParisDays,
  addParisMonths,
  daysInMonth,
  fromParis,
  parisDate,
  parisDaysBetween,
  toParis,
} from './paris-time';
import { blockDate, computeStatus, dueReminder, nextReminder, reminderDates } from './inactivity';

const instants = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2100-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const created = new Date('2020-01-01T00:00:00Z');

describe('Paris wall clock', () => {
  const intl = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const reference = (t: Date) => {
    const p = Object.fromEntries(
      intl
        .formatToParts(t)
        .filter((x) => x.type !== 'literal')
        .map((x) => [x.type, Number(x.value)]),
    );
    return {
      year: p.year,
      month: p.month,
      day: p.day,
      hour: p.hour,
      minute: p.minute,
      second: p.second,
      ms: t.getUTCMilliseconds(),
    };
  };
  it('property: toParis reads what the time-zone database reads, at any instant 1970–2100', () => {
    const any = fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(any, (t) => {
        expect(toParis(t)).toEqual(reference(t));
      }),
      { numRuns: 2000 },
    );
  });
  it('reads both sides of each 2026 clock change to the millisecond', () => {
    for (const edge of ['2026-03-29T01:00:00.000Z', '2026-10-25T01:00:00.000Z']) {
      for (const d of [-3_600_001, -1, 0, 1, 3_599_999]) {
        const t = new Date(new Date(edge).getTime() + d);
        expect(toParis(t)).toEqual(reference(t));
      }
    }
    expect(toParis(new Date('2026-03-29T00:59:59.999Z')).hour).toBe(1);
    expect(toParis(new Date('2026-03-29T01:00:00.000Z')).hour).toBe(3);
  });
  it('refuses an invalid date', () => {
    expect(() => toParis(new Date(NaN))).toThrow(RangeError);
  });
});

describe('block date (last activity + 6 calendar months, Europe/Paris)', () => {
  it('follows the insurer example: last sign-in in March 2023 → blocked in September 2023', () => {
    expect(parisDate(blockDate(new Date('2023-03-15T09:30:00+01:00'), created))).toBe('2023-09-15');
  });
  it('clamps the day to the month end, leap years included', () => {
    expect(parisDate(blockDate(new Date('2023-08-31T10:00:00+02:00'), created))).toBe('2024-02-29');
    expect(parisDate(blockDate(new Date('2024-08-31T10:00:00+02:00'), created))).toBe('2025-02-28');
    expect(parisDate(blockDate(new Date('2024-12-31T23:30:00+01:00'), created))).toBe('2025-06-30');
  });
  it('counts from creation when the account never signed in', () => {
    expect(parisDate(blockDate(null, new Date('2024-01-10T12:00:00Z')))).toBe('2024-07-10');
  });
  it('keeps the Paris wall-clock time across DST (winter → summer)', () => {
    const b = blockDate(new Date('2024-01-15T08:00:00Z'), created); // 09:00 in Paris (UTC+1)
    expect(b.toISOString()).toBe('2024-07-15T07:00:00.000Z'); // 09:00 in Paris (UTC+2)
  });
  it('handles a local time that does not exist on the target day (spring-forward gap)', () => {
    // 2024-09-30 02:30 +02:00 → 2025-03-30 02:30 does not exist in Paris; the clock reads 03:30.
    const b = blockDate(new Date('2024-09-30T00:30:00Z'), created);
    expect(toParis(b)).toMatchObject({ year: 2025, month: 3, day: 30, hour: 3, minute: 30 });
  });

  it('property: Paris date is month + 6, day clamped; same wall time unless in a DST gap', () => {
    fc.assert(
      fc.property(instants, (t) => {
        const a = toParis(t);
        const b = toParis(blockDate(t, created));
        const idx = a.year * 12 + a.month - 1 + 6;
        expect(b.year).toBe(Math.floor(idx / 12));
        expect(b.month).toBe((idx % 12) + 1);
        expect(b.day).toBe(Math.min(a.day, daysInMonth(b.year, b.month)));
        expect(b.minute).toBe(a.minute);
        expect([a.hour, a.hour + 1]).toContain(b.hour);
      }),
      { numRuns: 2000 },
    );
  });
  it('property: between 181 and 184 days (± 1 h DST) later, and monotonic', () => {
    fc.assert(
      fc.property(instants, instants, (x, y) => {
        const d = blockDate(x, created).getTime() - x.getTime();
        expect(d).toBeGreaterThanOrEqual(181 * 86_400_000 - 3600_000 - 86_400_000 * 3);
        expect(d).toBeLessThanOrEqual(184 * 86_400_000 + 3600_000);
        const [a, b] = x <= y ? [x, y] : [y, x];
        expect(blockDate(a, created).getTime()).toBeLessThanOrEqual(blockDate(b, created).getTime());
      }),
      { numRuns: 1000 },
    );
  });
  it('property: fromParis(toParis(t)) = t, except in the autumn overlap where it picks the first instant', () => {
    fc.assert(
      fc.property(instants, (t) => {
        const back = fromParis(toParis(t)).getTime();
        expect([t.getTime(), t.getTime() - 3600_000]).toContain(back);
      }),
      { numRuns: 2000 },
    );
  });
  it('property: addParisMonths of whole years keeps the day except 29 Feb', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: -5, max: 5 }), (t, years) => {
        const a = toParis(t);
        const b = toParis(addParisMonths(t, years * 12));
        expect(b.year).toBe(a.year + years);
        expect(b.day).toBe(a.month === 2 && a.day === 29 ? daysInMonth(b.year, 2) : a.day);
      }),
    );
  });
});

describe('reminders (D-30, D-14, D-7, D-3, D-1 by default)', () => {
  it('property: N calendar days before the block date, earliest first, all before it', () => {
    fc.assert(
      fc.property(
        instants,
        fc.uniqueArray(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 6 }),
        (t, offsets) => {
          const blockAt = blockDate(t, created);
          const rs = reminderDates(blockAt, offsets);
          expect(rs.map((r) => r.days)).toEqual([...offsets].sort((a, b) => b - a));
          for (const r of rs) {
            expect(parisDaysBetween(r.at, blockAt)).toBe(r.days);
            expect(r.at.getTime()).toBeLessThan(blockAt.getTime());
          }
          for (let i = 1; i < rs.length; i++)
            expect(rs[i]!.at.getTime()).toBeGreaterThan(rs[i - 1]!.at.getTime());
        },
      ),
      { numRuns: 500 },
    );
  });
  it('a day across a DST change keeps the wall time (23 h or 25 h long)', () => {
    const blockAt = new Date('2025-04-01T08:00:00Z'); // 10:00 Paris summer time
    const d3 = addParisDays(blockAt, -3); // 29 March, 10:00 Paris winter time
    expect(d3.toISOString()).toBe('2025-03-29T09:00:00.000Z');
  });
  it('the due reminder is the latest one passed; none after the block date', () => {
    const blockAt = new Date('2025-06-30T10:00:00Z');
    expect(dueReminder(blockAt, new Date('2025-05-20T10:00:00Z'))).toBeNull();
    expect(dueReminder(blockAt, new Date('2025-06-24T10:00:00Z'))?.days).toBe(7);
    expect(dueReminder(blockAt, new Date('2025-06-29T12:00:00Z'))?.days).toBe(1);
    expect(dueReminder(blockAt, new Date('2025-06-30T10:00:00Z'))).toBeNull();
    expect(nextReminder(blockAt, new Date('2025-06-24T10:00:00Z'))?.days).toBe(3);
  });
});

describe('status', () => {
  it('an account past its date is to be blocked even if the sweep has not run', () => {
    const s = computeStatus({
      state: 'active',
      blockReason: null,
      lastActivityAt: new Date('2024-01-01T10:00:00Z'),
      createdAt: created,
      now: new Date('2024-07-02T10:00:00Z'),
    });
    expect(s).toMatchObject({
      state: 'blocked',
      reason: 'inactivity',
      mustBlock: true,
      nextReminderAt: null,
    });
    expect(s.daysLeft).toBe(-1);
  });
  it('days left and next reminder for an active account', () => {
    const s = computeStatus({
      state: 'active',
      blockReason: null,
      lastActivityAt: new Date('2024-01-10T10:00:00Z'),
      createdAt: created,
      now: new Date('2024-07-05T10:00:00Z'),
    });
    expect(s).toMatchObject({
      state: 'active',
      reason: null,
      daysLeft: 5,
      nextReminderDays: 3,
      mustBlock: false,
    });
  });
  it('a suspicious block keeps its reason', () => {
    const s = computeStatus({
      state: 'blocked',
      blockReason: 'suspicious',
      lastActivityAt: new Date(),
      createdAt: created,
      now: new Date(),
    });
    expect(s).toMatchObject({ state: 'blocked', reason: 'suspicious', mustBlock: false });
  });
});
