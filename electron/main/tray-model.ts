import type { Language } from '../../domain/api/groups/app';
import type { Reminder } from '../../domain/api/groups/reminders';
import type { ReminderNotice } from '../../domain/reminders/planner';
import { nearestDeadline } from '../../domain/reminders/planner';
import { notificationText, trayLine, trayTooltip } from '../../domain/reminders/text';

/**
 * What the tray and the OS notifications show, as plain data (no `electron` import): tray.ts and
 * notifications.ts turn it into Electron objects; tests read it directly.
 */
export type TrayItem =
  | { kind: 'account'; label: string; accountId: string; urgency: Reminder['urgency'] }
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

export function trayModel(
  reminders: readonly Reminder[],
  opts: { language: Language; startAtLogin: boolean; maxAccounts?: number },
): TrayModel {
  const w = WORDS[opts.language];
  const nearest = nearestDeadline(reminders);
  const accounts: TrayItem[] = reminders.slice(0, opts.maxAccounts ?? 8).map((r) => ({
    kind: 'account',
    label: trayLine(r, opts.language),
    accountId: r.accountId,
    urgency: r.urgency,
  }));
  return {
    tooltip: trayTooltip(nearest, opts.language),
    urgency: nearest?.urgency ?? 'none',
    icon: trayIconFor(nearest?.urgency ?? 'none'),
    items: [
      ...(accounts.length > 0 ? accounts : [{ kind: 'open' as const, label: w.none }]),
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

export function systemNotification(n: ReminderNotice, language: Language): SystemNotification {
  const t = notificationText(n, language);
  const critical = n.urgency === 'd1' || n.urgency === 'blocked';
  return { title: t.title, body: t.body, urgency: critical ? 'critical' : 'normal', silent: !critical };
}
