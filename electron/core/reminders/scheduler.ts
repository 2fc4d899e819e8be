/**
 * The reminder scheduler of the workstation. It asks the backend for the status of the accounts
 * followed on this workstation (a read-only status call, never a sign-in), plans with the pure planner
 * (domain/reminders), remembers what it showed and what was snoozed in the settings store, and emits the
 * notifications; the Electron shell shows them as OS notifications, the browser shows them as the in-app banner.
 *
 * The same scheduler reminds the end of the CPS cards seen in the readers here: card-reminders.ts holds that part,
 * planned here in the same pass as the accounts and on the same timers.
 *
 * Time: every decision uses the wall clock `now()`, never the count of timer ticks, so a restart, a sleep or a
 * clock set back changes nothing to what is shown: the memory decides. Timers only say when to look again, and
 * never sleep longer than `maxSleepMs`, so a clock jump or a resume is noticed within that time even if the
 * shell's resume event never comes.
 */
import type { Unsubscribe } from '../../../domain/api/define';
import type { Reminder } from '../../../domain/api/groups/reminders';
import type { CardReminder, CardReminderNotice } from '../../../domain/reminders/card-planner';
import {
  planReminders,
  snooze as snoozeMemory,
  type KnownAccount,
  type ReminderNotice,
} from '../../../domain/reminders/planner';
import { AppError } from '../../../domain/result';
import type { LogFn } from '../context';
import type { ReminderState, SettingsStore } from '../settings/settings-store';
import { createCardReminders, type CardSource } from './card-reminders';
import { safe } from './listeners';

/** The part of the backend's AccountStatus the scheduler needs (domain/backend-api AccountStatusSchema). */
export interface StatusLike {
  accountId: string;
  displayName: string;
  state: 'active' | 'blocked';
  blockAt: string;
}

export interface ReminderSchedulerOptions {
  settings: SettingsStore;
  /**
   * The status of the accounts followed on this workstation (those that signed in here: `followed`), and of the
   * pharmacy's accounts the signed-in holder sees (GET /v1/pharmacy/accounts, /v1/me/status). Read-only.
   */
  fetchStatuses: (followed: readonly string[]) => Promise<readonly StatusLike[]>;
  now?: () => Date;
  log?: LogFn;
  /** How often statuses are fetched when all is well (default 15 min). */
  refreshEveryMs?: number;
  /** The longest a timer sleeps (default 5 min). */
  maxSleepMs?: number;
  /** A status older than this is flagged stale (default 6 h). */
  staleAfterMs?: number;
  /** A fetch taking longer counts as failed (default 10 s). */
  fetchTimeoutMs?: number;
  /** The card service: the card in the active reader, with its certificate's end (`certNotAfter`). */
  card?: CardSource;
}

export interface ReminderScheduler {
  start(): Promise<void>;
  stop(): void;
  /** The accounts followed here, most urgent first, then the cards whose end is near (`card` set). */
  list(): Reminder[];
  /** The cards seen here whose end is within 60 days (or past), nearest first. */
  cards(): CardReminder[];
  /** An account's reminder, or a card's (`card:<key>`, from `cards()`), shows again after `hours`. */
  snooze(accountId: string, hours: number): { snoozedUntil: string };
  /** Fetch now (after a sign-in, on resume, on unlock). */
  refresh(): Promise<void>;
  /** An account signed in on this workstation: follow it from now on (and fetch at once). */
  follow(accountId: string): Promise<void>;
  /** "Forget this account on this workstation": no more reminders for it here. */
  unfollow(accountId: string): void;
  /** The shell saw a resume from sleep or a clock change: refresh and look again. */
  wake(reason: string): Promise<void>;
  onNotify(listener: (n: ReminderNotice) => void): Unsubscribe;
  onChanged(listener: (reminders: Reminder[]) => void): Unsubscribe;
  /** A card's end is near: shown once per step and card (an OS notification in the shell). */
  onCardNotify(listener: (n: CardReminderNotice) => void): Unsubscribe;
  onCardsChanged(listener: (cards: CardReminder[]) => void): Unsubscribe;
}

