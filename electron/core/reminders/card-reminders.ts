/**
 * The card half of the reminder scheduler (scheduler.ts composes it): the CPS cards seen in the readers here,
 * remembered from the card service's state with their certificate's end, reminded at D-60, D-30, D-7, then expired
 * (domain/reminders/card-planner), with their notices, their entries in the list and the snooze of `card:<serial>`.
 * Their memory lives in the settings next to the accounts', so a restart never repeats a step either; the scheduler
 * plans them in the same pass as the accounts and on the same timers.
 */
import type { Unsubscribe } from '../../../domain/api/define';
import type { Reminder } from '../../../domain/api/groups/reminders';
import type { CardState } from '../../../domain/card';
import {
  cardAsReminder,
  cardSeen,
  planCardReminders,
  rememberCard,
  snoozeCard,
  type CardPlan,
  type CardReminder,
  type CardReminderNotice,
  type KnownCard,
} from '../../../domain/reminders/card-planner';
import type { LogFn } from '../context';
import { safe } from './listeners';

/** The card service: the card in the active reader, with its certificate's end (`certNotAfter`). */
export interface CardSource {
  getState(): CardState;
  onState(listener: (state: CardState) => void): Unsubscribe;
}

export interface CardRemindersOptions {
  card: CardSource | undefined;
  now: () => Date;
  log: LogFn;
  /** The cards remembered in the settings (`reminders.cards`). */
  known: () => readonly KnownCard[];
  /** Remembers the cards in the settings. */
  save: (cards: KnownCard[]) => void;
  /** A new card (or a new end) was remembered: plan again now, if running. */
  replan: () => void;
}

export interface CardReminders {
  /** Follows the card service: the card in the reader now, then each change. */
  watch(): void;
  unwatch(): void;
  /** The plan at `t` from the remembered cards; the scheduler saves `cards` with the accounts' memory. */
  plan(t: Date): CardPlan;
  /** Keeps the plan's list; true when it changed. */
  take(plan: CardPlan): boolean;
  /** Shows what is due (after the scheduler's own notices and list change), then the new list if it changed. */
  emit(plan: CardPlan, changed: boolean): void;
  /** The cards' entries in the in-app list. */
  asReminders(): Reminder[];
  /** `card:<key>` shows again after `hours`; null when it names no remembered card. */
  snooze(id: string, hours: number): { snoozedUntil: string } | null;
  cards(): CardReminder[];
  onCardNotify(listener: (n: CardReminderNotice) => void): Unsubscribe;
  onCardsChanged(listener: (cards: CardReminder[]) => void): Unsubscribe;
}

export function createCardReminders(opts: CardRemindersOptions): CardReminders {
  const cardNotifyListeners = new Set<(n: CardReminderNotice) => void>();
  const cardsChangedListeners = new Set<(c: CardReminder[]) => void>();
  let cardReminders: CardReminder[] = [];
  let offCard: Unsubscribe | null = null;

  /** A card in the reader: remembered (with its end) so its reminder goes on once it is taken out. */
  const noteCard = (st: CardState) => {
    const seen = cardSeen(st, opts.now());
    if (!seen) return;
    const cards = rememberCard(opts.known(), seen);
    // The same card again (a PIN try, a reader event): nothing new to plan.
    if (JSON.stringify(cards) === JSON.stringify(opts.known())) return;
    opts.save(cards);
    opts.replan();
  };

  return {
    watch() {
      if (opts.card && !offCard) {
        offCard = opts.card.onState(noteCard);
        noteCard(opts.card.getState());
      }
    },
    unwatch() {
      offCard?.();
      offCard = null;
    },
    plan: (t) => planCardReminders(opts.known(), t),
    take(plan) {
      const changed = JSON.stringify(plan.reminders) !== JSON.stringify(cardReminders);
      cardReminders = plan.reminders;
      return changed;
    },
    emit(plan, changed) {
      for (const n of plan.notify) {
        opts.log('info', 'card end reminder due', { step: n.step, level: n.level, cause: n.cause });
        for (const l of cardNotifyListeners) safe(() => l(n));
      }
      if (changed) for (const l of cardsChangedListeners) safe(() => l(cardReminders));
    },
    // The in-app banner shows them after the accounts (browser mode); the tray takes `cards()` with its own words.
    asReminders: () => cardReminders.map(cardAsReminder),
    snooze(id, hours) {
      const card = snoozeCard(opts.known(), id, opts.now(), hours);
      if (!card) return null;
      opts.save(card.cards);
      return { snoozedUntil: card.snoozedUntil };
    },
    cards: () => cardReminders,
    onCardNotify(l) {
      cardNotifyListeners.add(l);
      return () => cardNotifyListeners.delete(l);
    },
    onCardsChanged(l) {
      cardsChangedListeners.add(l);
      return () => cardsChangedListeners.delete(l);
    },
  };
}
