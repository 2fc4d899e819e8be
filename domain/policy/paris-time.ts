/**
 * Calendar arithmetic in Europe/Paris with the platform's time-zone database (Intl), no date library.
 * An instant is a `Date`; a "Paris local" value is the wall-clock reading in Paris.
 */
export const PARIS = 'Europe/Paris';

export interface LocalDateTime {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: PARIS,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/**
 * Paris's offset from UTC during one UTC hour. Paris changes its offset only on whole UTC hours (01:00 UTC in
 * March and October since 1996, and on whole hours before), so one reading of the time-zone database per hour
 * is exact; the cache keeps sign-ins and sweeps from formatting dates over and over (a `formatToParts` costs
 * about as much as the rest of a deadline computation).
 */
const offsetByHour = new Map<number, number>();
function offsetOfHour(hour: number): number {
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const start = hour * 3600_000;
    const parts: Record<string, number> = {};
    for (const p of fmt.formatToParts(new Date(start)))
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    offset =
      Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!) -
      start;
    if (offsetByHour.size >= 50_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

/** The wall-clock reading in Paris at `instant`. */
export function toParis(instant: Date): LocalDateTime {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new RangeError('Invalid time value');
  const wall = new Date(t + offsetOfHour(Math.floor(t / 3600_000)));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    ms: wall.getUTCMilliseconds(),
  };
}

/** Paris offset from UTC in ms at `instant` (+1 h in winter, +2 h in summer). */
export function parisOffsetMs(instant: Date): number {
  const l = toParis(instant);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.ms);
  return asUtc - instant.getTime();
}

/**
 * The instant at which Paris clocks read `l`. In the spring-forward gap (02:xx that does not exist) it gives
 * the instant one hour later on the clock (03:xx); in the autumn overlap it gives the first (summer-time) one.
 */
export function fromParis(l: LocalDateTime): Date {
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.ms);
  // Try both offsets around the wall time; keep the earliest instant that reads back as `wall`.
  const candidates = new Set<number>();
  for (const probe of [wall - 3 * 3600_000, wall, wall + 3 * 3600_000]) {
    candidates.add(wall - parisOffsetMs(new Date(probe)));
  }
  const exact = [...candidates].filter((t) => wallOf(new Date(t)) === wall).sort((a, b) => a - b);
  if (exact.length > 0) return new Date(exact[0]!);
  // Gap: the wall time does not exist; use the offset before the change (clock reads one hour later).
  return new Date(wall - parisOffsetMs(new Date(wall - 3 * 3600_000)));
}

function wallOf(instant: Date): number {
  const l = toParis(instant);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.ms);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds calendar months in Paris, clamping the day to the month's end (31 Aug + 6 months → 28/29 Feb). */
export function addParisMonths(instant: Date, months: number): Date {
  const l = toParis(instant);
  const index = l.year * 12 + (l.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return fromParis({ ...l, year, month, day: Math.min(l.day, daysInMonth(year, month)) });
}

/** Adds calendar days in Paris, keeping the wall-clock time (so a day across a DST change is 23 or 25 h). */
export function addParisDays(instant: Date, days: number): Date {
  const l = toParis(instant);
  const d = new Date(Date.UTC(l.year, l.month - 1, l.day + days));
  return fromParis({ ...l, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** The Paris calendar date of an instant, as `YYYY-MM-DD`. */
export function parisDate(instant: Date): string {
  const l = toParis(instant);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}

/** Whole calendar days from `a`'s Paris date to `b`'s Paris date (negative if `b` is before `a`). */
export function parisDaysBetween(a: Date, b: Date): number {
  const la = toParis(a);
  const lb = toParis(b);
  return Math.round(
    (Date.UTC(lb.year, lb.month - 1, lb.day) - Date.UTC(la.year, la.month - 1, la.day)) / 86_400_000,
  );
}
