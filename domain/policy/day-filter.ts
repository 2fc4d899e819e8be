import { fromParis, parisDate } from './paris-time';
import { normalizeDate } from './unblock';

/**
 * A day typed in a filter (« 17/05/2026 », « 17 05 2026 », « 2026-05-17 ») as the instant its Paris day starts
 * (`end` false) or ends (`end` true), in ISO form; null when the text is not a real date.
 */
export function frenchDayToInstant(text: string, end: boolean): string | null {
  const day = normalizeDate(text);
  if (!day) return null;
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const at = end
    ? { year, month, day: date, hour: 23, minute: 59, second: 59, ms: 999 }
    : { year, month, day: date, hour: 0, minute: 0, second: 0, ms: 0 };
  return fromParis(at).toISOString();
}

/** The Paris day of an instant written the French way, `jj/mm/aaaa`. */
export function instantToFrenchDay(iso: string): string {
  const [y, m, d] = parisDate(new Date(iso)).split('-');
  return `${d}/${m}/${y}`;
}
