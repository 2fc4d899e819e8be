/**
 * The security key: personal information the account holder gave beforehand (by default: date of birth, postal
 * code of the place of practice, last four digits of the bank account on file), normalised (case, accents,
 * spaces, date formats: domain/policy/unblock.ts) and kept only as an argon2id hash of the canonical answers.
 *
 * A weak factor (knowledge-based, NIST 800-63B §5.1.1.2): at most 3 tries in 24 h, then only the postal path
 * (or the card); never accepted after the user's own report. A try is reserved before the slow hash is checked,
 * so parallel requests cannot get more than 3.
 */
import { hash, verify } from '@node-rs/argon2';
import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../../domain/errors';
import {
  DEFAULT_UNBLOCK_POLICY,
  normalizeSecurityKeyAnswer,
  strongFactorsOnly,
  type SecurityKeyAnswerKind,
  type UnblockPolicy,
  type UnblockSituation,
} from '../../domain/policy/unblock';

export interface SecurityKeyField {
  id: string;
  kind: SecurityKeyAnswerKind;
  /** What the form asks, in French. */
  label: string;
}

export const DEFAULT_SECURITY_KEY_FIELDS: readonly SecurityKeyField[] = [
  { id: 'birth_date', kind: 'birth_date', label: 'Date de naissance' },
  { id: 'practice_postal_code', kind: 'practice_postal_code', label: "Code postal du lieu d'exercice" },
  { id: 'iban_last4', kind: 'iban_last4', label: 'Quatre derniers chiffres du compte bancaire enregistré' },
];

export interface SecurityKeyRecord {
  accountId: string;
  /** argon2id (PHC string) of the canonical answers. */
  hash: string;
  fieldIds: string[];
  setAt: Date;
}

export interface SecurityKeyAttempt {
  id: string;
  accountId: string;
  at: Date;
  outcome: 'pending' | 'success' | 'failure';
}

/**
 * Storage. In PostgreSQL: `security_keys(account_id pk, hash, field_ids, set_at)` and
 * `security_key_attempts(id, account_id, at, outcome)`; `reserveAttempt` runs in a transaction that locks the
 * account row (`SELECT … FOR UPDATE`), counts the non-successful attempts in the window and inserts a pending one.
 */
export interface SecurityKeyStore {
  get(accountId: string): Promise<SecurityKeyRecord | null>;
  set(rec: SecurityKeyRecord): Promise<void>;
  /** Reserves a try if fewer than `max` non-successful tries since `since`; returns them (oldest first) either way. */
  reserveAttempt(
    accountId: string,
    at: Date,
    since: Date,
    max: number,
  ): Promise<{ attempt: SecurityKeyAttempt | null; counted: Date[] }>;
  settleAttempt(id: string, outcome: 'success' | 'failure'): Promise<void>;
  /** Failed (or still pending) tries since `since`: what unblockEligibility needs. */
  failuresSince(accountId: string, since: Date): Promise<number>;
}

export class MemorySecurityKeyStore implements SecurityKeyStore {
  readonly keys = new Map<string, SecurityKeyRecord>();
  readonly attempts: SecurityKeyAttempt[] = [];
  async get(id: string) {
    return this.keys.get(id) ?? null;
  }
  async set(rec: SecurityKeyRecord) {
    this.keys.set(rec.accountId, { ...rec });
  }
  private counted(accountId: string, since: Date) {
    return this.attempts.filter(
      (a) => a.accountId === accountId && a.outcome !== 'success' && a.at.getTime() > since.getTime(),
    );
  }
  async reserveAttempt(accountId: string, at: Date, since: Date, max: number) {
    const c = this.counted(accountId, since);
    if (c.length >= max) return { attempt: null, counted: c.map((a) => a.at) };
    const attempt: SecurityKeyAttempt = { id: randomUUID(), accountId, at, outcome: 'pending' };
    this.attempts.push(attempt);
    return { attempt, counted: [...c, attempt].map((a) => a.at) };
  }
  async settleAttempt(id: string, outcome: 'success' | 'failure') {
    const a = this.attempts.find((x) => x.id === id);
    if (a) a.outcome = outcome;
  }
  async failuresSince(accountId: string, since: Date) {
    return this.counted(accountId, since).length;
  }
}

export type Answers = Record<string, string>;

export type SecurityKeyError = {
  ok: false;
  code: ErrorCode;
  message: string;
  field?: string;
  triesLeft?: number;
  retryAt?: Date;
};

