/**
 * Password sign-in. No user enumeration: an unknown identifier, a wrong password and a throttled attempt
 * get the same answer, run the same argon2id verification (against a dummy hash when there is no account)
 * and are padded to the same minimum duration.
 */
import { sql } from 'kysely';
import type { PasswordSignInResponse, SignInResponse } from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import { deadlines } from '../accounts/accounts';
import type { Ctx } from '../context';
import { newToken } from '../crypto';
import { appendEvents } from '../events/chain';
import type { RequestMeta } from '../http/meta';
import { signInMail } from '../mail/templates';
import { signInResponse } from '../sessions/sessions';
import { checkSignInProof, checkWorkstationProof } from '../workstations/proofs';
import { recordWorkstationSeen } from '../workstations/workstations';
import { invalidCredentials } from './errors';
import { graceDto, startGrace, type Grace } from './factors/grace';
import { openStep, secondStepOf, STEP_TTL_MS } from './factors/step-store';
import { padToFloor } from './floor';
import { refuseBlocked } from './refuse-blocked';
import { fastSignIn, fastStepQuery } from './password-fast';
import { openPasswordSession } from './password-session';
import { signInLookupQuery, type LookupRow } from './password-lookup';
import type { PasswordHasher } from './passwords';
import { securityLog } from './security-log';
import { countFailure, identifierKey, ipKey, sourceKey } from './throttle';

export interface SignInOptions {
  hasher: PasswordHasher;
  /** Every refusal takes at least this long (equal timing for all refusals). */
  failureFloorMs: number;
  /** Rules to run on a failed attempt on an existing account (e.g. the failure flood), inside the equal-timing window. */
  afterFailure?: (accountId: string) => Promise<unknown>;
}

type Found = LookupRow & { id: string };
type WsMeta = RequestMeta & { workstationId: string };

export async function signInWithPassword(
  ctx: Ctx,
  opts: SignInOptions,
  input: { identifier: string; password: string },
  requestMeta: RequestMeta,
): Promise<PasswordSignInResponse> {
  const started = performance.now();
  const now = ctx.clock.now();
  const workstationId = requestMeta.workstationId;
  if (!workstationId) throw new AppError('INVALID_REQUEST', 'En-tête x-vigie-workstation manquant.');
  const identifier = input.identifier.trim();
  // A registered workstation proves the request with its key, before anything counts against the identifier: a
  // request with a proof is checked first (against the registered key, read once per instance); one without a proof
  // reserves nothing when the workstation turns out to be registered, and is refused after the lookup.
  if (requestMeta.proof) await checkSignInProof(ctx.db, workstationId, requestMeta, now);
  const lookup = { identifier, workstationId, ip: requestMeta.ip, proven: requestMeta.proof != null, now };
  const row = (await signInLookupQuery(lookup, ctx.config).execute(ctx.db)).rows[0]!;
  const meta: WsMeta = {
    ...requestMeta,
    workstationId,
    workstationLabel: row.ws_registered_label || requestMeta.workstationLabel,
  };
  if (!requestMeta.proof) checkWorkstationProof(row.ws_public_key, workstationId, meta, now);

  const account = row.id ? (row as Found) : undefined;
  const valid = await opts.hasher.verify(account?.hash ?? null, input.password);
  if (!account || !account.hash || !valid || row.throttled) {
    await recordRefusal(ctx, opts, row, account, identifier, meta, now);
    await padToFloor(started, opts.failureFloorMs);
    throw invalidCredentials();
  }

  // The password is right. A database failure from here on (a restart, a failover) answers 503: the attempt
  // reserved above must not count as a failure, or a few retries during an outage would throttle the right
  // password (the reservation is given back as soon as the database answers again).
  const reserved = row.throttle_key ?? sourceKey(identifier, workstationId, meta.ip);
  try {
    return await afterRightPassword(ctx, account, meta, now, reserved);
  } catch (e) {
    if (!(e instanceof AppError)) releaseReservation(ctx, reserved);
    throw e;
  }
}

/**
 * Where a refused attempt is written. Throttled (never checked): the security log only, since it says nothing
 * about the account. Checked and wrong: the account's events, and, from a familiar workstation only, the
 * failure rules. The address counts the failure unless it was throttled or came from a familiar workstation.
 */
