/**
 * The online unblock paths for accounts that sign in with a password: the security key (3 tries in 24 h, never
 * after the user's own report) and the temporary code sent by postal mail (letter PDF in the outbox, an e-mail that
 * says a code was requested, never the code). Either ends with a single-use unblock ticket that only lets the user
 * set a new password; then the account is active again. Unknown identifiers get the same answers as known ones.
 */
import { hash } from '@node-rs/argon2';
import type { z } from 'zod';
import type { PostalStateResponseSchema } from '../../domain/backend-api';
import { PASSWORD_HISTORY } from '../../domain/policy';
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
import { passwordStrength, type PasswordHasher } from '../passwords';
import { passwordExpiry, recordActivity } from '../services/accounts';
import { PasswordPolicyError } from '../services/auth';
import type { RequestMeta } from '../services/meta';
import { writeLetterToOutbox } from '../unblock/letter';
import { postalCodeRequestedMail } from '../unblock/mails';
import {
  postalProgress,
  redeemPostalCode,
  requestPostalCode,
  type PostalCodeRecord,
} from '../unblock/postal-code';
import { canonicalAnswers, setSecurityKey, verifySecurityKey } from '../unblock/security-key';
import {
  accountByIdentifier,
  accountQuery,
  closeOpenCases,
  evMetaOf,
  unblockLocked,
  type AccountRow,
} from './common';
import type { SigninDeps } from './deps';

type PostalDto = z.input<typeof PostalStateResponseSchema>;

const keyOf = (ctx: Ctx, deps: SigninDeps, accountId: string) =>
  deps.securityKeys.failuresSince(
    accountId,
    new Date(ctx.clock.now().getTime() - deps.unblock.securityKeyWindowMs),
  );

