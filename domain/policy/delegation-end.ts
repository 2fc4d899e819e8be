/**
 * A delegation's end date (« fin de contrat »): the holder picks a day; the access ends at the end of that day in
 * Paris (midnight of the next day), and the holder is reminded 7 days before.
 */
import { addParisDays, fromParis, parisDate } from './paris-time';

/** Days before the end at which the holder is reminded. */
export const DELEGATION_END_REMINDER_DAYS = 7;

/** `YYYY-MM-DD`, a real calendar day. */
export function isCalendarDay(day: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === day;
}

/** The instant the access ends: the first instant of the day after `endsOn`, Paris time. */
export function delegationEndsAt(endsOn: string): Date {
  if (!isCalendarDay(endsOn)) throw new RangeError(`not a calendar day: ${endsOn}`);
  const [y, m, d] = endsOn.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return fromParis({
    year: next.getUTCFullYear(),
    month: next.getUTCMonth() + 1,
    day: next.getUTCDate(),
    hour: 0,
    minute: 0,
    second: 0,
    ms: 0,
  });
}

/** The day the holder chose, back from the instant the access ends. */
export function delegationEndsOn(endsAt: Date): string {
  return parisDate(new Date(endsAt.getTime() - 1));
}

/** When the holder is reminded: 7 days before the end (same wall-clock time). */
export function delegationEndReminderAt(endsAt: Date): Date {
  return addParisDays(endsAt, -DELEGATION_END_REMINDER_DAYS);
}

/** An end date may be today (the access ends tonight) or later; never a day already over. */
export function endDateAllowed(endsOn: string, now: Date): boolean {
  return isCalendarDay(endsOn) && endsOn >= parisDate(now);
}
