/**
 * The online unblock paths for accounts that sign in with a password: the security key (wrong tries throttled per
 * source and per identifier, never after the user's own report) and the temporary code sent by postal mail (letter PDF in the outbox, an e-mail that
 * says a code was requested, never the code). Either ends with a single-use unblock ticket that only lets the user
 * set a new password; then the account is active again. Unknown identifiers get the same answers as known ones.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { hash } from '@node-rs/argon2';
import type { z } from 'zod';
import type { PostalStateResponseSchema } from '../../domain/backend-api';
import { PASSWORD_HISTORY, type ThrottlePolicy } from '../../domain/policy';
import {
  postalState,
  unblockEligibility,
  type UnblockAccountKind,
  type UnblockPath,
} from '../../domain/policy/unblock';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { newToken, sha256 } from '../crypto';
import { appendEvents } from '../events/chain';
import { enqueueMails } from '../mail/outbox';
import {
  passwordChangedMail,
  postalCodeRequestedMail,
  securityKeySetMail,
  securityKeyUsedMail,
} from '../mail/templates';
import { passwordStrength, personalData, type PasswordHasher } from '../auth/passwords';
import { recordActivity, replacePassword } from '../accounts/accounts';
import { PasswordPolicyError } from '../auth/errors';
import { identifierKey, reserveAttempt } from '../auth/throttle';
import type { RequestMeta } from '../http/meta';
import type { AuthInfo } from '../sessions/sessions';
import { recordCodeRefusal, reserveCodeAttempt } from './code-attempts';
import { writeLetterToOutbox } from './letter';
import {
  newLetterReference,
  postalProgress,
  redeemPostalCode,
  requestPostalCode,
  type PostalCodeRecord,
} from './postal-code';
import { canonicalAnswers, setSecurityKey, verifySecurityKey } from './security-key';
import {
  accountByIdentifier,
  accountQuery,
  closeOpenCases,
  evMetaOf,
  refusalMeta,
  unblockLocked,
  type AccountRow,
} from '../auth/strong';
import type { SigninDeps } from '../auth/deps';
import { securityLog } from '../auth/security-log';

type PostalDto = z.input<typeof PostalStateResponseSchema>;

async function situation(
  ctx: Ctx,
  deps: SigninDeps,
  acc: AccountRow,
  has: { card?: boolean; ecps?: boolean; letter?: boolean },
) {
  const now = ctx.clock.now();
  const [key, [latest]] = await Promise.all([
    deps.securityKeys.get(acc.id),
    deps.postalCodes.recent(acc.id, 1),
  ]);
  const pending = latest && !latest.supersededAt ? latest : null;
  return unblockEligibility(
    {
      kind: acc.kind as UnblockAccountKind,
      block:
        acc.state === 'blocked'
          ? { reason: acc.block_reason ?? 'inactivity', cause: acc.suspicion_cause ?? null }
          : null,
      atHand: has,
      // wrong tries are throttled, they never close the path (a stranger could close it for the owner)
      securityKey: { configured: !!key, failedTriesInWindow: 0 },
      postalCode: pending
        ? { requestedAt: pending.requestedAt, expiresAt: pending.expiresAt, used: !!pending.usedAt }
        : null,
      now,
    },
    deps.unblock,
  );
}

/**
 * The ways out a blocked account may take now, in order (what a refused password sign-in lists): the same pure
 * function the wizard uses, so the answer and the wizard never disagree (no key on file, tries used up, after a report).
 */
export async function allowedPaths(ctx: Ctx, deps: SigninDeps, acc: AccountRow): Promise<UnblockPath[]> {
  return (await situation(ctx, deps, acc, {})).allowed;
}

/**
 * What the wizard offers to whoever types an identifier without a proven factor: the same choice for everyone (the
 * online ways out, all tries left), whatever the identifier names. The person's own situation appears once a first
 * step succeeded, or at a sign-in where the password was right (the blocked answer lists the person's own paths).
 */
const GENERIC: { paths: UnblockPath[]; securityKeyTriesLeft: number } = {
  paths: ['security_key', 'postal_code'],
  securityKeyTriesLeft: 3,
};

