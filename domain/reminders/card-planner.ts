import type { Reminder, Urgency } from '../api/groups/reminders';
import type { CardState } from '../card';
import { cardExpiryNotice, type CardExpiryLevel, type CardExpiryStep } from '../policy/card-expiry';

/**
 * The reminder of a CPS card's end, for the tray and the OS notifications: pure, time is an input. The steps and
 * levels are domain/policy/card-expiry's (the dashboard's): D-60 information, D-30, D-7, then "expired".
 *
 * Rules:
 * - every card seen in a reader here is remembered (its end, its holder), so the reminder goes on while the card
 *   is out of the reader and after a restart; a newer card of the same holder replaces the older ones;
 * - each step is shown once per card and end date: remembered as the smallest step shown, so a clock set back, a
 *   restart or a second evaluation never shows it again, and after a sleep only the latest step shows;
 * - a snooze shows the same step again later, once; it never hides a closer step;
 * - a card is forgotten a month after its end.
 */

/** What the scheduler remembers of a card (persisted in the settings store, `reminders.cards`). */
export interface KnownCard {
  /** The card's serial number, or its holder's national id when the card gives no serial. */
  key: string;
  nationalId: string | null;
  holderName: string;
  /** End of the authentication certificate (ISO instant). */
  notAfter: string;
  seenAt: string;
  /** The smallest step (60, 30, 7; 0 = expired) already shown for this end date. */
  shownStep: number | null;
  shownAt: string | null;
  snoozedUntil: string | null;
}

/** One card whose end is near, for the tray (and the reminders list). */
export interface CardReminder {
  /** `card:<key>`: what `reminders.snooze` takes. */
  id: string;
  holderName: string;
  notAfter: string;
  level: CardExpiryLevel;
  step: CardExpiryStep | 0;
  daysLeft: number;
  snoozedUntil: string | null;
  /** When this card was last seen in a reader here. */
  seenAt: string;
}

/** A notification to show now about a card's end. */
export interface CardReminderNotice extends CardReminder {
  kind: 'card';
  /** A step was reached, or a snooze ended. */
  cause: 'due' | 'snooze-ended';
}

export const MAX_KNOWN_CARDS = 8;
/** A card is forgotten this long after its end. */
export const FORGET_CARD_AFTER_MS = 30 * 86_400_000;
export const CARD_ID_PREFIX = 'card:';

/** The card in the active reader as the reminders need it, or null (no card, no end date, nothing to key it by). */
export function cardSeen(state: CardState, now: Date): KnownCard | null {
  const reader = state.readers.find((r) => r.name === state.activeReader) ?? null;
  const card = reader?.card;
  if (!card?.certNotAfter || Number.isNaN(new Date(card.certNotAfter).getTime())) return null;
  const key = card.serial || card.holder?.nationalId;
  if (!key) return null;
  const holderName = card.holder ? `${card.holder.firstName} ${card.holder.lastName}`.trim() : '';
  return {
    key: key.slice(0, 200),
    nationalId: card.holder?.nationalId ?? null,
    holderName: holderName.slice(0, 200),
    notAfter: new Date(card.certNotAfter).toISOString(),
    seenAt: now.toISOString(),
    shownStep: null,
    shownAt: null,
    snoozedUntil: null,
  };
}

/** Adds (or refreshes) a card just seen; a newer card of the same holder replaces the older ones. */
export function rememberCard(cards: readonly KnownCard[], seen: KnownCard): KnownCard[] {
  const prev = cards.find((c) => c.key === seen.key);
  // The same card, end and name: nothing to write (a card state changes at every PIN try).
  if (prev && prev.notAfter === seen.notAfter && (prev.holderName === seen.holderName || !seen.holderName))
    return [...cards];
  // The same card and end: what was shown stays; a new end date (a renewed certificate) starts afresh.
  const merged: KnownCard =
    prev && prev.notAfter === seen.notAfter
      ? { ...prev, holderName: seen.holderName || prev.holderName, seenAt: seen.seenAt }
      : seen;
  const end = new Date(seen.notAfter).getTime();
  const others = cards.filter(
    (c) =>
      c.key !== seen.key &&
      !(seen.nationalId && c.nationalId === seen.nationalId && new Date(c.notAfter).getTime() < end),
  );
  // A card replaced by a newer one of the same holder, seen earlier, stays replaced.
  if (
    seen.nationalId &&
    others.some((c) => c.nationalId === seen.nationalId && new Date(c.notAfter).getTime() > end)
  )
    return others;
  return [merged, ...others].sort((a, b) => b.seenAt.localeCompare(a.seenAt)).slice(0, MAX_KNOWN_CARDS);
}

