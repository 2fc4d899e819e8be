import type { Reminder, Urgency } from '../api/groups/reminders';
import { DEFAULT_REMINDER_DAYS, reminderDates } from '../policy/inactivity';
import { parisDaysBetween } from '../policy/paris-time';

/**
 * The reminder planner: pure, time is an input. The scheduler in electron/core feeds it the last known status
 * of every account that signed in on this workstation and what it remembers (shown, snoozed); the planner says
 * what the list shows, which notification to show now, and when to look again.
 *
 * Rules:
 * - a reminder is due at D-30, D-14, D-7, D-3, D-1 before the block date (Europe/Paris calendar days, same
 *   wall-clock time: domain/policy `reminderDates`);
 * - each one is shown once per block date: remembered as the smallest offset shown, so a clock set back, a
 *   restart or a second evaluation never shows it again, and a reminder skipped while asleep never comes back
 *   after a later one was shown;
 * - after a sleep or a restart only the most recent passed reminder is shown (one notification, not three);
 * - a blocked account is announced once, with the way out;
 * - a snooze asks to see the same reminder again later; it never hides a new, closer reminder (D-1 always shows);
 * - a new block date (the person signed in somewhere) starts afresh.
 * Reminders never sign anyone in: every notification asks the person to sign in themselves.
 */

/** What the scheduler knows about one account: the backend's status, as last fetched. */
export interface KnownAccount {
  accountId: string;
  displayName: string;
  state: 'active' | 'blocked';
  /** ISO instant: last activity + 6 months (or when it was blocked). */
  blockAt: string;
  /** ISO instant of the backend answer this status comes from. */
  checkedAt: string;
}

/** What the scheduler remembers per account (persisted in the settings store). */
export interface AccountMemory {
  /** The block date the reminders below belong to. */
  blockAt: string;
  /** The smallest offset (days before the block) already shown for this block date; 0 = "blocked" shown. */
  shownDays: number | null;
  shownAt: string | null;
  /** "Remind me later": show the current reminder again at this instant. */
  snoozedUntil: string | null;
}
export type ReminderMemory = Record<string, AccountMemory>;

export type StaleReason = 'unreachable' | 'signed-out';

export interface ReminderNotice {
  accountId: string;
  displayName: string;
  urgency: Urgency;
  /** Days before the block date this reminder is for; 0 when the account is blocked. */
  days: number;
  blockAt: string;
  daysLeft: number;
  stale: boolean;
  /** Why the status is stale (null when fresh). */
  staleReason: StaleReason | null;
  checkedAt: string;
  /** Why it shows now: a reminder date passed, or a snooze ended. */
  cause: 'due' | 'snooze-ended';
  /** What clicking it does: open Vigie on the sign-in screen. Never a sign-in by itself. */
  action: 'open-sign-in';
}

export interface PlanInput {
  accounts: readonly KnownAccount[];
  memory: ReminderMemory;
  now: Date;
  /** Offsets in days (settings.reminderDays); defaults to 30, 14, 7, 3, 1. */
  offsets?: readonly number[];
  /** The last refresh from the backend failed (the statuses are the last known ones). */
  refreshFailing: boolean;
  /**
   * Why: the backend could not be reached (stale at once), or nobody is signed in to ask it (stale only once
   * the status is older than `staleAfterMs`). Defaults to 'unreachable'.
   */
  failure?: StaleReason | null;
  /** A status older than this is stale even if no refresh failed (e.g. the app slept). */
  staleAfterMs?: number;
}

export interface Plan {
  /** For the list and the banner: most urgent first. */
  reminders: Reminder[];
  /** Show these now (then keep `memory`). */
  notify: ReminderNotice[];
  /** The memory to keep after showing `notify`. */
  memory: ReminderMemory;
  /** The next instant something changes (a reminder date, a snooze end, a block date), or null. */
  nextWakeAt: Date | null;
}

export const DEFAULT_STALE_AFTER_MS = 6 * 3600_000;
/** What was shown for an account no longer listed is kept until its block date is this far in the past. */
export const FORGET_AFTER_MS = 60 * 86_400_000;

export function urgencyFor(blocked: boolean, daysLeft: number): Urgency {
  if (blocked) return 'blocked';
  if (daysLeft <= 1) return 'd1';
  if (daysLeft <= 7) return 'd7';
  if (daysLeft <= 30) return 'd30';
  return 'active';
}

const URGENCY_RANK: Record<Urgency, number> = { blocked: 0, d1: 1, d7: 2, d30: 3, active: 4 };