export function eligibility(
  identifier: string | undefined,
  has: { card?: boolean; ecps?: boolean; letter?: boolean },
) {
  if (identifier) return { paths: GENERIC.paths, securityKeyTriesLeft: GENERIC.securityKeyTriesLeft };
  const paths: UnblockPath[] = [
    ...(has.card === false ? [] : ['card' as const]),
    ...(has.ecps === false ? [] : ['ecps' as const]),
    ...GENERIC.paths,
  ];
  return { paths, securityKeyTriesLeft: GENERIC.securityKeyTriesLeft };
}

/** Pads a refusal (or an answer that must not tell) to the floor: the same timing for every identifier. */
async function padTo(started: number, floorMs: number) {
  const elapsed = performance.now() - started;
  if (elapsed < floorMs) await sleep(floorMs - elapsed);
}

export function questions(deps: SigninDeps) {
  const kind = {
    birth_date: 'date',
    practice_postal_code: 'postal-code',
    iban_last4: 'digits',
    text: 'digits',
  } as const;
  return {
    questions: deps.fields.map((f) => ({
      id: f.id,
      kind: kind[f.kind],
      label: f.label,
      ...(f.kind === 'iban_last4' ? { length: 4 } : f.kind === 'practice_postal_code' ? { length: 5 } : {}),
    })),
  };
}

async function issueTicket(
  ctx: Ctx,
  deps: SigninDeps,
  accountId: string,
  method: 'security_key' | 'postal_code',
  meta: RequestMeta,
) {
  const now = ctx.clock.now();
  const token = newToken();
  const expiresAt = new Date(now.getTime() + deps.ticketTtlMs);
  await ctx.db
    .insertInto('unblock_tickets')
    .values({
      token_hash: sha256(token),
      account_id: accountId,
      method,
      workstation_id: meta.workstationId,
      created_at: now,
      expires_at: expiresAt,
      used_at: null,
    })
    .execute();
  return { ticket: token, expiresAt: expiresAt.toISOString() };
}

/** How long a card or e-CPS sign-in counts as a fresh proof for setting the security key. */
export const FRESH_PROOF_MS = 5 * 60_000;

/**
 * Records (or replaces) the security key of the signed-in account. A session alone is not enough (a key planted
 * from a session left open would reset the password from anywhere later): it takes the current password, checked
 * under the same throttle and floor as a password change, or a session opened with the card or e-CPS in the last
 * few minutes.
 */
export async function recordSecurityKey(
  ctx: Ctx,
  deps: SigninDeps,
  hasher: PasswordHasher,
  auth: AuthInfo,
  input: { answers: Record<string, string>; currentPassword?: string | undefined },
  meta: RequestMeta,
  floorMs: number,
) {
  const started = performance.now();
  const now = ctx.clock.now();
  const accountId = auth.accountId;
  const answers = input.answers;
  if (input.currentPassword !== undefined) {
    const current = await ctx.db
      .selectFrom('passwords')
      .select('hash')
      .where('account_id', '=', accountId)
      .where('current', '=', true)
      .executeTakeFirst();
    const key = `chg:${identifierKey(auth.identifier ?? auth.accountId)}`;
    const throttled = await reserveAttempt(ctx.db, key, now, ctx.config.accountThrottle);
    if (throttled || !(await hasher.verify(current?.hash ?? null, input.currentPassword))) {
      await ctx.db.transaction().execute((trx) =>
        appendEvents(trx, [
          {
            ...evMetaOf(meta, auth.workstationLabel),
            accountId,
            at: now,
            type: 'security_key_set_failed',
            method: 'password',
            outcome: 'failure',
            details: { reason: throttled ? 'throttled' : 'wrong_password' },
          },
        ]),
      );
      await padTo(started, floorMs);
      throw new AppError('INVALID_CREDENTIALS', 'Mot de passe actuel incorrect.');
    }
    await ctx.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  } else {
    const s = await ctx.db
      .selectFrom('sessions')
      .select(['method', 'created_at'])
      .where('id', '=', auth.sessionId)
      .executeTakeFirst();
    const fresh =
      !!s &&
      (s.method === 'card' || s.method === 'ecps') &&
      now.getTime() - s.created_at.getTime() <= FRESH_PROOF_MS;
    if (!fresh)
      throw new AppError(
        'FRESH_PROOF_REQUIRED',
        'Pour enregistrer la clé de sécurité, confirmez votre mot de passe actuel ou reconnectez-vous avec votre carte CPS ou votre e-CPS.',
      );
  }
  const r = await setSecurityKey(deps.securityKeys, accountId, answers, now, deps.fields);
  if (!r.ok) throw new AppError(r.code, r.message);
  const acc = await accountQuery(ctx.db).where('a.id', '=', accountId).executeTakeFirstOrThrow();
  await ctx.db.transaction().execute(async (trx) => {
    await appendEvents(trx, [
      { ...evMetaOf(meta), accountId, at: now, type: 'security_key_set', outcome: 'success', details: {} },
    ]);
    await enqueueMails(trx, now, [
      {
        ...securityKeySetMail({ name: acc.display_name, workstationLabel: meta.workstationLabel }),
        accountId,
        to: acc.email,
      },
    ]);
  });
  return { setAt: now.toISOString() };
}

