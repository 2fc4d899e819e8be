/** Day indexes of the run (0 = the start; negative = warm-up) and what each day is, in Paris. */
import { addParisDays, toParis } from '../../domain/policy';

export interface DayInfo {
  start: Date;
  /** 0 Sunday … 6 Saturday. */
  dow: number;
  month: number;
  day: number;
  year: number;
  /** 24 December – 1 January: the pharmacy's week closed at Christmas. */
  christmas: boolean;
}

export class Calendar {
  readonly days: DayInfo[] = [];
  constructor(
    readonly start: Date,
    readonly first: number,
    readonly last: number,
  ) {
    for (let d = first; d <= last + 1; d++) {
      const s = addParisDays(start, d);
      const l = toParis(s);
      const dow = new Date(Date.UTC(l.year, l.month - 1, l.day)).getUTCDay();
      this.days.push({
        start: s,
        dow,
        month: l.month,
        day: l.day,
        year: l.year,
        christmas: (l.month === 12 && l.day >= 24) || (l.month === 1 && l.day === 1),
      });
    }
  }
  info(d: number): DayInfo {
    return this.days[d - this.first]!;
  }
  /** Index into per-day arrays. */
  ix(d: number): number {
    return d - this.first;
  }
  get length() {
    return this.last - this.first + 2;
  }
  at(d: number, hours: number): Date {
    return new Date(this.info(d).start.getTime() + hours * 3600_000);
  }
  /** The day index of an instant (Paris date). */
  dayOf(t: Date): number {
    const ms = t.getTime();
    let lo = 0;
    let hi = this.days.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.days[mid]!.start.getTime() <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo + this.first;
  }
  /** Adds `n` working days (Monday–Friday) to day `d`. */
  addWorkingDays(d: number, n: number): number {
    let x = d;
    let left = n;
    while (left > 0) {
      x++;
      const dow = x <= this.last ? this.info(x).dow : (this.info(this.last).dow + (x - this.last)) % 7;
      if (dow !== 0 && dow !== 6) left--;
    }
    return x;
  }
}