async function situation(
  ctx: Ctx,
  deps: SigninDeps,
  acc: AccountRow,
  has: { card?: boolean; ecps?: boolean; letter?: boolean },
) {
  const now = ctx.clock.now();
  const [key, failed, [latest]] = await Promise.all([
    deps.securityKeys.get(acc.id),
    keyOf(ctx, deps, acc.id),
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
      securityKey: { configured: !!key, failedTriesInWindow: failed },
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

/** What an unknown identifier gets: the accountant's ways out, all tries left. */
const GENERIC: { paths: UnblockPath[]; securityKeyTriesLeft: number } = {
  paths: ['security_key', 'postal_code'],
  securityKeyTriesLeft: 3,
};

export async function eligibility(
  ctx: Ctx,
  deps: SigninDeps,
  identifier: string | undefined,
  has: { card?: boolean; ecps?: boolean; letter?: boolean },
) {
  const acc = identifier ? await accountByIdentifier(ctx, identifier) : undefined;
  if (!acc) {
    const paths: UnblockPath[] = [
      ...(has.card === false ? [] : ['card' as const]),
      ...(has.ecps === false ? [] : ['ecps' as const]),
      ...GENERIC.paths,
    ];
    return { paths: identifier ? GENERIC.paths : paths, securityKeyTriesLeft: GENERIC.securityKeyTriesLeft };
  }
  const e = await situation(ctx, deps, acc, has);
  // An active account (forgotten password): the same ways as when blocked.
  if (acc.state === 'active') {
    const asBlocked = await situation(
      ctx,
      deps,
      { ...acc, state: 'blocked', block_reason: 'inactivity' },
      has,
    );
    return { paths: asBlocked.paths, securityKeyTriesLeft: asBlocked.securityKeyTriesLeft };
  }
  return { paths: e.paths, securityKeyTriesLeft: e.securityKeyTriesLeft };
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

/** Records (or replaces) the security key of the signed-in account. */
export async function recordSecurityKey(
  ctx: Ctx,
  deps: SigninDeps,
  accountId: string,
  answers: Record<string, string>,
  meta: RequestMeta,
) {
  const now = ctx.clock.now();
  const r = await setSecurityKey(deps.securityKeys, accountId, answers, now, deps.fields);
  if (!r.ok) throw new AppError(r.code, r.message);
  const acc = await accountQuery(ctx.db).where('a.id', '=', accountId).executeTakeFirstOrThrow();
  await ctx.db.transaction().execute(async (trx) => {
    await appendEvents(trx, [
      { ...evMetaOf(meta), accountId, at: now, type: 'security_key_set', outcome: 'success', details: {} },
    ]);
    // The owner hears of it: a key set by someone else would be a way in.
    await enqueueMails(trx, now, [
      {
        kind: 'security_key_set',
        subject: 'La clé de sécurité de votre compte amelipro a été enregistrée',
        text:
          `Bonjour ${acc.display_name},\n\nLa clé de sécurité de votre compte amelipro (les informations personnelles qui permettent de le débloquer en ligne) ` +
          `vient d'être enregistrée${meta.workstationLabel ? ` depuis le poste « ${meta.workstationLabel} »` : ''}.\n\n` +
          "Si vous n'êtes pas à l'origine de ce changement, signalez-le sans attendre : appelez le 36 08, ou contactez le délégué numérique en santé de votre CPAM.\n\n—\nVigie, pour votre compte amelipro.\n",
        accountId,
        to: acc.email,
      },
    ]);
  });
  return { setAt: now.toISOString() };
}

export async function submitSecurityKey(
  ctx: Ctx,
  deps: SigninDeps,
  identifier: string,
  answers: Record<string, string>,
  meta: RequestMeta,
) {
  const now = ctx.clock.now();
  const acc = await accountByIdentifier(ctx, identifier);
  if (!acc) {
    // Same work and the same answer as a wrong key.
    const c = canonicalAnswers(deps.fields, answers);
    if (!c.ok) throw new AppError(c.code, c.message);
    await hash(c.value);
    throw new AppError(
      'SECURITY_KEY_WRONG',
      'Ces informations ne correspondent pas à la clé de sécurité enregistrée.',
    );
  }
  if (acc.kind === 'card_delegate') {
    throw new AppError('SECURITY_KEY_NOT_ALLOWED', 'Ce compte se débloque avec la carte CPS ou la e-CPS.');
  }
  const r = await verifySecurityKey(deps.securityKeys, acc.id, answers, now, {
    fields: deps.fields,
    policy: deps.unblock,
    block:
      acc.state === 'blocked'
        ? { reason: acc.block_reason ?? 'inactivity', cause: acc.suspicion_cause ?? null }
        : null,
  });
  const ev = evMetaOf(meta);
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
            details: {
              reason: r.code,
              triesLeft: r.triesLeft ?? null,
              retryAt: r.retryAt?.toISOString() ?? null,
            },
          },
        ]),
      );
    }
    throw new AppError(r.code, r.message);
  }
  await ctx.db
    .transaction()
    .execute((trx) =>
      appendEvents(trx, [
        {
          ...ev,
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

async function printedAtOf(ctx: Ctx, id: string | undefined): Promise<Date | null> {
  if (!id) return null;
  const r = await ctx.db
    .selectFrom('postal_codes')
    .select('printed_at')
    .where('id', '=', id)
    .executeTakeFirst();
  return r?.printed_at ?? null;
}

/** An unknown identifier gets a plausible "requested" state and nothing is sent. */
function fakeRequested(now: Date, deps: SigninDeps): PostalDto {
  const exp = new Date(now.getTime() + deps.postal.validityDays * 86_400_000);
  return toDto(
    {
      id: '',
      accountId: '',
      reference: 'VG-00000000',
      codeHash: '',
      requestedAt: now,
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

export async function postalCodeState(ctx: Ctx, deps: SigninDeps, identifier: string): Promise<PostalDto> {
  const now = ctx.clock.now();
  const acc = await accountByIdentifier(ctx, identifier);
  if (!acc) return toDto(null, now, deps, null);
  const [latest] = await deps.postalCodes.recent(acc.id, 1);
  return toDto(latest ?? null, now, deps, await printedAtOf(ctx, latest?.id));
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

export async function requestPostal(
  ctx: Ctx,
  deps: SigninDeps,
  identifier: string,
  meta: RequestMeta,
): Promise<PostalDto> {
  const now = ctx.clock.now();
  const acc = await accountByIdentifier(ctx, identifier);
  if (!acc) return fakeRequested(now, deps);
  if (acc.kind === 'card_delegate')
    throw new AppError('FORBIDDEN', 'Ce compte se débloque avec la carte CPS ou la e-CPS.');
  const r = await requestPostalCode(deps.postalCodes, acc.id, now, deps.postal);
  if (!r.ok) throw new AppError(r.code, r.message);
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
        ...evMetaOf(meta),
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
  return toDto(r.record, now, deps, null);
}

export async function submitPostal(
  ctx: Ctx,
  deps: SigninDeps,
  identifier: string,
  code: string,
  meta: RequestMeta,
) {
  const now = ctx.clock.now();
  const acc = await accountByIdentifier(ctx, identifier);
  if (!acc)
    throw new AppError(
      'POSTAL_CODE_WRONG',
      'Ce code ne correspond pas à celui de votre courrier. Vérifiez-le et réessayez.',
    );
  const r = await redeemPostalCode(deps.postalCodes, acc.id, code, now, deps.postal);
  const ev = evMetaOf(meta);
  if (!r.ok) {
    await ctx.db
      .transaction()
      .execute((trx) =>
        appendEvents(trx, [
          {
            ...ev,
            accountId: acc.id,
            at: now,
            type: 'postal_code_failed',
            method: 'postal_code',
            outcome: 'failure',
            details: { reason: r.code },
          },
        ]),
      );
    throw new AppError(r.code, r.message);
  }
  await ctx.db
    .transaction()
    .execute((trx) =>
      appendEvents(trx, [
        {
          ...ev,
          accountId: acc.id,
          at: now,
          type: 'postal_code_verified',
          method: 'postal_code',
          outcome: 'success',
          details: { reference: r.reference },
        },
      ]),
    );
  return issueTicket(ctx, deps, acc.id, 'postal_code', meta);
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
  const personal = [acc.identifier ?? '', ...acc.display_name.split(/\s+/), acc.email.split('@')[0] ?? ''];
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
    await trx
      .updateTable('passwords')
      .set({ current: false })
      .where('account_id', '=', acc.id)
      .where('current', '=', true)
      .execute();
    await trx
      .insertInto('passwords')
      .values({
        account_id: acc.id,
        hash: newHash,
        created_at: now,
        expires_at: passwordExpiry(now),
        current: true,
      })
      .execute();
    await trx
      .updateTable('sessions')
      .set({ revoked_at: now, end_reason: 'password_changed' })
      .where('account_id', '=', acc.id)
      .where('revoked_at', 'is', null)
      .execute();
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
