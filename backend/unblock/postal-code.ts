/**
 * The temporary code sent by postal mail: random, at least 10 characters from an alphabet without look-alikes,
 * stored only as an argon2id hash, single use, valid 10 days by default (NIST 800-63A: ≤ 10 days for a postal
 * address of record), a new request allowed after 48 h or once the code expired or was used. A new request never
 * replaces a code still in the post: the earlier letter's code stays valid until its own date, and using either
 * code ends the others. Wrong codes never spend a code (12 characters from 31 cannot be guessed): they are throttled
 * per source and per identifier by the route instead.
 */
import { hash, verify } from '@node-rs/argon2';
import { randomInt, randomUUID } from 'node:crypto';
import type { ErrorCode } from '../../domain/errors';
import { DEFAULT_UNBLOCK_POLICY, postalState, type UnblockPolicy } from '../../domain/policy/unblock';
import { frDate } from '../mail/format';

/** No 0/O, 1/I/L: what is printed can be read back without doubt. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const DEFAULT_CODE_LENGTH = 12;
export const DEFAULT_VALIDITY_DAYS = 10;

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
  /** Set when another code of the account was used (this one is then void). */
  supersededAt: Date | null;
  wrongTries: number;
}

/**
 * Storage. In PostgreSQL: `postal_codes(id, account_id, reference unique, code_hash, requested_at, expires_at,
 * used_at, superseded_at, wrong_tries)`; `markUsed` is `UPDATE … SET used_at = $at WHERE id = $id AND used_at IS
 * NULL` (single use under concurrency) and ends the account's other pending codes in the same transaction.
 */
export interface PostalCodeStore {
  /** The most recent codes of the account, newest first. */
  recent(accountId: string, limit: number): Promise<PostalCodeRecord[]>;
  insert(rec: PostalCodeRecord): Promise<void>;
  markUsed(id: string, at: Date): Promise<boolean>;
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
  async insert(rec: PostalCodeRecord) {
    this.rows.push({ ...rec });
  }
  async markUsed(id: string, at: Date) {
    const r = this.rows.find((x) => x.id === id);
    if (!r || r.usedAt) return false;
    r.usedAt = at;
    for (const o of this.rows)
      if (o.accountId === r.accountId && o !== r && !o.usedAt && !o.supersededAt) o.supersededAt = at;
    return true;
  }
}

export interface PostalPolicy extends Pick<UnblockPolicy, 'postalResendAfterMs'> {
  validityDays: number;
  codeLength: number;
}

export const DEFAULT_POSTAL_POLICY: PostalPolicy = {
  postalResendAfterMs: DEFAULT_UNBLOCK_POLICY.postalResendAfterMs,
  validityDays: DEFAULT_VALIDITY_DAYS,
  codeLength: DEFAULT_CODE_LENGTH,
};

type Fail = { ok: false; code: ErrorCode; message: string; nextRequestAt?: Date };

const pendingOf = (r: PostalCodeRecord | undefined) => (r && !r.supersededAt ? r : null);
/** Codes compared with what was typed, whatever the account has: the same work for every identifier. */
export const CODES_CHECKED = 3;
let dummyHash: Promise<string> | null = null;
/** A hash nothing matches, verified in place of missing codes (equal timing for every identifier). */
export const dummyCodeHash = () => (dummyHash ??= hash(generatePostalCode(DEFAULT_CODE_LENGTH)));

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
  const state = postalState(
    { now, postalCode: p && { requestedAt: p.requestedAt, expiresAt: p.expiresAt, used: !!p.usedAt } },
    { ...DEFAULT_UNBLOCK_POLICY, ...policy },
  );
  if (!state.canRequest) {
    return {
      ok: false,
      code: 'POSTAL_CODE_PENDING',
      message: `Un code vous a déjà été envoyé par courrier. Vous pourrez en demander un nouveau à partir du ${frDate(state.nextRequestAt!)} s'il n'est pas arrivé.`,
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
  await store.insert(record);
  return { ok: true, code, reference: record.reference, expiresAt: record.expiresAt, record };
}

/**
 * Checks a typed code and uses it up. A code typed again after use is POSTAL_CODE_USED; past its date, or ended
 * because another code of the account was used, POSTAL_CODE_EXPIRED; anything else POSTAL_CODE_WRONG.
 */
export async function redeemPostalCode(
  store: PostalCodeStore,
  /** null: no account (the same work is done, the answer is POSTAL_CODE_WRONG). */
  accountId: string | null,
  typed: string,
  now: Date,
  _policy: PostalPolicy = DEFAULT_POSTAL_POLICY,
): Promise<{ ok: true; reference: string } | Fail> {
  const recent = accountId ? await store.recent(accountId, CODES_CHECKED) : [];
  const match = await matchCode(recent, typed);
  if (!match) {
    return {
      ok: false,
      code: 'POSTAL_CODE_WRONG',
      message: 'Ce code ne correspond pas à celui de votre courrier. Vérifiez-le et réessayez.',
    };
  }
  if (match.usedAt)
    return {
      ok: false,
      code: 'POSTAL_CODE_USED',
      message: 'Ce code a déjà servi. Chaque code ne sert qu’une fois.',
    };
  if (match.supersededAt || match.expiresAt <= now) {
    return {
      ok: false,
      code: 'POSTAL_CODE_EXPIRED',
      message: 'Ce code n’est plus valable. Demandez un nouveau code par courrier.',
    };
  }
  if (!(await store.markUsed(match.id, now)))
    return {
      ok: false,
      code: 'POSTAL_CODE_USED',
      message: 'Ce code a déjà servi. Chaque code ne sert qu’une fois.',
    };
  return { ok: true, reference: match.reference };
}

/** Compares the typed code with each of `recent`, and with a dummy for each missing one (always CODES_CHECKED). */
async function matchCode(recent: PostalCodeRecord[], typed: string): Promise<PostalCodeRecord | undefined> {
  const code = normalizeTypedCode(typed);
  const wellFormed =
    code.length >= 10 && code.length <= 32 && [...code].every((c) => CODE_ALPHABET.includes(c));
  let match: PostalCodeRecord | undefined;
  for (let i = 0; i < CODES_CHECKED; i++) {
    const r = recent[i];
    const ok = await verify(r?.codeHash ?? (await dummyCodeHash()), wellFormed ? code : 'X').catch(
      () => false,
    );
    if (ok && r && !match) match = r;
  }
  return match;
}

export type PostalStage = 'none' | 'requested' | 'printed' | 'expired' | 'used';

/**
 * What the user sees of their letter: requested → letter printed → expected arrival → expires on … The mail
 * service reports `printedAt`; the arrival is an estimate (3 working days after printing, or after the request).
 */
export function postalProgress(
  r: PostalCodeRecord | null,
  now: Date,
  printedAt: Date | null = null,
  transitDays = 3,
) {
  if (!r) return { stage: 'none' as PostalStage };
  const expectedArrival = addWorkingDays(printedAt ?? r.requestedAt, transitDays);
  const stage: PostalStage = r.usedAt
    ? 'used'
    : r.supersededAt || r.expiresAt <= now
      ? 'expired'
      : printedAt
        ? 'printed'
        : 'requested';
  return {
    stage,
    reference: r.reference,
    requestedAt: r.requestedAt,
    printedAt,
    expectedArrival,
    expiresAt: r.expiresAt,
  };
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
