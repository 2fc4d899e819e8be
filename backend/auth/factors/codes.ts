/**
 * The codes a person types: the one-time code mailed to the dedicated address (6 digits, like a TOTP code, so one
 * field serves both) and the recovery codes (10 per enrolment, 10 characters without look-alikes, about 50 bits
 * each). Only their SHA-256 is stored: a recovery code has enough entropy that a slow hash adds nothing, and the mailed
 * code lives 10 minutes and dies after 5 wrong tries.
 */
import { randomInt } from 'node:crypto';
import { sha256 } from '../../crypto';

export const MAIL_CODE_TTL_MS = 10 * 60_000;
export const MAIL_CODE_MAX_TRIES = 5;
/** The wait before another mailed code may be asked for. */
export const MAIL_CODE_RESEND_MS = 60_000;
export const RECOVERY_CODE_COUNT = 10;

export const newMailCode = (): string => String(randomInt(1_000_000)).padStart(6, '0');
export const mailCodeHash = (stepId: string, code: string) =>
  sha256(`factor-mail:${stepId}:${code.replace(/\s/g, '')}`);

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function newRecoveryCode(): string {
  const c = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${c.slice(0, 5)}-${c.slice(5)}`;
}
export const recoveryCodeHash = (accountId: string, code: string) =>
  sha256(`recovery:${accountId}:${code.toUpperCase().replace(/[^A-Z0-9]/g, '')}`);

/** « c•••@exemple.fr »: enough to recognise the address, not to read it out to a caller. */
export const maskedEmail = (email: string) => {
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}•••@${domain}`;
};
