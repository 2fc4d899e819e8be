/**
 * Unblock eligibility: which ways out of a block can work, in the insurer's order (card, e-CPS, security key,
 * postal code), from the account kind, the block reason and what the user has at hand. One pure function used by
 * the backend (what it accepts, what it lists in ACCOUNT_BLOCKED_* answers) and by the renderer (what the wizard
 * offers), so they never disagree. Also the normalisation of security-key answers.
 */
import type { BlockReason } from './inactivity';

export type UnblockAccountKind = 'holder' | 'card_delegate' | 'password_delegate';
export type UnblockPath = 'card' | 'ecps' | 'security_key' | 'postal_code';
/** Why an account was blocked as suspicious (see suspicious.ts). */
export type SuspicionCause = 'failures' | 'concurrent_sessions' | 'user_report';

export const UNBLOCK_ORDER: readonly UnblockPath[] = ['card', 'ecps', 'security_key', 'postal_code'];

export interface UnblockPolicy {
  /** Security-key tries allowed in a sliding window. */
  securityKeyMaxTries: number;
  securityKeyWindowMs: number;
  /** A new postal code may be requested this long after the previous request, or when it expired. */
  postalResendAfterMs: number;
}

export const DEFAULT_UNBLOCK_POLICY: UnblockPolicy = {
  securityKeyMaxTries: 3,
  securityKeyWindowMs: 24 * 3600_000,
  postalResendAfterMs: 48 * 3600_000,
};

export interface UnblockSituation {
  kind: UnblockAccountKind;
  /** null: the account is not blocked, there is nothing to unblock. */
  block: { reason: BlockReason; cause?: SuspicionCause | null } | null;
  /**
   * What the user has at hand. `undefined` means "not known" (the backend cannot see the counter): the path is
   * then kept. `false` removes the path from `paths` (it stays in `allowed`).
   */
  atHand?: {
    card?: boolean;
    ecps?: boolean;
    /** Informative: no path needs it (the security-key path is offered after a correct password or from "I cannot sign in"). */
    password?: boolean;
    /** A letter with a code in hand: the postal path moves before the security key. */
    letter?: boolean;
  };
  /** Whether the account has a security key on file, and the failed tries inside the window. */
  securityKey: { configured: boolean; failedTriesInWindow: number };
  /** The postal code pending for this account, if any (not used, not expired at `now` or expired: both fine). */
  postalCode: { requestedAt: Date; expiresAt: Date; used: boolean } | null;
  now: Date;
}

export type UnavailableReason =
  | 'kind' // this kind of account cannot use that path (e.g. an accountant has no card)
  | 'weak_factor_after_report' // security key or e-CPS after the user's own report
  | 'not_configured' // no security key on file
  | 'tries_exhausted' // 3 security-key tries in 24 h
  | 'not_at_hand'; // the user said they do not have it

export interface PostalState {
  /** A code is pending: the user can type it. */
  canEnterCode: boolean;
  /** A new code can be requested now. */
  canRequest: boolean;
  /** When a new request becomes possible (null if now, or if the path is not allowed). */
  nextRequestAt: Date | null;
  pendingExpiresAt: Date | null;
}

export interface UnblockEligibility {
  /** The paths that can work now, in order: what the wizard offers first. */
  paths: UnblockPath[];
  /** The paths the policy allows for this account and block, whatever the user has at hand. */
  allowed: UnblockPath[];
  unavailable: { path: UnblockPath; why: UnavailableReason }[];
  postal: PostalState;
  /** Security-key tries left in the window (0: only the postal path, or the card, remains). */
  securityKeyTriesLeft: number;
}

const KIND_PATHS: Record<UnblockAccountKind, readonly UnblockPath[]> = {
  // The holder has a card (CPS) and may have e-CPS; the online path and the letter are there too.
  holder: ['card', 'ecps', 'security_key', 'postal_code'],
  // Delegated access works with a card since July 2022 (CPE cards can also activate e-CPS).
  card_delegate: ['card', 'ecps'],
  // Accountants sign in with a password: only the online path, then the letter.
  password_delegate: ['security_key', 'postal_code'],
};

/**
 * After the user's own report only the card or the postal code unblock: the security key is made of personal
 * data that whoever took over the account may know, and the report may be about the phone (e-CPS). A suspicious
 * block whose cause is not known is treated the same way (fail safe: store the cause with the block).
 */
export function strongFactorsOnly(block: UnblockSituation['block']): boolean {
  return (
    !!block &&
    block.reason === 'suspicious' &&
    (block.cause === 'user_report' || block.cause === undefined || block.cause === null)
  );
}

