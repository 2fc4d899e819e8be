/**
 * One workstation's reminders, by the workstation's own code: electron/core's reminder scheduler (which plans with
 * domain/reminders/planner.ts) over an in-memory settings store. The scheduler is never started, so it sets no
 * timer: the simulation wakes it at the instants the model looks (a person sits down, someone signs in), on the
 * simulated clock. Its status fetch is the workstation's: a read-only GET /v1/pharmacy/accounts with the session
 * open on this workstation, if any; otherwise it keeps the last known statuses (stale), as on a real workstation.
 */
import type { Reminder } from '../../domain/api/groups/reminders';
import type { ReminderNotice } from '../../domain/reminders/planner';
import { DEFAULT_REMINDER_DAYS } from '../../domain/policy';
import { AppError } from '../../domain/result';
import {
  createReminderScheduler,
  type ReminderScheduler,
  type StatusLike,
} from '../../electron/core/reminders/scheduler';
import type { SettingsStore } from '../../electron/core/settings/settings-store';

/** The two keys the scheduler reads and writes, in memory. */
function memorySettings(offsets: readonly number[]): SettingsStore {
  const values: Record<string, unknown> = {
    reminderDays: [...offsets],
    reminders: {
      accounts: [],
      memory: {},
      refreshFailing: false,
      refreshFailure: null,
      lastRefreshAt: null,
      lastTickAt: null,
      followed: [],
    },
  };
  const store = {
    get: (k: string) => values[k],
    set: (k: string, v: unknown) => {
      values[k] = v;
    },
    onChanged: () => () => {},
  };
  return store as unknown as SettingsStore;
}

export interface SimWorkstationPlanner {
  follow(accountId: string): Promise<ReminderNotice[]>;
  wake(): Promise<ReminderNotice[]>;
  list(): Reminder[];
  /** Whether this workstation knows the account's status (it plans its reminders only then). */
  knows(accountId: string): boolean;
  /** Nothing to show soon: every known account is far from its block date, or its block was already announced. */
  quiet(now: Date): boolean;
}

export function createSimPlanner(o: {
  now: () => Date;
  fetchStatuses: (followed: readonly string[]) => Promise<readonly StatusLike[]>;
  offsets?: readonly number[];
}): SimWorkstationPlanner {
  const settings = memorySettings(o.offsets ?? DEFAULT_REMINDER_DAYS);
  const scheduler: ReminderScheduler = createReminderScheduler({
    settings,
    fetchStatuses: o.fetchStatuses,
    now: o.now,
    fetchTimeoutMs: 600_000,
  });
  let collected: ReminderNotice[] = [];
  scheduler.onNotify((n) => collected.push(n));
  const drain = () => {
    const c = collected;
    collected = [];
    return c;
  };
  const maxOffset = Math.max(0, ...(o.offsets ?? DEFAULT_REMINDER_DAYS));
  return {
    async follow(accountId) {
      await scheduler.follow(accountId);
      return drain();
    },
    async wake() {
      await scheduler.wake('sim');
      return drain();
    },
    list: () => scheduler.list(),
    knows: (id) => settings.get('reminders').accounts.some((a) => a.accountId === id),
    quiet(now) {
      const s = settings.get('reminders');
      const horizon = now.getTime() + (maxOffset + 1) * 86_400_000;
      return s.accounts.every((a) => {
        const m = s.memory[a.accountId];
        if (m && m.blockAt === a.blockAt && m.shownDays === 0) return true;
        return new Date(a.blockAt).getTime() > horizon && a.state === 'active';
      });
    },
  };
}

export const signedOut = () =>
  new AppError('UNAUTHENTICATED', 'nobody is signed in: the last known statuses stay', true);
