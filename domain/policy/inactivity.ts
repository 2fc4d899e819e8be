import { addParisDays, addParisMonths, parisDaysBetween } from './paris-time';

/** ARCHITECTURE.md §2: an account unused for more than 6 months is blocked. */
export const INACTIVITY_MONTHS = 6;
/** Reminder offsets in days before the block date (the app's notifications). */
export const DEFAULT_REMINDER_DAYS = [30, 14, 7, 3, 1] as const;
/** Reminders that are also e-mailed. */
export const DEFAULT_MAIL_REMINDER_DAYS = [30, 7, 1] as const;

/**
 * The instant an account becomes blocked: last activity (or creation, if it never signed in) + 6 calendar
 * months in Europe/Paris, same wall-clock time, day clamped to the month's end.
 */
export function blockDate(lastActivityAt: Date | null, createdAt: Date): Date {
  return addParisMonths(lastActivityAt ?? createdAt, INACTIVITY_MONTHS);
}

/** The reminder instants before `blockAt`, earliest first (D-30 before D-1); duplicates removed. */
export function reminderDates(
  blockAt: Date,
  offsetsDays: readonly number[] = DEFAULT_REMINDER_DAYS,
): { days: number; at: Date }[] {
  const days = [...new Set(offsetsDays.filter((d) => Number.isInteger(d) && d > 0))].sort((a, b) => b - a);
  return days.map((d) => ({ days: d, at: addParisDays(blockAt, -d) }));
}

/** The next reminder strictly after `now`, or null. */
export function nextReminder(
  blockAt: Date,
  now: Date,
  offsetsDays: readonly number[] = DEFAULT_REMINDER_DAYS,
) {
  return reminderDates(blockAt, offsetsDays).find((r) => r.at.getTime() > now.getTime()) ?? null;
}

/**
 * The reminder that is due at `now` (the latest one whose date has passed, before the block date), or null.
 * When several have passed (the job was late), only the most recent counts: the user gets one mail, not three.
 */
export function dueReminder(
  blockAt: Date,
  now: Date,
  offsetsDays: readonly number[] = DEFAULT_REMINDER_DAYS,
) {
  if (now.getTime() >= blockAt.getTime()) return null;
  const passed = reminderDates(blockAt, offsetsDays).filter((r) => r.at.getTime() <= now.getTime());
  return passed[passed.length - 1] ?? null;
}

export type AccountState = 'active' | 'blocked';
export type BlockReason = 'inactivity' | 'suspicious';

export interface StatusInput {
  state: AccountState;
  blockReason: BlockReason | null;
  lastActivityAt: Date | null;
  createdAt: Date;
  now: Date;
  reminderDays?: readonly number[];
}

export interface AccountStatus {
  state: AccountState;
  reason: BlockReason | null;
  /** When the account is (or was) blocked for inactivity. */
  blockAt: Date;
  /** Calendar days (Paris) from today to the block date; 0 on the day itself, negative once past. */
  daysLeft: number;
  nextReminderAt: Date | null;
  nextReminderDays: number | null;
  /** True when the account is still marked active but its block date has passed: block it now. */
  mustBlock: boolean;
}

export function computeStatus(i: StatusInput): AccountStatus {
  const blockAt = blockDate(i.lastActivityAt, i.createdAt);
  const overdue = i.now.getTime() >= blockAt.getTime();
  const mustBlock = i.state === 'active' && overdue;
  const state: AccountState = mustBlock ? 'blocked' : i.state;
  const reason: BlockReason | null = mustBlock
    ? 'inactivity'
    : state === 'blocked'
      ? (i.blockReason ?? 'inactivity')
      : null;
  const next = state === 'active' ? nextReminder(blockAt, i.now, i.reminderDays) : null;
  return {
    state,
    reason,
    blockAt,
    daysLeft: parisDaysBetween(i.now, blockAt),
    nextReminderAt: next?.at ?? null,
    nextReminderDays: next?.days ?? null,
    mustBlock,
  };
}
