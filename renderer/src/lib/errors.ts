import type { TFunction } from 'i18next';
import type { ErrorCode } from '../../../domain/errors';

/** Codes with their own words; every other code gets the generic text (codes are for logs, never shown). */
export const EXPLAINED_CODES = [
  'UNAVAILABLE',
  'BACKEND_UNREACHABLE',
  'BACKEND_TLS_ERROR',
  'RATE_LIMITED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_REQUEST',
  'INVALID_CREDENTIALS',
  'ACCOUNT_BLOCKED_INACTIVITY',
  'ACCOUNT_BLOCKED_SUSPICIOUS',
  'PASSWORD_EXPIRED',
  'PASSWORD_POLICY',
  'PASSWORD_REUSED',
  'FRESH_PROOF_REQUIRED',
  'SESSION_EXPIRED',
  'SESSION_IDLE',
  'SESSION_REVOKED',
  'WORKSTATION_REVOKED',
  'WORKSTATION_PROOF_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_EXPIRED',
  'CARD_HOLDER_UNKNOWN',
  'ECPS_REFUSED',
  'ECPS_EXPIRED',
  'SECURITY_KEY_WRONG',
  'SECURITY_KEY_LOCKED',
  'SECURITY_KEY_NOT_ALLOWED',
  'POSTAL_CODE_WRONG',
  'POSTAL_CODE_EXPIRED',
  'POSTAL_CODE_USED',
  'POSTAL_CODE_PENDING',
  'READER_NONE',
  'READER_GONE',
  'CARD_ABSENT',
  'CARD_REMOVED',
  'CARD_BUSY',
  'CARD_NOT_CPS',
  'CARD_PIN_WRONG',
  'CARD_PIN_BLOCKED',
  'CARD_PUK_WRONG',
  'CARD_PUK_BLOCKED',
  'CARD_TIMEOUT',
  'CANCELLED',
] as const satisfies readonly ErrorCode[];

type Explained = (typeof EXPLAINED_CODES)[number];
const explained = new Set<string>(EXPLAINED_CODES);

/** What happened and what to do next, in words (UX.md: what happened, what it means, what to do). */
export function errorText(t: TFunction, code: ErrorCode | null | undefined): { what: string; next: string } {
  const key: Explained | 'generic' = code && explained.has(code) ? (code as Explained) : 'generic';
  return { what: t(`errors.${key}.what`), next: t(`errors.${key}.next`) };
}