const keyWrong = () =>
  new AppError(
    'SECURITY_KEY_WRONG',
    'Ces informations ne correspondent pas à la clé de sécurité enregistrée. Vérifiez chaque information et réessayez.',
  );
const keyThrottled = () =>
  new AppError(
    'SECURITY_KEY_LOCKED',
    "Trop d'essais de la clé de sécurité pour l'instant. Patientez une minute avant de réessayer, ou demandez un code provisoire par courrier.",
  );

/**
 * Per identifier, whoever types: free tries, then a growing wait that never passes a minute, never a lock. It slows
 * a stranger who rotates workstations and addresses; the owner's own source is held back by a minute at most.
 */
export const SECURITY_KEY_ID_THROTTLE: ThrottlePolicy = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  // past 100 tries the wait stays a minute: no longer lock than the delays themselves
  lockAfter: 100,
  lockMs: 60_000,
  resetAfterMs: 24 * 3600_000,
};

/**
 * The security key. Each try first reserves its place on two throttle counters: its source (the identifier from one
 * workstation id and one address: 3 free tries, then growing delays, a 15 min pause after 10) and the identifier
 * (`SECURITY_KEY_ID_THROTTLE`); a throttled try is not checked and answers SECURITY_KEY_LOCKED, the same for every
 * identifier. Wrong tries never close the path nor count toward a block. Without a key that can work (unknown
 * identifier, card delegate, no key on file) the same work is done and the same answers come; a key typed right on an
 * account where it is not allowed (after the user's own report) is the only case that says so. Padded to the floor.
 */
export async function submitSecurityKey(
  ctx: Ctx,
  deps: SigninDeps,
  identifier: string,
  answers: Record<string, string>,
  meta: RequestMeta,
  floorMs: number,
) {
  const started = performance.now();
  try {
    return await securityKeyAttempt(ctx, deps, identifier, answers, meta);
  } catch (e) {
    await padTo(started, floorMs);
    throw e;
  }
}

