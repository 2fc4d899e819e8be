import type { Language } from '../../domain/api/groups/app';
import type { Reminder } from '../../domain/api/groups/reminders';
import type { CardExpiryLevel } from '../../domain/policy/card-expiry';
import {
  CARD_URGENCY,
  type CardReminder,
  type CardReminderNotice,
} from '../../domain/reminders/card-planner';
import type { ReminderNotice } from '../../domain/reminders/planner';
import { nearestDeadline } from '../../domain/reminders/planner';
import {
  cardNotificationText,
  cardTrayLine,
  cardTrayTooltip,
  notificationText,
  trayLine,
  trayTooltip,
} from '../../domain/reminders/text';

/**
 * What the tray and the OS notifications show, as plain data (no `electron` import): tray.ts and
 * notifications.ts turn it into Electron objects; tests read it directly.
 */
export type TrayItem =
  | { kind: 'account'; label: string; accountId: string; urgency: Reminder['urgency'] }
  /** A CPS card whose end is within 60 days, on the dashboard's levels (D-60 information, D-30, D-7, expired). */
  | { kind: 'card'; label: string; id: string; level: CardExpiryLevel }
  | { kind: 'open'; label: string }
  | { kind: 'start-at-login'; label: string; checked: boolean }
  | { kind: 'quit'; label: string }
  | { kind: 'separator' };

export interface TrayModel {
  tooltip: string;
  /** The tray icon's variant on the one status scale (UX.md). */
  urgency: Reminder['urgency'] | 'none';
  /** The icon file in assets/ (with its @2x twin): the plain one, or one with the urgency's coloured dot. */
  icon: string;
  items: TrayItem[];
}

/** active and "nothing followed" share the plain icon; the others carry amber, orange, red or dark red. */
export function trayIconFor(urgency: TrayModel['urgency']): string {
  return urgency === 'active' || urgency === 'none' ? 'tray.png' : `tray-${urgency}.png`;
}

const WORDS = {
  fr: {
    open: 'Ouvrir Vigie',
    login: 'Démarrer avec l’ordinateur',
    quit: 'Quitter Vigie',
    none: 'Aucun compte suivi sur ce poste',
  },
  en: {
    open: 'Open Vigie',
    login: 'Start with the computer',
    quit: 'Quit Vigie',
    none: 'No account followed on this workstation',
  },
};

const ICON_RANK: Record<TrayModel['urgency'], number> = {
  blocked: 0,
  d1: 1,
  d7: 2,
  d30: 3,
  active: 4,
  none: 5,
};

export function trayModel(
  reminders: readonly Reminder[],
  opts: { language: Language; startAtLogin: boolean; cards?: readonly CardReminder[]; maxAccounts?: number },
): TrayModel {
  const w = WORDS[opts.language];
  // The cards come in their own list (`cards`), with their own words: the accounts' lines are the accounts only.
  const followed = reminders.filter((r) => !r.card);
  const nearest = nearestDeadline(followed);
  const accounts: TrayItem[] = followed.slice(0, opts.maxAccounts ?? 8).map((r) => ({
    kind: 'account',
    label: trayLine(r, opts.language),
    accountId: r.accountId,
    urgency: r.urgency,
  }));
  const cards = opts.cards ?? [];
  const cardItems: TrayItem[] = cards.slice(0, 4).map((c) => ({
    kind: 'card',
    label: cardTrayLine(c, opts.language),
    id: c.id,
    level: c.level,
  }));
  // The icon shows the most pressing of the accounts' deadlines and the cards' ends.
  let urgency: TrayModel['urgency'] = nearest?.urgency ?? 'none';
  for (const c of cards)
    if (ICON_RANK[CARD_URGENCY[c.level]] < ICON_RANK[urgency]) urgency = CARD_URGENCY[c.level];
  const tooltip = [
    trayTooltip(nearest, opts.language),
    ...cards.slice(0, 1).map((c) => cardTrayTooltip(c, opts.language)),
  ];
  return {
    tooltip: tooltip.join('\n'),
    urgency,
    icon: trayIconFor(urgency),
    items: [
      ...(accounts.length > 0 ? accounts : [{ kind: 'open' as const, label: w.none }]),
      ...cardItems,
      { kind: 'separator' },
      { kind: 'open', label: w.open },
      { kind: 'start-at-login', label: w.login, checked: opts.startAtLogin },
      { kind: 'separator' },
      { kind: 'quit', label: w.quit },
    ],
  };
}

export interface SystemNotification {
  title: string;
  body: string;
  /** Linux urgency hint: the day before and a block stay on screen. */
  urgency: 'normal' | 'critical';
  silent: boolean;
}

/** What the shell is asked to show: an account's reminder, or a card's end. */
export type ShellNotice = ReminderNotice | CardReminderNotice;

export const isCardNotice = (n: ShellNotice): n is CardReminderNotice => 'kind' in n && n.kind === 'card';

export function systemNotification(n: ShellNotice, language: Language): SystemNotification {
  if (isCardNotice(n)) {
    const t = cardNotificationText(n, language);
    // A card past its end no longer signs anyone in: it stays on screen like a blocked account.
    const critical = n.level === 'expired';
    return { title: t.title, body: t.body, urgency: critical ? 'critical' : 'normal', silent: !critical };
  }
  const t = notificationText(n, language);
  const critical = n.urgency === 'd1' || n.urgency === 'blocked';
  return { title: t.title, body: t.body, urgency: critical ? 'critical' : 'normal', silent: !critical };
}