/** Which ways out work for this situation. Pure: `now` and every count are inputs. */
export function unblockEligibility(
  s: UnblockSituation,
  policy: UnblockPolicy = DEFAULT_UNBLOCK_POLICY,
): UnblockEligibility {
  const triesLeft = Math.max(0, policy.securityKeyMaxTries - s.securityKey.failedTriesInWindow);
  const postal = postalState(s, policy);
  if (!s.block)
    return {
      paths: [],
      allowed: [],
      unavailable: [],
      postal: { ...postal, canRequest: false, canEnterCode: false },
      securityKeyTriesLeft: triesLeft,
    };

  const afterReport = strongFactorsOnly(s.block);
  const allowed: UnblockPath[] = [];
  const unavailable: UnblockEligibility['unavailable'] = [];
  for (const p of UNBLOCK_ORDER) {
    let why: UnavailableReason | null = null;
    if (!KIND_PATHS[s.kind].includes(p)) why = 'kind';
    else if (afterReport && (p === 'security_key' || p === 'ecps')) why = 'weak_factor_after_report';
    else if (p === 'security_key' && !s.securityKey.configured) why = 'not_configured';
    else if (p === 'security_key' && triesLeft === 0) why = 'tries_exhausted';
    if (why) unavailable.push({ path: p, why });
    else allowed.push(p);
  }
  const hand = s.atHand ?? {};
  const paths = allowed.filter((p) => {
    const have = p === 'card' ? hand.card : p === 'ecps' ? hand.ecps : p === 'postal_code' ? true : undefined; // security key: typed, always at hand
    if (have === false) {
      unavailable.push({ path: p, why: 'not_at_hand' });
      return false;
    }
    return true;
  });
  // With a letter in hand, typing its code is the quickest way out after the card.
  if (hand.letter && postal.canEnterCode && paths.includes('postal_code') && paths.includes('security_key')) {
    paths.splice(paths.indexOf('postal_code'), 1);
    paths.splice(paths.indexOf('security_key'), 0, 'postal_code');
  }
  unavailable.sort((a, b) => UNBLOCK_ORDER.indexOf(a.path) - UNBLOCK_ORDER.indexOf(b.path));
  const postalAllowed = allowed.includes('postal_code');
  return {
    paths,
    allowed,
    unavailable,
    postal: postalAllowed
      ? postal
      : { canEnterCode: false, canRequest: false, nextRequestAt: null, pendingExpiresAt: null },
    securityKeyTriesLeft: triesLeft,
  };
}

/** One pending code per account; a new request after 48 h, or once the pending code expired or was used. */
export function postalState(
  s: Pick<UnblockSituation, 'postalCode' | 'now'>,
  policy: UnblockPolicy = DEFAULT_UNBLOCK_POLICY,
): PostalState {
  const c = s.postalCode;
  if (!c || c.used || c.expiresAt.getTime() <= s.now.getTime()) {
    return { canEnterCode: false, canRequest: true, nextRequestAt: null, pendingExpiresAt: null };
  }
  const resendAt = new Date(
    Math.min(c.requestedAt.getTime() + policy.postalResendAfterMs, c.expiresAt.getTime()),
  );
  const canRequest = resendAt.getTime() <= s.now.getTime();
  return {
    canEnterCode: true,
    canRequest,
    nextRequestAt: canRequest ? null : resendAt,
    pendingExpiresAt: c.expiresAt,
  };
}

// ---- security-key answers

/**
 * The pieces of personal information a security key is made of. `birth_date` (any usual French way of writing
 * a date), `practice_postal_code` (5 digits), `iban_last4` (last four digits of the bank account on file),
 * `text` (a name, a city: case, accents, spaces and punctuation do not matter).
 */
export type SecurityKeyAnswerKind = 'birth_date' | 'practice_postal_code' | 'iban_last4' | 'text';

const stripAccents = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');

function isRealDate(y: number, m: number, d: number) {
  if (m < 1 || m > 12 || d < 1) return false;
  const dim = [
    31,
    y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ][m - 1]!;
  return d <= dim;
}

/** A day typed the French way (14/07/1979, 14.07.1979, 14071979) or as ISO, as an ISO day; null if no such day. */
export function normalizeDate(raw: string): string | null {
  const s = raw.trim().replace(/\s+/g, ' ');
  let y: number, m: number, d: number;
  let g: RegExpMatchArray | null;
  if ((g = s.match(/^(\d{4})\s*[-/. ]\s*(\d{1,2})\s*[-/. ]\s*(\d{1,2})$/))) {
    [y, m, d] = [Number(g[1]), Number(g[2]), Number(g[3])];
  } else if ((g = s.match(/^(\d{1,2})\s*[-/. ]\s*(\d{1,2})\s*[-/. ]\s*(\d{4})$/))) {
    // French order: day, month, year.
    [d, m, y] = [Number(g[1]), Number(g[2]), Number(g[3])];
  } else if ((g = s.match(/^(\d{2})(\d{2})(\d{4})$/))) {
    [d, m, y] = [Number(g[1]), Number(g[2]), Number(g[3])];
  } else {
    return null;
  }
  if (y < 1900 || y > 2100 || !isRealDate(y, m, d)) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * The canonical form of an answer, or null when it cannot be one (a date that does not exist, a postal code
 * that is not 5 digits). Two answers a person would call "the same" give the same string.
 */
export function normalizeSecurityKeyAnswer(kind: SecurityKeyAnswerKind, raw: string): string | null {
  switch (kind) {
    case 'birth_date':
      return normalizeDate(raw);
    case 'practice_postal_code': {
      const s = raw.replace(/[\s.-]/g, '');
      return /^\d{5}$/.test(s) ? s : null;
    }
    case 'iban_last4': {
      const s = raw.replace(/[\s.-]/g, '');
      return /^\d{4}$/.test(s) ? s : null;
    }
    case 'text': {
      const s = stripAccents(raw)
        .toUpperCase()
        .replace(/Œ/g, 'OE')
        .replace(/Æ/g, 'AE')
        .replace(/[^A-Z0-9]+/g, '');
      return s.length > 0 ? s : null;
    }
  }
}

/** How a security-key question is asked on a form. */
export type SecurityKeyQuestionKind = 'date' | 'postal-code' | 'digits';

/**
 * An answer as the form sends it: a date as an ISO day, digits without spaces; null when it cannot be right
 * (a day that does not exist, not the number of digits asked), so the form can say so before sending.
 */
export function securityKeyFormAnswer(
  kind: SecurityKeyQuestionKind,
  raw: string,
  length?: number,
): string | null {
  if (kind === 'date') return normalizeDate(raw);
  const digits = raw.replace(/[\s.-]/g, '');
  const want = kind === 'postal-code' ? 5 : length;
  if (!/^\d+$/.test(digits)) return null;
  return want === undefined || digits.length === want ? digits : null;
}