export function createReminderScheduler(opts: ReminderSchedulerOptions): ReminderScheduler {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const refreshEvery = opts.refreshEveryMs ?? 15 * 60_000;
  const maxSleep = opts.maxSleepMs ?? 5 * 60_000;
  const fetchTimeout = opts.fetchTimeoutMs ?? 10_000;
  const notifyListeners = new Set<(n: ReminderNotice) => void>();
  const changedListeners = new Set<(r: Reminder[]) => void>();

  let state: ReminderState = opts.settings.get('reminders');
  let reminders: Reminder[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let nextRefreshAt = 0;
  let failures = 0;
  let lastTick: number | null = state.lastTickAt ? new Date(state.lastTickAt).getTime() : null;
  let inFlight: Promise<void> | null = null;
  // Read once and on change: conf reads the file at every access.
  let offsets = opts.settings.get('reminderDays');
  const offSettings = opts.settings.onChanged((next) => {
    offsets = next.reminderDays;
    if (running) schedule(evaluate());
  });
  const cards = createCardReminders({
    card: opts.card,
    now,
    log,
    known: () => state.cards ?? [],
    save: (next) => save({ ...state, cards: next }),
    replan: () => {
      if (running) schedule(evaluate());
    },
  });

  // The in-app banner shows both (browser mode).
  const list = (): Reminder[] => [...reminders, ...cards.asReminders()];

  const save = (next: ReminderState) => {
    if (JSON.stringify(next) === JSON.stringify(state)) return;
    state = next;
    opts.settings.set('reminders', state);
  };

  /** Plans, shows what is due, remembers it, says when to look again. */
  const evaluate = () => {
    const t = now();
    if (lastTick !== null && t.getTime() < lastTick - 60_000)
      log('warn', 'clock set back; reminders already shown stay shown', {
        byMinutes: Math.round((lastTick - t.getTime()) / 60_000),
      });
    lastTick = t.getTime();
    const plan = planReminders({
      accounts: state.accounts,
      memory: state.memory,
      now: t,
      offsets,
      refreshFailing: state.refreshFailing,
      failure: state.refreshFailure ?? null,
      ...(opts.staleAfterMs !== undefined ? { staleAfterMs: opts.staleAfterMs } : {}),
    });
    const cardPlan = cards.plan(t);
    // Remember first, then show: a crash in between loses a notification rather than repeating it forever.
    save({
      ...state,
      memory: plan.memory,
      cards: cardPlan.cards,
      ...(plan.notify.length + cardPlan.notify.length > 0 ? { lastTickAt: t.toISOString() } : {}),
    });
    for (const n of plan.notify) {
      log('info', 'reminder due', { days: n.days, urgency: n.urgency, cause: n.cause, stale: n.stale });
      for (const l of notifyListeners) safe(() => l(n));
    }
    const accountsChanged = JSON.stringify(plan.reminders) !== JSON.stringify(reminders);
    const cardsChanged = cards.take(cardPlan);
    reminders = plan.reminders;
    if (accountsChanged || cardsChanged) {
      const all = list();
      for (const l of changedListeners) safe(() => l(all));
    }
    cards.emit(cardPlan, cardsChanged);
    const wakes = [plan.nextWakeAt, cardPlan.nextWakeAt].filter((d): d is Date => d !== null);
    return wakes.length > 0 ? new Date(Math.min(...wakes.map((d) => d.getTime()))) : null;
  };

  const doRefresh = async () => {
    const t = now();
    try {
      const statuses = await withTimeout(opts.fetchStatuses(state.followed ?? []), fetchTimeout);
      const checkedAt = now().toISOString();
      const fresh: KnownAccount[] = statuses.map((s) => ({
        accountId: s.accountId,
        displayName: s.displayName,
        state: s.state,
        blockAt: s.blockAt,
        checkedAt,
      }));
      // A session sees its own pharmacy only: an account followed here that it cannot see (an accountant's account
      // in another pharmacy, a colleague's at a shared counter) keeps its last known status, with its own date.
      const seen = new Set(fresh.map((a) => a.accountId));
      const followed = new Set(state.followed ?? []);
      const kept = state.accounts.filter((a) => !seen.has(a.accountId) && followed.has(a.accountId));
      const accounts = [...fresh, ...kept];
      failures = 0;
      nextRefreshAt = t.getTime() + refreshEvery;
      save({ ...state, accounts, refreshFailing: false, refreshFailure: null, lastRefreshAt: checkedAt });
    } catch (e) {
      failures += 1;
      // Back off: 15 s once (a fetch that timed out on a busy machine right after a sign-in should not leave the
      // reminders missing for minutes), then 1, 2, 4 … minutes, never longer than the normal period.
      nextRefreshAt =
        t.getTime() +
        Math.min(refreshEvery, failures === 1 ? 15_000 : 60_000 * 2 ** Math.min(failures - 2, 10));
      const failure = e instanceof AppError && SIGNED_OUT.has(e.code) ? 'signed-out' : 'unreachable';
      if (!state.refreshFailing || state.refreshFailure !== failure)
        log(
          failure === 'signed-out' ? 'info' : 'warn',
          'account statuses could not be refreshed; showing the last known ones',
          {
            error: errorName(e),
          },
        );
      save({ ...state, refreshFailing: true, refreshFailure: failure });
    }
  };

  const refresh = () => (inFlight ??= doRefresh().finally(() => (inFlight = null)));

  const schedule = (wakeAt: Date | null) => {
    if (!running) return;
    if (timer) clearTimeout(timer);
    const t = now().getTime();
    const until = Math.min(wakeAt ? wakeAt.getTime() : Infinity, nextRefreshAt, t + maxSleep);
    timer = setTimeout(() => void cycle(), Math.max(1000, until - t));
    timer.unref?.();
  };

  const cycle = async () => {
    try {
      const t = now().getTime();
      // Slept, or the clock jumped forward: the statuses are old, fetch before deciding.
      if (lastTick !== null && t - lastTick > maxSleep + 60_000) {
        log('info', 'woke up after a sleep or a clock jump', {
          minutes: Math.round((t - lastTick) / 60_000),
        });
        nextRefreshAt = 0;
      }
      if (t >= nextRefreshAt) await refresh();
      schedule(evaluate());
    } catch (e) {
      // Never an unhandled rejection in the main process: log, and look again later.
      log('error', 'reminder evaluation failed', { error: e instanceof Error ? e.message : String(e) });
      schedule(null);
    }
  };

  return {
    async start() {
      running = true;
      nextRefreshAt = 0;
      cards.watch();
      await cycle();
    },
    stop() {
      running = false;
      offSettings();
      cards.unwatch();
      if (timer) clearTimeout(timer);
      timer = null;
    },
    list,
    cards: cards.cards,
    snooze(accountId, hours) {
      const card = cards.snooze(accountId, hours);
      if (card) {
        schedule(evaluate());
        return card;
      }
      const account = state.accounts.find((a) => a.accountId === accountId);
      if (!account) throw new AppError('NOT_FOUND', 'Ce compte n’est pas suivi sur ce poste.');
      const res = snoozeMemory(state.memory, account, now(), hours);
      save({ ...state, memory: res.memory });
      schedule(evaluate());
      return { snoozedUntil: res.snoozedUntil };
    },
    async refresh() {
      await refresh();
      schedule(evaluate());
    },
    async follow(accountId) {
      const followed = state.followed ?? [];
      if (!followed.includes(accountId)) save({ ...state, followed: [...followed, accountId].slice(-200) });
      await refresh();
      schedule(evaluate());
    },
    unfollow(accountId) {
      const { [accountId]: _gone, ...memory } = state.memory;
      save({
        ...state,
        followed: (state.followed ?? []).filter((id) => id !== accountId),
        accounts: state.accounts.filter((a) => a.accountId !== accountId),
        memory,
      });
      schedule(evaluate());
    },
    async wake(reason) {
      log('info', 'reminders: wake', { reason });
      nextRefreshAt = 0;
      await cycle();
    },
    onNotify(l) {
      notifyListeners.add(l);
      return () => notifyListeners.delete(l);
    },
    onChanged(l) {
      changedListeners.add(l);
      return () => changedListeners.delete(l);
    },
    onCardNotify: cards.onCardNotify,
    onCardsChanged: cards.onCardsChanged,
  };
}

/** Refusals that mean "nobody is signed in to ask", not "the backend is down". */
const SIGNED_OUT = new Set(['UNAUTHENTICATED', 'SESSION_EXPIRED', 'SESSION_IDLE', 'SESSION_REVOKED']);

function errorName(e: unknown): string {
  if (e instanceof AppError) return e.code;
  return e instanceof Error ? e.name : 'error';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new AppError('BACKEND_UNREACHABLE', 'timeout', true)), ms);
    t.unref?.();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
