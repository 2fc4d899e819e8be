/**
 * A CPS card ends with its authentication certificate (`certNotAfter`): a CPS3 lasts 3 years, a CPS4 6 years, and
 * ordering the new one takes weeks. The holder is told at D-60 (information), D-30 and D-7, on the status scale
 * of UX.md; past its end the card no longer signs anyone in.
 */
import { parisDaysBetween } from './paris-time';

/** The steps of the reminder, in days before the end. */
export const CARD_EXPIRY_STEPS = [60, 30, 7] as const;
export type CardExpiryStep = (typeof CARD_EXPIRY_STEPS)[number];

/** `info` is neutral (D-60); `d30` amber, `d7` orange; `expired` once the certificate's end has passed. */
export type CardExpiryLevel = 'info' | 'd30' | 'd7' | 'expired';

export interface CardExpiryNotice {
  level: CardExpiryLevel;
  /** The step reached (60, 30 or 7), 0 once expired: what a notification is shown once for. */
  step: CardExpiryStep | 0;
  /** Calendar days (Paris) until the end; 0 on the day, negative once past. */
  daysLeft: number;
  notAfter: string;
}

/** The reminder a card calls for at `now`, or null while its end is more than 60 days away (or unknown). */
export function cardExpiryNotice(
  notAfter: string | Date | null | undefined,
  now: Date,
): CardExpiryNotice | null {
  if (!notAfter) return null;
  const end = new Date(notAfter);
  if (Number.isNaN(end.getTime())) return null;
  const iso = end.toISOString();
  if (end.getTime() <= now.getTime())
    return { level: 'expired', step: 0, daysLeft: parisDaysBetween(now, end), notAfter: iso };
  const daysLeft = parisDaysBetween(now, end);
  if (daysLeft > 60) return null;
  const step: CardExpiryStep = daysLeft <= 7 ? 7 : daysLeft <= 30 ? 30 : 60;
  const level: CardExpiryLevel = step === 7 ? 'd7' : step === 30 ? 'd30' : 'info';
  return { level, step, daysLeft, notAfter: iso };
}