async function recordRefusal(
  ctx: Ctx,
  opts: SignInOptions,
  row: LookupRow,
  account: Found | undefined,
  identifier: string,
  meta: WsMeta,
  now: Date,
) {
  if (!row.throttled && !row.familiar) await countFailure(ctx.db, ipKey(meta.ip), now, ctx.config.ipThrottle);
  if (row.throttled) {
    await securityLog(ctx, meta, now, {
      kind: 'password_throttled',
      method: 'password',
      subject: identifierKey(identifier),
      accountId: account?.id ?? null,
    });
    return;
  }
  if (!account) return;
  await ctx.db.transaction().execute((trx) =>
    appendEvents(trx, [
      {
        accountId: account.id,
        at: now,
        type: 'sign_in_failed',
        method: 'password',
        outcome: 'failure',
        workstationId: meta.workstationId,
        // A refusal never carries a label the client chose.
        workstationLabel: row.ws_registered_label ?? 'poste inconnu',
        ip: meta.ip,
        appVersion: meta.appVersion,
        details: { reason: 'wrong_password', source: row.familiar ? 'familiar' : 'unfamiliar' },
      },
    ]),
  );
  // Only a familiar workstation's failures are evidence against the account (the failure-flood rule).
  if (row.familiar)
    await opts
      .afterFailure?.(account.id)
      .catch((err: unknown) => ctx.log.error({ err }, 'failure rule failed'));
}

/** Gives back an attempt reserved for a sign-in that failed for a server reason; retried until the database answers. */
function releaseReservation(ctx: Ctx, key: string, tries = 0) {
  void ctx.db
    .updateTable('login_throttle')
    .set((eb) => ({ failures: sql<number>`greatest(${eb.ref('failures')} - 1, 0)` }))
    .where('key', '=', key)
    .execute()
    .catch(() => {
      if (tries < 80)
        setTimeout(() => releaseReservation(ctx, key, tries + 1), Math.min(100 * 2 ** tries, 2000)).unref();
      else ctx.log.warn('a reserved sign-in attempt could not be given back');
    });
}

/**
 * The right password. An account with a second factor, or whose pharmacy's grace period is over, goes on to a second
 * step (auth/factors/second-step.ts). Otherwise (the grace period, started by the first such sign-in) the session
 * opens: the common case in one statement, anything unusual on the general path.
 */
async function afterRightPassword(
  ctx: Ctx,
  account: Found,
  meta: WsMeta,
  now: Date,
  throttleKey: string,
): Promise<PasswordSignInResponse> {
  const expired = account.expires_at !== null && account.expires_at.getTime() <= now.getTime();
  const graceOver = account.factor_grace_ends_at !== null && account.factor_grace_ends_at <= now;
  if (account.factor_kind !== null || graceOver)
    return openFactorStep(ctx, account, meta, now, throttleKey, expired);
  const grace: Grace = account.factor_grace_ends_at
    ? { endsAt: account.factor_grace_ends_at, extended: account.factor_grace_extended }
    : await startGrace(ctx.db, account.pharmacy_id, now);
  const session = await openSessionWithoutFactor(ctx, account, meta, now, throttleKey, expired);
  return { ...session, factorGrace: graceDto(grace) };
}

async function openSessionWithoutFactor(
  ctx: Ctx,
  account: Found,
  meta: WsMeta,
  now: Date,
  throttleKey: string,
  expired: boolean,
): Promise<SignInResponse> {
  if (!expired && (account.kind === 'holder' || account.delegated)) {
    const fast = await fastSignIn(ctx.db, {
      accountId: account.id,
      pharmacyId: account.pharmacy_id,
      now,
      meta,
      deadlines: deadlines(now, account.created_at, now, ctx.config),
      mail: {
        ...signInMail({
          name: account.display_name,
          at: now,
          method: 'password',
          workstationLabel: meta.workstationLabel,
          factor: 'none',
        }),
        to: account.email,
      },
      throttleKey,
    });
    if (fast.ok) {
      return signInResponse(ctx, {
        token: fast.token,
        sessionId: fast.sessionId,
        createdAt: now,
        lastSeenAt: now,
        passwordChangeRequired: false,
        account,
      });
    }
    if (fast.workstationRevoked) throw new AppError('WORKSTATION_REVOKED', 'Ce poste a été retiré.');
  }
  return openSessionGeneralPath(ctx, account, meta, now, throttleKey, expired);
}

