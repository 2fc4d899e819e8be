import type { Language } from '../api/groups/app';
import type { Reminder } from '../api/groups/reminders';
import { PARIS } from '../policy/paris-time';
import type { CardReminder, CardReminderNotice } from './card-planner';
import type { ReminderNotice } from './planner';

/**
 * The words of OS notifications and of the tray (UX.md: say what happens and when, with the date; calm; the way
 * out on the same line). The renderer has its own i18n; the shell has no renderer at hand, so its few strings
 * live here, pure, in both languages.
 */
const dateFmt = {
  fr: new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, day: 'numeric', month: 'long', year: 'numeric' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: PARIS, day: 'numeric', month: 'long', year: 'numeric' }),
};
const timeFmt = {
  fr: new Intl.DateTimeFormat('fr-FR', {
    timeZone: PARIS,
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  }),
  en: new Intl.DateTimeFormat('en-GB', {
    timeZone: PARIS,
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  }),
};

export const formatParisDate = (iso: string, lang: Language) => dateFmt[lang].format(new Date(iso));

function inDays(days: number, lang: Language): string {
  if (lang === 'fr') return days <= 0 ? 'aujourd’hui' : days === 1 ? 'demain' : `dans ${days} jours`;
  return days <= 0 ? 'today' : days === 1 ? 'tomorrow' : `in ${days} days`;
}

export interface NotificationText {
  title: string;
  body: string;
}

/** One OS notification. It asks the person to sign in; it never signs anyone in. */
export function notificationText(n: ReminderNotice, lang: Language): NotificationText {
  const date = formatParisDate(n.blockAt, lang);
  const when = timeFmt[lang].format(new Date(n.checkedAt));
  const unreachable = n.staleReason !== 'signed-out';
  const staleNote = !n.stale
    ? ''
    : lang === 'fr'
      ? unreachable
        ? ` (dernier état connu le ${when} : le serveur n’a pas pu être joint.)`
        : ` (dernier état connu le ${when}.)`
      : unreachable
        ? ` (last known status, ${when}: the server could not be reached.)`
        : ` (last known status, ${when}.)`;
  if (n.urgency === 'blocked') {
    return lang === 'fr'
      ? {
          title: `Compte bloqué : ${n.displayName}`,
          body: `Ce compte est bloqué depuis le ${date}. Une connexion avec la carte CPS le débloque tout de suite.${staleNote}`,
        }
      : {
          title: `Account blocked: ${n.displayName}`,
          body: `This account has been blocked since ${date}. Signing in with the CPS card unblocks it at once.${staleNote}`,
        };
  }
  return lang === 'fr'
    ? {
        title: `${n.displayName} : compte bloqué le ${date}`,
        body: `Ce compte sera bloqué le ${date} (${inDays(n.daysLeft, 'fr')}). Une connexion avec votre carte suffit pour le garder actif.${staleNote}`,
      }
    : {
        title: `${n.displayName}: account blocked on ${date}`,
        body: `This account will be blocked on ${date} (${inDays(n.daysLeft, 'en')}). Signing in with your card is enough to keep it active.${staleNote}`,
      };
}

/** The tray's tooltip: the nearest deadline, or that all is well. */
export function trayTooltip(nearest: Reminder | null, lang: Language): string {
  if (!nearest)
    return lang === 'fr'
      ? 'Vigie : aucun compte suivi sur ce poste'
      : 'Vigie: no account followed on this workstation';
  const date = formatParisDate(nearest.blockAt, lang);
  const stale = nearest.stale ? (lang === 'fr' ? ' (état non actualisé)' : ' (status not refreshed)') : '';
  if (nearest.urgency === 'blocked')
    return lang === 'fr'
      ? `Vigie : ${nearest.displayName} est bloqué${stale}`
      : `Vigie: ${nearest.displayName} is blocked${stale}`;
  return lang === 'fr'
    ? `Vigie : prochaine échéance ${nearest.displayName}, le ${date} (${inDays(nearest.daysLeft, 'fr')})${stale}`
    : `Vigie: next deadline ${nearest.displayName}, on ${date} (${inDays(nearest.daysLeft, 'en')})${stale}`;
}

/** One tray menu line per account. */
export function trayLine(r: Reminder, lang: Language): string {
  if (r.urgency === 'blocked')
    return lang === 'fr' ? `${r.displayName} — bloqué` : `${r.displayName} — blocked`;
  return `${r.displayName} — ${formatParisDate(r.blockAt, lang)} (${inDays(r.daysLeft, lang)})`;
}

/** « Carte CPS de Claire MARTIN », or « Votre carte CPS » when the card gave no name. */
const cardOf = (holderName: string, lang: Language) =>
  lang === 'fr'
    ? holderName
      ? `Carte CPS de ${holderName}`
      : 'Votre carte CPS'
    : holderName
      ? `CPS card of ${holderName}`
      : 'Your CPS card';

/** The OS notification of a card's end: the dashboard's sentence, with the holder's name in the title. */
export function cardNotificationText(n: CardReminderNotice, lang: Language): NotificationText {
  const date = formatParisDate(n.notAfter, lang);
  const card = cardOf(n.holderName, lang);
  if (n.level === 'expired')
    return lang === 'fr'
      ? {
          title: `${card} : expirée le ${date}`,
          body: `Votre carte CPS a expiré le ${date} : elle ne permet plus de vous connecter. Commandez la nouvelle dès maintenant ; en attendant, il reste l’e-CPS.`,
        }
      : {
          title: `${card}: expired on ${date}`,
          body: `Your CPS card expired on ${date}: it no longer signs you in. Order the new one now; meanwhile, e-CPS remains.`,
        };
  return lang === 'fr'
    ? {
        title: `${card} : fin le ${date}`,
        body: `Votre carte CPS expire le ${date} (${inDays(n.daysLeft, 'fr')}) : commandez la nouvelle dès maintenant.`,
      }
    : {
        title: `${card}: ends on ${date}`,
        body: `Your CPS card expires on ${date} (${inDays(n.daysLeft, 'en')}): order the new one now.`,
      };
}

/** One tray menu line per card whose end is near. */
export function cardTrayLine(c: CardReminder, lang: Language): string {
  const who = c.holderName ? `${c.holderName} — ` : '';
  const date = formatParisDate(c.notAfter, lang);
  if (c.level === 'expired')
    return lang === 'fr' ? `${who}carte CPS expirée le ${date}` : `${who}CPS card expired on ${date}`;
  return lang === 'fr'
    ? `${who}carte CPS jusqu’au ${date} (${inDays(c.daysLeft, 'fr')})`
    : `${who}CPS card until ${date} (${inDays(c.daysLeft, 'en')})`;
}

/** The tray's tooltip line for the nearest card end. */
export function cardTrayTooltip(c: CardReminder, lang: Language): string {
  const date = formatParisDate(c.notAfter, lang);
  if (c.level === 'expired')
    return lang === 'fr' ? `Carte CPS expirée le ${date}` : `CPS card expired on ${date}`;
  return lang === 'fr'
    ? `Carte CPS : fin le ${date} (${inDays(c.daysLeft, 'fr')})`
    : `CPS card: ends on ${date} (${inDays(c.daysLeft, 'en')})`;
}
