import type { Urgency } from '../../../domain/api/groups/reminders';

export const PARIS = 'Europe/Paris';
export const locale = (lang: string) => (lang.startsWith('en') ? 'en-GB' : 'fr-FR');

/** « 14 mars 2027 » / « 14 March 2027 », in Paris time. */
export function formatDate(iso: string | Date, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: PARIS,
  }).format(new Date(iso));
}
/** « 14 mars » without the year. */
export function formatDayMonth(iso: string | Date, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), { day: 'numeric', month: 'long', timeZone: PARIS }).format(
    new Date(iso),
  );
}
/** « 14/03/2027 14:05 », 24-hour clock, Paris time. */
export function formatDateTime(iso: string | Date, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: PARIS,
  }).format(new Date(iso));
}
/** « 13 octobre 2026 à 22:12 » / « 13 October 2026 at 22:12 ». */
export function formatLongDateTime(iso: string | Date, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: PARIS,
  }).format(new Date(iso));
}
export function formatTime(iso: string | Date, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: PARIS,
  }).format(new Date(iso));
}
export function formatNumber(n: number, lang: string): string {
  return new Intl.NumberFormat(locale(lang)).format(n);
}

/** The one status scale (UX.md): active · D-30 · D-7 · D-1 · blocked. */
export function urgencyOf(state: 'active' | 'blocked', daysLeft: number): Urgency {
  if (state === 'blocked' || daysLeft < 0) return 'blocked';
  if (daysLeft <= 1) return 'd1';
  if (daysLeft <= 7) return 'd7';
  if (daysLeft <= 30) return 'd30';
  return 'active';
}

export const URGENCY_ORDER: Record<Urgency, number> = { blocked: 0, d1: 1, d7: 2, d30: 3, active: 4 };

/** Saves text as a file through a Blob download (no network, no Node). */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8') {
  const blob = new Blob(['\uFEFF', text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