/**
 * What a right password passes before a session or a second step: the workstation (a revoked one changes nothing on
 * the account), the source's throttle cleared, a delegate's delegation still there. Returns the events' metadata.
 */
async function admit(ctx: Ctx, account: Found, meta: WsMeta, now: Date, throttleKey: string) {
  const ws = await recordWorkstationSeen(ctx.db, meta.workstationId, meta.workstationLabel, now);
  if (ws.revoked_at) throw new AppError('WORKSTATION_REVOKED', 'Ce poste a été retiré.');
  await ctx.db.deleteFrom('login_throttle').where('key', '=', throttleKey).execute();
  if (account.kind !== 'holder' && !account.delegated) {
    throw new AppError('FORBIDDEN', "Votre délégation d'accès a été révoquée par le titulaire du compte.");
  }
  const evMeta = {
    workstationId: meta.workstationId,
    workstationLabel: ws.label,
    ip: meta.ip,
    appVersion: meta.appVersion,
  };
  return evMeta;
}

/**
 * The right password on an account that needs its second factor: the same checks as a sign-in (workstation not
 * revoked, delegation still there, account active and before its block date), then a second step instead of a session.
 * The activity clock moves only when the second step succeeds.
 */
async function openFactorStep(
  ctx: Ctx,
  account: Found,
  meta: WsMeta,
  now: Date,
  throttleKey: string,
  expired: boolean,
): Promise<PasswordSignInResponse> {
  const purpose = account.factor_kind ? 'verify' : 'enrol';
  if (account.kind === 'holder' || account.delegated) {
    // The common case in one statement (password-fast.ts).
    const ticket = newToken();
    const expiresAt = new Date(now.getTime() + STEP_TTL_MS);
    const fast = (
      await fastStepQuery({
        accountId: account.id,
        now,
        meta,
        ticket,
        purpose,
        passwordChange: expired,
        expiresAt,
        throttleKey,
      }).execute(ctx.db)
    ).rows[0];
    if (fast?.ws_revoked) throw new AppError('WORKSTATION_REVOKED', 'Ce poste a été retiré.');
    if (Number(fast?.opened) === 1)
      return {
        secondStep: secondStepOf(ticket, expiresAt, {
          purpose,
          factorKind: account.factor_kind,
          email: account.email,
        }),
      };
  }
  const evMeta = await admit(ctx, account, meta, now, throttleKey);
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const live = await trx
      .selectFrom('accounts')
      .select('id')
      .where('id', '=', account.id)
      .where('state', '=', 'active')
      .where('block_due_at', '>', now)
      .executeTakeFirst();
    if (!live) return { blocked: await refuseBlocked(trx, account.id, evMeta, now) } as const;
    const secondStep = await openStep(
      trx,
      {
        accountId: account.id,
        email: account.email,
        workstationId: meta.workstationId,
        purpose,
        factorKind: account.factor_kind,
        passwordChange: expired,
      },
      now,
    );
    return { secondStep } as const;
  });
  if ('blocked' in outcome) throw outcome.blocked;
  return outcome;
}

/**
 * Workstation first (a revoked workstation changes nothing on the account), then the session as every password
 * sign-in opens it (password-session.ts); a password that expired opens a password-change session only.
 */
async function openSessionGeneralPath(
  ctx: Ctx,
  account: Found,
  meta: WsMeta,
  now: Date,
  throttleKey: string,
  expired: boolean,
): Promise<SignInResponse> {
  const evMeta = await admit(ctx, account, meta, now, throttleKey);
  return openPasswordSession(
    ctx,
    {
      account,
      meta,
      evMeta,
      passwordChange: expired,
      factor: 'none',
      ...(expired ? { notice: 'password_expired' as const } : {}),
    },
    now,
  );
}