async function securityKeyAttempt(
  ctx: Ctx,
  deps: SigninDeps,
  identifier: string,
  answers: Record<string, string>,
  meta: RequestMeta,
) {
  const now = ctx.clock.now();
  // unreadable answers use no try, whoever the identifier names
  const c = canonicalAnswers(deps.fields, answers);
  if (!c.ok) throw new AppError(c.code, c.message);
  const idKey = `sk:${identifierKey(identifier)}`;
  const srcKey = `${idKey}:src:${sha256(`${meta.workstationId ?? ''}|${meta.ip ?? ''}`)}`;
  const throttled =
    (await reserveAttempt(ctx.db, srcKey, now, ctx.config.accountThrottle)) ||
    (await reserveAttempt(ctx.db, idKey, now, SECURITY_KEY_ID_THROTTLE));
  const acc = await accountByIdentifier(ctx, identifier);
  if (throttled) {
    await securityLog(ctx, meta, now, {
      kind: 'security_key_throttled',
      method: 'security_key',
      subject: identifierKey(identifier),
      accountId: acc?.id ?? null,
    });
    throw keyThrottled();
  }
  // A holder has her card: the key serves her blocked account only (it would otherwise reset an active account's
  // password with personal data alone). Refused like a missing key, the same answer for every identifier.
  const keyServes = acc && acc.kind !== 'card_delegate' && (acc.kind !== 'holder' || acc.state === 'blocked');
  const key = keyServes ? await deps.securityKeys.get(acc.id) : null;
  if (!acc || !key) {
    await hash(c.value);
    await securityLog(ctx, meta, now, {
      kind: 'security_key_without_key',
      method: 'security_key',
      subject: identifierKey(identifier),
      accountId: acc?.id ?? null,
    });
    throw keyWrong();
  }
  const r = await verifySecurityKey(deps.securityKeys, acc.id, answers, now, {
    fields: deps.fields,
    // the throttle above holds the tries: no count of tries per account that a stranger could use up
    policy: { ...deps.unblock, securityKeyMaxTries: Number.MAX_SAFE_INTEGER },
    block:
      acc.state === 'blocked'
        ? { reason: acc.block_reason ?? 'inactivity', cause: acc.suspicion_cause ?? null }
        : null,
  });
  const ev = await refusalMeta(ctx, meta);
  if (!r.ok) {
    if (
      r.code === 'SECURITY_KEY_WRONG' ||
      r.code === 'SECURITY_KEY_LOCKED' ||
      r.code === 'SECURITY_KEY_NOT_ALLOWED'
    ) {
      await ctx.db.transaction().execute((trx) =>
        appendEvents(trx, [
          {
            ...ev,
            accountId: acc.id,
            at: now,
            type: 'security_key_failed',
            method: 'security_key',
            outcome: 'failure',
            details: { reason: r.code },
          },
        ]),
      );
    }
    // a wrong key answers what an unknown identifier gets
    throw r.code === 'SECURITY_KEY_WRONG' ? keyWrong() : new AppError(r.code, r.message);
  }
  // A password withdrawn by the user's own report: the key is personal data the person reported may know.
  const withdrawn = !(await ctx.db
    .selectFrom('passwords')
    .select('id')
    .where('account_id', '=', acc.id)
    .where('current', '=', true)
    .executeTakeFirst());
  if (withdrawn) {
    await ctx.db.transaction().execute((trx) =>
      appendEvents(trx, [
        {
          ...ev,
          accountId: acc.id,
          at: now,
          type: 'security_key_failed',
          method: 'security_key',
          outcome: 'failure',
          details: { reason: 'SECURITY_KEY_NOT_ALLOWED' },
        },
      ]),
    );
    throw new AppError(
      'SECURITY_KEY_NOT_ALLOWED',
      'Après votre signalement, la clé de sécurité ne permet plus de choisir un mot de passe. Demandez au titulaire un « nouveau départ », ou un code par courrier.',
    );
  }
  await ctx.db.deleteFrom('login_throttle').where('key', 'in', [srcKey, idKey]).execute();
  await ctx.db.transaction().execute((trx) =>
    appendEvents(trx, [
      {
        ...evMetaOf(meta),
        accountId: acc.id,
        at: now,
        type: 'security_key_verified',
        method: 'security_key',
        outcome: 'success',
        details: {},
      },
    ]),
  );
  return issueTicket(ctx, deps, acc.id, 'security_key', meta);
}