/** The canonical string that is hashed: `id=value` lines in field order. Null (with the field) if one is unusable. */
export function canonicalAnswers(
  fields: readonly SecurityKeyField[],
  answers: Answers,
): { ok: true; value: string } | SecurityKeyError {
  const parts: string[] = [];
  for (const f of fields) {
    const v = normalizeSecurityKeyAnswer(f.kind, answers[f.id] ?? '');
    if (v === null)
      return {
        ok: false,
        code: 'INVALID_REQUEST',
        message: `« ${f.label} » n'est pas lisible. Vérifiez ce que vous avez saisi.`,
        field: f.id,
      };
    parts.push(`${f.id}=${v}`);
  }
  return { ok: true, value: parts.join('\n') };
}

/** Records (or replaces) the security key of an account. */
export async function setSecurityKey(
  store: SecurityKeyStore,
  accountId: string,
  answers: Answers,
  now: Date,
  fields: readonly SecurityKeyField[] = DEFAULT_SECURITY_KEY_FIELDS,
): Promise<{ ok: true } | SecurityKeyError> {
  const c = canonicalAnswers(fields, answers);
  if (!c.ok) return c;
  await store.set({ accountId, hash: await hash(c.value), fieldIds: fields.map((f) => f.id), setAt: now });
  return { ok: true };
}

export interface VerifySecurityKeyOptions {
  fields?: readonly SecurityKeyField[];
  policy?: UnblockPolicy;
  /** The account's block: after the user's own report (or a suspicious block of unknown cause) the key is refused. */
  block?: UnblockSituation['block'];
}

/**
 * Checks the typed answers. On success the route lets the user set a new password and unblocks the account; on
 * SECURITY_KEY_WRONG it logs `security_key_failed`; SECURITY_KEY_LOCKED means the postal path (or the card) only.
 */
export async function verifySecurityKey(
  store: SecurityKeyStore,
  accountId: string,
  answers: Answers,
  now: Date,
  o: VerifySecurityKeyOptions = {},
): Promise<{ ok: true } | SecurityKeyError> {
  const policy = o.policy ?? DEFAULT_UNBLOCK_POLICY;
  const rec = await store.get(accountId);
  if (!rec)
    return {
      ok: false,
      code: 'SECURITY_KEY_NOT_ALLOWED',
      message: "Aucune clé de sécurité n'est enregistrée pour ce compte : demandez un code par courrier.",
    };
  const fields = (o.fields ?? DEFAULT_SECURITY_KEY_FIELDS).filter((f) => rec.fieldIds.includes(f.id));
  const c = canonicalAnswers(fields, answers);
  if (!c.ok) return c; // unreadable input does not use a try
  const since = new Date(now.getTime() - policy.securityKeyWindowMs);
  const { attempt, counted } = await store.reserveAttempt(accountId, now, since, policy.securityKeyMaxTries);
  if (!attempt) {
    const retryAt = new Date(counted[0]!.getTime() + policy.securityKeyWindowMs);
    return {
      ok: false,
      code: 'SECURITY_KEY_LOCKED',
      message: `Les ${policy.securityKeyMaxTries} essais de la clé de sécurité sont épuisés pour 24 heures. Vous pouvez demander un code provisoire par courrier.`,
      triesLeft: 0,
      retryAt,
    };
  }
  const good = await verify(rec.hash, c.value).catch(() => false);
  await store.settleAttempt(attempt.id, good ? 'success' : 'failure');
  // Only someone who typed the key right learns that it is not enough here (after the user's own report).
  if (good && strongFactorsOnly(o.block ?? null)) {
    return {
      ok: false,
      code: 'SECURITY_KEY_NOT_ALLOWED',
      message:
        'Après votre signalement, la clé de sécurité ne suffit pas : connectez-vous avec votre carte CPS ou demandez un code par courrier.',
    };
  }
  if (good) return { ok: true };
  const triesLeft = Math.max(0, policy.securityKeyMaxTries - counted.length);
  return {
    ok: false,
    code: 'SECURITY_KEY_WRONG',
    message:
      triesLeft > 0
        ? `Ces informations ne correspondent pas à la clé de sécurité enregistrée. Il vous reste ${triesLeft} essai${triesLeft > 1 ? 's' : ''}.`
        : "Ces informations ne correspondent pas à la clé de sécurité enregistrée. C'était le dernier essai : vous pouvez demander un code provisoire par courrier.",
    triesLeft,
  };
}