export function planReminders(input: PlanInput): Plan {
  const now = input.now;
  const t = now.getTime();
  const offsets = input.offsets && input.offsets.length > 0 ? input.offsets : DEFAULT_REMINDER_DAYS;
  const staleAfter = input.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const memory: ReminderMemory = {};
  const reminders: Reminder[] = [];
  const notify: ReminderNotice[] = [];
  let nextWake: number | null = null;
  const wakeAt = (ms: number) => {
    if (ms > t && (nextWake === null || ms < nextWake)) nextWake = ms;
  };

  for (const a of input.accounts) {
    const blockAt = new Date(a.blockAt);
    if (Number.isNaN(blockAt.getTime())) continue;
    const prev = input.memory[a.accountId];
    // A new block date (signed in since) starts a new cycle of reminders.
    let mem: AccountMemory =
      prev && prev.blockAt === a.blockAt
        ? { ...prev }
        : { blockAt: a.blockAt, shownDays: null, shownAt: null, snoozedUntil: null };
    const blocked = a.state === 'blocked' || t >= blockAt.getTime();
    const daysLeft = parisDaysBetween(now, blockAt);
    const failure: StaleReason = input.failure ?? 'unreachable';
    const old = t - new Date(a.checkedAt).getTime() > staleAfter;
    const stale = (input.refreshFailing && failure === 'unreachable') || old;
    const staleReason: StaleReason | null = !stale ? null : input.refreshFailing ? failure : 'signed-out';
    const urgency = urgencyFor(blocked, daysLeft);

    // The reminder due now: the blocked notice, or the latest passed reminder date.
    const dates = reminderDates(blockAt, offsets);
    let dueDays: number | null = null;
    if (blocked) dueDays = 0;
    else {
      for (const r of dates) if (r.at.getTime() <= t) dueDays = r.days;
    }
    for (const r of dates) wakeAt(r.at.getTime());
    if (!blocked) wakeAt(blockAt.getTime());

    const notice = (days: number, cause: ReminderNotice['cause']): ReminderNotice => ({
      accountId: a.accountId,
      displayName: a.displayName,
      urgency,
      days,
      blockAt: a.blockAt,
      daysLeft,
      stale,
      staleReason,
      checkedAt: a.checkedAt,
      cause,
      action: 'open-sign-in',
    });

    const snoozeEnd = mem.snoozedUntil ? new Date(mem.snoozedUntil).getTime() : null;
    if (dueDays !== null && (mem.shownDays === null || dueDays < mem.shownDays)) {
      // A new, closer reminder: shown once, whatever the snooze.
      notify.push(notice(dueDays, 'due'));
      mem = { ...mem, shownDays: dueDays, shownAt: now.toISOString(), snoozedUntil: null };
    } else if (snoozeEnd !== null && t >= snoozeEnd) {
      if (dueDays !== null) notify.push(notice(dueDays, 'snooze-ended'));
      mem = { ...mem, snoozedUntil: null, shownAt: dueDays !== null ? now.toISOString() : mem.shownAt };
    } else if (snoozeEnd !== null) {
      wakeAt(snoozeEnd);
    }

    memory[a.accountId] = mem;
    reminders.push({
      accountId: a.accountId,
      displayName: a.displayName,
      urgency,
      blockAt: a.blockAt,
      daysLeft,
      stale,
      checkedAt: a.checkedAt,
      snoozedUntil: mem.snoozedUntil,
    });
  }

  // Accounts missing from this answer (the person signed in sees fewer accounts, say) keep what was shown to them,
  // so nothing shows twice when they come back; forgotten once their block date is long past.
  for (const [id, m] of Object.entries(input.memory)) {
    if (memory[id] || new Date(m.blockAt).getTime() < t - FORGET_AFTER_MS) continue;
    memory[id] = m;
  }

  reminders.sort(
    (x, y) =>
      URGENCY_RANK[x.urgency] - URGENCY_RANK[y.urgency] ||
      x.daysLeft - y.daysLeft ||
      x.displayName.localeCompare(y.displayName),
  );
  return { reminders, notify, memory, nextWakeAt: nextWake === null ? null : new Date(nextWake) };
}

/** "Remind me later": the same reminder shows again after `hours` (1 to 72). */
export function snooze(
  memory: ReminderMemory,
  account: KnownAccount,
  now: Date,
  hours: number,
): { memory: ReminderMemory; snoozedUntil: string } {
  const h = Math.min(72, Math.max(1, Math.trunc(hours)));
  const snoozedUntil = new Date(now.getTime() + h * 3600_000).toISOString();
  const prev = memory[account.accountId];
  const base: AccountMemory =
    prev && prev.blockAt === account.blockAt
      ? prev
      : { blockAt: account.blockAt, shownDays: null, shownAt: null, snoozedUntil: null };
  return { memory: { ...memory, [account.accountId]: { ...base, snoozedUntil } }, snoozedUntil };
}

/** The nearest deadline, for the tray: the most urgent reminder, or null when no account is known. */
export function nearestDeadline(reminders: readonly Reminder[]): Reminder | null {
  return reminders[0] ?? null;
}
