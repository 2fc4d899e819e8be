/**
 * The security key: recorded from a session with a fresh proof, and checked on the unblock path. Wrong tries are
 * throttled per source and per identifier and never after the user's own report; the answer is the same for every
 * identifier. A right key gives an unblock ticket (./tickets.ts).
 */
import { hash } from '@node-rs/argon2';
import { type ThrottlePolicy } from '../../domain/policy';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { sha256 } from '../crypto';
import { appendEvents } from '../events/chain';
import { enqueueMails } from '../mail/outbox';
import { securityKeySetMail } from '../mail/templates';
import { type PasswordHasher } from '../auth/passwords';
import { identifierKey, reserveAttempt } from '../auth/throttle';
import type { RequestMeta } from '../http/meta';
import type { AuthInfo } from '../sessions/sessions';
import { canonicalAnswers, setSecurityKey, verifySecurityKey } from './security-key';
import { accountByIdentifier, accountQuery } from '../accounts/lookup';
import { evMetaOf, refusalMeta } from '../auth/event-meta';
import type { SigninDeps } from '../auth/deps';
import { securityLog } from '../auth/security-log';
import { padToFloor, UNBLOCK_FLOOR_FACTOR } from '../auth/floor';
import { issueTicket } from './tickets';
import { checkCurrentPassword } from '../auth/password-change';

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
    const refused = await checkCurrentPassword(
      ctx,
      hasher,
      auth,
      current?.hash ?? null,
      input.currentPassword,
      now,
    );
    if (refused) {
      await ctx.db.transaction().execute((trx) =>
        appendEvents(trx, [
          {
            ...evMetaOf(meta, auth.workstationLabel),
            accountId,
            at: now,
            type: 'security_key_set_failed',
            method: 'password',
            outcome: 'failure',
            details: { reason: refused },
          },
        ]),
      );
      await padToFloor(started, floorMs);
      throw new AppError('INVALID_CREDENTIALS', 'Mot de passe actuel incorrect.');
    }
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
    await padToFloor(started, floorMs * UNBLOCK_FLOOR_FACTOR);
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
  const keyFailed = (reason: string) =>
    ctx.db.transaction().execute((trx) =>
      appendEvents(trx, [
        {
          ...ev,
          accountId: acc.id,
          at: now,
          type: 'security_key_failed',
          method: 'security_key',
          outcome: 'failure',
          details: { reason },
        },
      ]),
    );
  if (!r.ok) {
    if (
      r.code === 'SECURITY_KEY_WRONG' ||
      r.code === 'SECURITY_KEY_LOCKED' ||
      r.code === 'SECURITY_KEY_NOT_ALLOWED'
    ) {
      await keyFailed(r.code);
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
    await keyFailed('SECURITY_KEY_NOT_ALLOWED');
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