function toDto(r: PostalCodeRecord | null, now: Date, deps: SigninDeps, printedAt: Date | null): PostalDto {
  const p = postalProgress(r, now, printedAt);
  const st = postalState(
    {
      now,
      postalCode:
        r && !r.supersededAt
          ? { requestedAt: r.requestedAt, expiresAt: r.expiresAt, used: !!r.usedAt }
          : null,
    },
    deps.unblock,
  );
  if (p.stage === 'none' || !r) {
    return {
      status: 'none',
      requestedAt: null,
      printedAt: null,
      expectedBy: null,
      expiresAt: null,
      nextRequestAt: null,
      reference: null,
    };
  }
  const expected = p.expectedArrival!;
  const status =
    p.stage === 'used' || p.stage === 'expired'
      ? p.stage
      : expected.getTime() <= now.getTime()
        ? 'expected'
        : p.stage === 'printed'
          ? 'in-post'
          : 'requested';
  return {
    status,
    requestedAt: r.requestedAt.toISOString(),
    printedAt: printedAt?.toISOString() ?? null,
    expectedBy: expected.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    nextRequestAt: st.nextRequestAt?.toISOString() ?? null,
    reference: r.reference,
  };
}

/** The mail service printed the letter (`npm run backend -- letter-printed <reference>`): the user sees "in the post". */
export async function markLetterPrinted(db: Ctx['db'], reference: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('postal_codes')
    .set({ printed_at: at })
    .where('reference', '=', reference)
    .where('printed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return !!r;
}

/** A request that sends nothing (unknown identifier, a code still in the post, a card account): a plausible state. */
function fakeRequested(requestedAt: Date, now: Date, deps: SigninDeps, reference: string): PostalDto {
  const exp = new Date(requestedAt.getTime() + deps.postal.validityDays * 86_400_000);
  return toDto(
    {
      id: '',
      accountId: '',
      reference,
      codeHash: '',
      requestedAt,
      expiresAt: exp,
      usedAt: null,
      supersededAt: null,
      wrongTries: 0,
    },
    now,
    deps,
    null,
  );
}

/**
 * Where a letter stands, for the workstation that requested it only (its request handle). Without a handle the
 * answer is the same for every identifier: nothing to show.
 */
export async function postalCodeState(
  ctx: Ctx,
  deps: SigninDeps,
  handle: string | undefined,
  meta: RequestMeta,
): Promise<PostalDto> {
  const now = ctx.clock.now();
  const none = toDto(null, now, deps, null);
  if (!handle) return none;
  const req = await ctx.db
    .selectFrom('postal_requests')
    .selectAll()
    .where('handle_hash', '=', sha256(handle))
    .executeTakeFirst();
  if (
    !req ||
    (req.workstation_id && req.workstation_id !== meta.workstationId) ||
    req.expires_at.getTime() <= now.getTime()
  )
    return none;
  if (!req.postal_code_id) return { ...fakeRequested(req.requested_at, now, deps, req.reference), handle };
  const [r] = await ctx.db
    .selectFrom('postal_codes')
    .selectAll()
    .where('id', '=', req.postal_code_id)
    .execute();
  if (!r) return none;
  const rec: PostalCodeRecord = {
    id: r.id,
    accountId: r.account_id,
    reference: r.reference,
    codeHash: '',
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    supersededAt: r.superseded_at,
    wrongTries: 0,
  };
  return { ...toDto(rec, now, deps, r.printed_at), handle };
}

function addressLines(acc: AccountRow): string[] {
  const a = (acc.postal_address ?? acc.pharmacy_address) as {
    line1: string;
    line2?: string;
    postalCode: string;
    city: string;
  } | null;
  if (!a) return [];
  return [a.line1, ...(a.line2 ? [a.line2] : []), `${a.postalCode} ${a.city}`];
}

/**
 * Asks for a code by postal mail. The answer is the same for every identifier and takes the same time (padded to the
 * floor): a plausible "requested" state and a request handle. A letter goes out only to an account that may use
 * this path and has no code it may not yet replace; otherwise nothing is sent, and the account's events say that
 * a request was made (never silently: a code still in the post stays valid).
 */
export async function requestPostal(
  ctx: Ctx,
  deps: SigninDeps,
  identifier: string,
  meta: RequestMeta,
  floorMs: number,
): Promise<PostalDto> {
  const started = performance.now();
  const now = ctx.clock.now();
  const handle = newToken();
  const acc = await accountByIdentifier(ctx, identifier);
  const sent = acc && acc.kind !== 'card_delegate' ? await sendLetter(ctx, deps, acc, meta, now) : null;
  if (acc && !sent) {
    await ctx.db.transaction().execute((trx) =>
      appendEvents(trx, [
        {
          ...evMetaOf(meta, null),
          accountId: acc.id,
          at: now,
          type: 'postal_code_requested',
          method: 'postal_code',
          outcome: 'info',
          details: { sent: false },
        },
      ]),
    );
  }
  const reference = sent?.reference ?? newLetterReference();
  const validity = deps.postal.validityDays * 86_400_000;
  await ctx.db
    .insertInto('postal_requests')
    .values({
      handle_hash: sha256(handle),
      workstation_id: meta.workstationId,
      postal_code_id: sent?.id ?? null,
      reference,
      requested_at: now,
      expires_at: new Date(now.getTime() + validity),
    })
    .execute();
  await padTo(started, floorMs);
  return { ...fakeRequested(now, now, deps, reference), handle };
}

async function sendLetter(
  ctx: Ctx,
  deps: SigninDeps,
  acc: AccountRow,
  meta: RequestMeta,
  now: Date,
): Promise<PostalCodeRecord | null> {
  const r = await requestPostalCode(deps.postalCodes, acc.id, now, deps.postal);
  if (!r.ok) return null;
  // The letter goes to the outbox for the mail service; the e-mail only says a code was requested.
  const letter = await writeLetterToOutbox(
    deps.lettersDir,
    {
      reference: r.reference,
      pharmacy: { name: acc.pharmacy_name, addressLines: addressLines(acc) },
      recipientName: acc.display_name,
      accountId: acc.id,
      code: r.code,
      requestedAt: now,
      expiresAt: r.expiresAt,
    },
    now,
  );
  await ctx.db.transaction().execute(async (trx) => {
    await appendEvents(trx, [
      {
        ...evMetaOf(meta, null),
        accountId: acc.id,
        at: now,
        type: 'postal_code_requested',
        method: 'postal_code',
        outcome: 'info',
        details: {
          reference: r.reference,
          expiresAt: r.expiresAt.toISOString(),
          letterSha256: letter.entry.sha256,
        },
      },
    ]);
    await enqueueMails(trx, now, [
      {
        ...postalCodeRequestedMail({
          name: acc.display_name,
          at: now,
          reference: r.reference,
          expiresAt: r.expiresAt,
          pharmacyName: acc.pharmacy_name,
        }),
        accountId: acc.id,
        to: acc.email,
      },
    ]);
  });
  return r.record;
}

/**
 * Checks the code from the letter. Wrong codes are throttled per source (workstation and address) and per
 * identifier, and never spend the code; a throttled attempt is not checked and gets the same answer. Unknown
 * identifiers get the same work (the same number of code comparisons) and the same answer, padded to the floor.
 */
export async function submitPostal(
  ctx: Ctx,
  deps: SigninDeps,
  identifier: string,
  code: string,
  meta: RequestMeta,
  floorMs: number,
) {
  const started = performance.now();
  const now = ctx.clock.now();
  const attempt = await reserveCodeAttempt(ctx, 'pc', identifier, meta, now);
  const acc = await accountByIdentifier(ctx, identifier);
  const r = attempt.throttled
    ? ({
        ok: false,
        code: 'POSTAL_CODE_WRONG',
        message: 'Ce code ne correspond pas à celui de votre courrier. Vérifiez-le et réessayez.',
      } as const)
    : await redeemPostalCode(deps.postalCodes, acc?.id ?? null, code, now, deps.postal);
  if (!r.ok) {
    await recordCodeRefusal(ctx, meta, now, {
      throttled: attempt.throttled,
      identifier,
      accountId: acc?.id ?? null,
      log: { kind: 'postal_code_throttled', method: 'postal_code' },
      event: { type: 'postal_code_failed', method: 'postal_code', reason: r.code },
    });
    await padTo(started, floorMs);
    throw new AppError(r.code, r.message);
  }
  await ctx.db.deleteFrom('login_throttle').where('key', 'in', attempt.keys).execute();
  await ctx.db.transaction().execute((trx) =>
    appendEvents(trx, [
      {
        ...evMetaOf(meta),
        accountId: acc!.id,
        at: now,
        type: 'postal_code_verified',
        method: 'postal_code',
        outcome: 'success',
        details: { reference: r.reference },
      },
    ]),
  );
  return issueTicket(ctx, deps, acc!.id, 'postal_code', meta);
}

/**
 * The last step: with a valid ticket, a new password under the policy (CNIL rules, strength, none of the last 12);
 * the account is unblocked, its activity clock restarts, its sessions end, events and e-mails are written.
 */
export async function setPasswordWithTicket(
  ctx: Ctx,
  deps: SigninDeps,
  hasher: PasswordHasher,
  ticket: string,
  newPassword: string,
  meta: RequestMeta,
) {
  const now = ctx.clock.now();
  const t = await ctx.db
    .selectFrom('unblock_tickets')
    .selectAll()
    .where('token_hash', '=', sha256(ticket))
    .executeTakeFirst();
  if (
    !t ||
    t.used_at ||
    t.expires_at.getTime() <= now.getTime() ||
    (t.workstation_id && t.workstation_id !== meta.workstationId)
  ) {
    throw new AppError(
      'UNAUTHENTICATED',
      'Ce lien de déblocage a expiré ou a déjà servi. Recommencez le parcours de déblocage.',
    );
  }
  const acc = await accountQuery(ctx.db).where('a.id', '=', t.account_id).executeTakeFirstOrThrow();
  const personal = personalData({ ...acc, displayName: acc.display_name });
  const report = await passwordStrength(ctx.strength, newPassword, personal, ctx.config.minPasswordScore);
  if (!report.acceptable) throw new PasswordPolicyError(report.problems);
  const history = await ctx.db
    .selectFrom('passwords')
    .select('hash')
    .where('account_id', '=', acc.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(PASSWORD_HISTORY)
    .execute();
  for (const h of history) {
    if (await hasher.verify(h.hash, newPassword)) {
      throw new AppError(
        'PASSWORD_REUSED',
        `Ce mot de passe a déjà été utilisé : choisissez-en un autre que les ${PASSWORD_HISTORY} derniers.`,
      );
    }
  }
  const newHash = await hasher.hash(newPassword);
  const ev = evMetaOf(meta);
  await ctx.db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('unblock_tickets')
      .set({ used_at: now })
      .where('token_hash', '=', t.token_hash)
      .where('used_at', 'is', null)
      .returning('account_id')
      .executeTakeFirst();
    if (!used) throw new AppError('UNAUTHENTICATED', 'Ce lien de déblocage a déjà servi.');
    const locked = await accountQuery(trx)
      .where('a.id', '=', acc.id)
      .forUpdate(['a'])
      .executeTakeFirstOrThrow();
    await replacePassword(trx, acc.id, newHash, now);
    await appendEvents(trx, [
      {
        ...ev,
        accountId: acc.id,
        at: now,
        type: 'password_changed',
        method: t.method,
        outcome: 'success',
        details: { via: t.method },
      },
    ]);
    // The owner hears of every reset, blocked or not: a reset she did not make is someone else's way in.
    const told = { name: acc.display_name, at: now, workstationLabel: ev.workstationLabel };
    await enqueueMails(trx, now, [
      { ...passwordChangedMail(told), accountId: acc.id, to: acc.email },
      ...(t.method === 'security_key'
        ? [{ ...securityKeyUsedMail(told), accountId: acc.id, to: acc.email }]
        : []),
    ]);
    if (locked.state === 'blocked') await unblockLocked(trx, locked, t.method, ev, now);
    else await closeOpenCases(trx, acc.id, now, 'Mot de passe changé.', ev);
    await recordActivity(
      trx,
      acc.id,
      locked.created_at,
      { method: t.method, workstationId: meta.workstationId },
      now,
      ctx.config,
    );
  });
  return { unblocked: true as const };
}