export interface CardPlan {
  /** The memory to keep after showing `notify`. */
  cards: KnownCard[];
  /** For the tray: every known card whose end is within 60 days (or past), nearest first. */
  reminders: CardReminder[];
  notify: CardReminderNotice[];
  /** When a snooze ends, or null (steps are Paris calendar days: the scheduler looks again every few minutes). */
  nextWakeAt: Date | null;
}

export function planCardReminders(cards: readonly KnownCard[], now: Date): CardPlan {
  const t = now.getTime();
  const kept: KnownCard[] = [];
  const reminders: CardReminder[] = [];
  const notify: CardReminderNotice[] = [];
  let nextWake: number | null = null;
  for (const c of cards) {
    const end = new Date(c.notAfter).getTime();
    if (Number.isNaN(end) || end < t - FORGET_CARD_AFTER_MS) continue;
    let mem = { ...c };
    const n = cardExpiryNotice(c.notAfter, now);
    if (n) {
      const base = {
        id: `${CARD_ID_PREFIX}${c.key}`,
        holderName: c.holderName,
        notAfter: n.notAfter,
        level: n.level,
        step: n.step,
        daysLeft: n.daysLeft,
        seenAt: c.seenAt,
      };
      const snoozeEnd = mem.snoozedUntil ? new Date(mem.snoozedUntil).getTime() : null;
      if (mem.shownStep === null || n.step < mem.shownStep) {
        // A new, closer step: shown once, whatever the snooze.
        mem = { ...mem, shownStep: n.step, shownAt: now.toISOString(), snoozedUntil: null };
        notify.push({ ...base, snoozedUntil: null, kind: 'card', cause: 'due' });
      } else if (snoozeEnd !== null && t >= snoozeEnd) {
        mem = { ...mem, shownAt: now.toISOString(), snoozedUntil: null };
        notify.push({ ...base, snoozedUntil: null, kind: 'card', cause: 'snooze-ended' });
      } else if (snoozeEnd !== null && (nextWake === null || snoozeEnd < nextWake)) {
        nextWake = snoozeEnd;
      }
      reminders.push({ ...base, snoozedUntil: mem.snoozedUntil });
    }
    kept.push(mem);
  }
  reminders.sort((a, b) => a.daysLeft - b.daysLeft || a.holderName.localeCompare(b.holderName));
  return { cards: kept, reminders, notify, nextWakeAt: nextWake === null ? null : new Date(nextWake) };
}

/** A card's level on the one status scale: information is neutral (no banner); past its end, blocked red. */
export const CARD_URGENCY: Record<CardExpiryLevel, Urgency> = {
  info: 'active',
  d30: 'd30',
  d7: 'd7',
  expired: 'blocked',
};

/** A card's end as a line of the reminders list (the in-app banner shows it like an account's deadline). */
export function cardAsReminder(c: CardReminder): Reminder {
  return {
    accountId: c.id,
    displayName: c.holderName,
    urgency: CARD_URGENCY[c.level],
    blockAt: c.notAfter,
    daysLeft: c.daysLeft,
    stale: false,
    checkedAt: c.seenAt,
    snoozedUntil: c.snoozedUntil,
    card: { level: c.level },
  };
}

/** "Remind me later" for a card: the step shown comes back after `hours` (1 to 72). Null if the card is unknown. */
export function snoozeCard(
  cards: readonly KnownCard[],
  id: string,
  now: Date,
  hours: number,
): { cards: KnownCard[]; snoozedUntil: string } | null {
  const key = id.startsWith(CARD_ID_PREFIX) ? id.slice(CARD_ID_PREFIX.length) : null;
  if (key === null || !cards.some((c) => c.key === key)) return null;
  const h = Math.min(72, Math.max(1, Math.trunc(hours)));
  const snoozedUntil = new Date(now.getTime() + h * 3600_000).toISOString();
  return { cards: cards.map((c) => (c.key === key ? { ...c, snoozedUntil } : c)), snoozedUntil };
}
