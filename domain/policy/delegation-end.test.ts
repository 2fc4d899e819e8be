import { describe, expect, it } from 'vitest';
import {
  delegationEndReminderAt,
  delegationEndsAt,
  delegationEndsOn,
  endDateAllowed,
  isCalendarDay,
} from './delegation-end';

describe('delegation end date', () => {
  it('ends at midnight Paris after the chosen day, in winter and in summer time', () => {
    expect(delegationEndsAt('2027-01-15').toISOString()).toBe('2027-01-15T23:00:00.000Z');
    expect(delegationEndsAt('2027-07-15').toISOString()).toBe('2027-07-15T22:00:00.000Z');
    // the last day of a month and of a year roll over
    expect(delegationEndsAt('2026-12-31').toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });

  it('gives back the chosen day from the end instant', () => {
    for (const d of ['2027-01-15', '2027-03-27', '2027-03-28', '2027-10-31', '2028-02-29'])
      expect(delegationEndsOn(delegationEndsAt(d))).toBe(d);
  });

  it('reminds the holder 7 days before, across a time change', () => {
    // the end is on 2 April 2027 (summer time); 7 days earlier is still midnight Paris, in winter time
    const end = delegationEndsAt('2027-04-01');
    expect(delegationEndReminderAt(end).toISOString()).toBe('2027-03-25T23:00:00.000Z');
  });

  it('refuses a day already over, and what is not a calendar day', () => {
    const now = new Date('2027-01-15T22:30:00Z'); // 23:30 in Paris on 15 January
    expect(endDateAllowed('2027-01-15', now)).toBe(true);
    expect(endDateAllowed('2027-01-14', now)).toBe(false);
    expect(endDateAllowed('2027-02-30', now)).toBe(false);
    expect(isCalendarDay('2027-1-5')).toBe(false);
    expect(() => delegationEndsAt('demain')).toThrow(RangeError);
  });
});
