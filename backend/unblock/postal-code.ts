/**
 * The temporary code sent by postal mail: random, at least 10 characters from an alphabet without look-alikes,
 * stored only as an argon2id hash, single use, valid 10 days by default (NIST 800-63A: ≤ 10 days for a postal
 * address of record), one pending per account, a new request allowed after 48 h or once the code expired.
 */
import { hash, verify } from '@node-rs/argon2';
import { randomInt, randomUUID } from 'node:crypto';
import type { ErrorCode } from '../../domain/errors';
import { DEFAULT_UNBLOCK_POLICY, postalState, type UnblockPolicy } from '../../domain/policy/unblock';

/** No 0/O, 1/I/L: what is printed can be read back without doubt. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const DEFAULT_CODE_LENGTH = 12;
export const DEFAULT_VALIDITY_DAYS = 10;
export const DEFAULT_MAX_WRONG_TRIES = 5;

export function generatePostalCode(length = DEFAULT_CODE_LENGTH): string {
  if (length < 10) throw new Error('a postal code has at least 10 characters');
  let s = '';
  for (let i = 0; i < length; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** As printed: groups of 4 ("ABCD-EFGH-JKMN"). */
export const formatPostalCode = (code: string) => code.match(/.{1,4}/g)!.join('-');

/** As typed: case, spaces and dashes do not matter. */
export const normalizeTypedCode = (typed: string) => typed.toUpperCase().replace(/[\s\-_.]/g, '');

/** A reference for the letter and the mail service: "VG-" + 8 characters of the same alphabet. */
export const newLetterReference = () => `VG-${generatePostalCode(10).slice(0, 8)}`;

export interface PostalCodeRecord {
  id: string;
  accountId: string;
  reference: string;
  codeHash: string;
  requestedAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** Set when a newer request replaced it. */
  supersededAt: Date | null;
  wrongTries: number;
}

/**
 * Storage. In PostgreSQL: `postal_codes(id, account_id, reference unique, code_hash, requested_at, expires_at,
 * used_at, superseded_at, wrong_tries)` with a partial unique index on `account_id WHERE used_at IS NULL AND
 * superseded_at IS NULL` (one pending per account); `insertReplacing` supersedes and inserts in one transaction;
 * `markUsed` is `UPDATE … SET used_at = $at WHERE id = $id AND used_at IS NULL` (single use under concurrency).
 */
export interface PostalCodeStore {
  /** The most recent codes of the account, newest first. */
  recent(accountId: string, limit: number): Promise<PostalCodeRecord[]>;
  insertReplacing(rec: PostalCodeRecord, at: Date): Promise<void>;
  markUsed(id: string, at: Date): Promise<boolean>;
  addWrongTry(id: string): Promise<number>;
}

export class MemoryPostalCodeStore implements PostalCodeStore {
  readonly rows: PostalCodeRecord[] = [];
  async recent(accountId: string, limit: number) {
    return this.rows
      .filter((r) => r.accountId === accountId)
      .sort((a, b) => b.requestedAt.getTime() - a.requestedAt.getTime())
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }
  async insertReplacing(rec: PostalCodeRecord, at: Date) {
    for (const r of this.rows) if (r.accountId === rec.accountId && !r.usedAt && !r.supersededAt) r.supersededAt = at;
    this.rows.push({ ...rec });
  }
  async markUsed(id: string, at: Date) {
    const r = this.rows.find((x) => x.id === id);
    if (!r || r.usedAt) return false;
    r.usedAt = at;
    return true;
  }
  async addWrongTry(id: string) {
    const r = this.rows.find((x) => x.id === id);
    if (!r) return 0;
    return ++r.wrongTries;
  }
}

export interface PostalPolicy extends Pick<UnblockPolicy, 'postalResendAfterMs'> {
  validityDays: number;
  codeLength: number;
  /** Wrong codes typed against one pending code before it is void. */
  maxWrongTries: number;
}

export const DEFAULT_POSTAL_POLICY: PostalPolicy = {
  postalResendAfterMs: DEFAULT_UNBLOCK_POLICY.postalResendAfterMs,
  validityDays: DEFAULT_VALIDITY_DAYS,
  codeLength: DEFAULT_CODE_LENGTH,
  maxWrongTries: DEFAULT_MAX_WRONG_TRIES,
};

type Fail = { ok: false; code: ErrorCode; message: string; nextRequestAt?: Date };

const pendingOf = (r: PostalCodeRecord | undefined) => (r && !r.supersededAt ? r : null);

const frDay = (d: Date) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' }).format(d);

/**
 * A new code for the account, if allowed now. The plain code is returned once, to be printed in the letter;
 * only its hash is kept.
 */
