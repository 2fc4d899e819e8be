/**
 * The temporary code sent by postal mail: the request (letter PDF in the outbox, an e-mail that says a code was
 * requested, never the code), the letter's state for the request's handle, and the code typed back, which gives an
 * unblock ticket (./tickets.ts). Unknown identifiers get the same answers as known ones.
 */
import { hash } from '@node-rs/argon2';
import type { z } from 'zod';
import type { PostalStateResponseSchema } from '../../domain/backend-api';
import { postalState } from '../../domain/policy/unblock';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { newToken, sha256 } from '../crypto';
import { appendEvents } from '../events/chain';
import { enqueueMails } from '../mail/outbox';
import { postalCodeRequestedMail } from '../mail/templates';
import type { RequestMeta } from '../http/meta';
import { recordCodeRefusal, reserveCodeAttempt } from './code-attempts';
import { renderLetterPdf, writeLetterToOutbox } from './letter';
import {
  generatePostalCode,
  newLetterReference,
  postalProgress,
  redeemPostalCode,
  requestPostalCode,
  type PostalCodeRecord,
} from './postal-code';
import { accountByIdentifier, type AccountRow } from '../accounts/lookup';
import { evMetaOf } from '../auth/event-meta';
import type { SigninDeps } from '../auth/deps';
import { padToFloor, UNBLOCK_FLOOR_FACTOR } from '../auth/floor';
import { issueTicket } from './tickets';

type PostalDto = z.input<typeof PostalStateResponseSchema>;

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
  // No letter goes out: the same code hashing and letter drawing as one that does, so that the time of the answer
  // does not say which.
  if (!sent) await draftLetter(now, deps);
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
  await padToFloor(started, floorMs * UNBLOCK_FLOOR_FACTOR);
  return { ...fakeRequested(now, now, deps, reference), handle };
}

/** The work of a letter, thrown away: a code hashed and a letter drawn, nothing stored or sent. */
async function draftLetter(now: Date, deps: SigninDeps): Promise<void> {
  const code = generatePostalCode();
  await hash(code);
  await renderLetterPdf({
    reference: newLetterReference(),
    pharmacy: { name: 'Pharmacie', addressLines: ['1 rue de la Paix', '75002 Paris'] },
    recipientName: 'Titulaire',
    accountId: '00000000-0000-0000-0000-000000000000',
    code,
    requestedAt: now,
    expiresAt: new Date(now.getTime() + deps.postal.validityDays * 86_400_000),
  });
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
    await padToFloor(started, floorMs * UNBLOCK_FLOOR_FACTOR);
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