export async function requestPostalCode(
  store: PostalCodeStore,
  accountId: string,
  now: Date,
  policy: PostalPolicy = DEFAULT_POSTAL_POLICY,
): Promise<{ ok: true; code: string; reference: string; expiresAt: Date; record: PostalCodeRecord } | Fail> {
  const [latest] = await store.recent(accountId, 1);
  const p = pendingOf(latest);
  const state = postalState({ now, postalCode: p && { requestedAt: p.requestedAt, expiresAt: p.expiresAt, used: !!p.usedAt } }, { ...DEFAULT_UNBLOCK_POLICY, ...policy });
  if (!state.canRequest) {
    return {
      ok: false,
      code: 'POSTAL_CODE_PENDING',
      message: `Un code vous a déjà été envoyé par courrier. Vous pourrez en demander un nouveau à partir du ${frDay(state.nextRequestAt!)} s'il n'est pas arrivé.`,
      nextRequestAt: state.nextRequestAt!,
    };
  }
  const code = generatePostalCode(policy.codeLength);
  const record: PostalCodeRecord = {
    id: randomUUID(),
    accountId,
    reference: newLetterReference(),
    codeHash: await hash(code),
    requestedAt: now,
    expiresAt: new Date(now.getTime() + policy.validityDays * 86_400_000),
    usedAt: null,
    supersededAt: null,
    wrongTries: 0,
  };
  await store.insertReplacing(record, now);
  return { ok: true, code, reference: record.reference, expiresAt: record.expiresAt, record };
}

/**
 * Checks a typed code and uses it up. A code typed again after use is POSTAL_CODE_USED; past its date, replaced
 * by a newer one, or after too many wrong tries, POSTAL_CODE_EXPIRED; anything else POSTAL_CODE_WRONG.
 */
export async function redeemPostalCode(
  store: PostalCodeStore,
  accountId: string,
  typed: string,
  now: Date,
  policy: PostalPolicy = DEFAULT_POSTAL_POLICY,
): Promise<{ ok: true; reference: string } | Fail> {
  const code = normalizeTypedCode(typed);
  const recent = await store.recent(accountId, 3);
  const wellFormed = code.length >= 10 && code.length <= 32 && [...code].every((c) => CODE_ALPHABET.includes(c));
  let match: PostalCodeRecord | undefined;
  if (wellFormed) {
    for (const r of recent) {
      if (await verify(r.codeHash, code).catch(() => false)) {
        match = r;
        break;
      }
    }
  }
  const pending = pendingOf(recent[0]);
  if (!match) {
    if (pending && !pending.usedAt && pending.expiresAt > now) {
      const n = await store.addWrongTry(pending.id);
      if (n >= policy.maxWrongTries) {
        return { ok: false, code: 'POSTAL_CODE_EXPIRED', message: 'Trop de codes erronés ont été saisis : ce code n’est plus valable. Demandez-en un nouveau.' };
      }
    }
    return { ok: false, code: 'POSTAL_CODE_WRONG', message: 'Ce code ne correspond pas à celui de votre courrier. Vérifiez-le et réessayez.' };
  }
  if (match.usedAt) return { ok: false, code: 'POSTAL_CODE_USED', message: 'Ce code a déjà servi. Chaque code ne sert qu’une fois.' };
  if (match.supersededAt || match.expiresAt <= now || match.wrongTries >= policy.maxWrongTries) {
    return { ok: false, code: 'POSTAL_CODE_EXPIRED', message: 'Ce code n’est plus valable. Demandez un nouveau code par courrier.' };
  }
  if (!(await store.markUsed(match.id, now))) return { ok: false, code: 'POSTAL_CODE_USED', message: 'Ce code a déjà servi. Chaque code ne sert qu’une fois.' };
  return { ok: true, reference: match.reference };
}

export type PostalStage = 'none' | 'requested' | 'printed' | 'expired' | 'used';

/**
 * What the user sees of their letter: requested → letter printed → expected arrival → expires on … The mail
 * service reports `printedAt`; the arrival is an estimate (3 working days after printing, or after the request).
 */
export function postalProgress(r: PostalCodeRecord | null, now: Date, printedAt: Date | null = null, transitDays = 3) {
  if (!r) return { stage: 'none' as PostalStage };
  const expectedArrival = addWorkingDays(printedAt ?? r.requestedAt, transitDays);
  const stage: PostalStage = r.usedAt ? 'used' : r.supersededAt || r.expiresAt <= now ? 'expired' : printedAt ? 'printed' : 'requested';
  return { stage, reference: r.reference, requestedAt: r.requestedAt, printedAt, expectedArrival, expiresAt: r.expiresAt };
}

function addWorkingDays(d: Date, n: number): Date {
  const x = new Date(d);
  let left = n;
  while (left > 0) {
    x.setUTCDate(x.getUTCDate() + 1);
    const wd = x.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return x;
}
