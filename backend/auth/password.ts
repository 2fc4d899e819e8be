/**
 * Password sign-in. No user enumeration: an unknown identifier, a wrong password and a throttled attempt
 * get the same answer, run the same argon2id verification (against a dummy hash when there is no account)
 * and are padded to the same minimum duration.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { SignInResponse } from '../../domain/backend-api';
import { PASSWORD_HISTORY, throttleDelayMs, type ThrottlePolicy } from '../../domain/policy';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { sha256 } from '../crypto';
import { prepared, type Db } from '../db/connect';
import { appendEvents } from '../events/chain';
import { enqueueMails } from '../mail/outbox';
import { passwordChangedMail, signInMail } from '../mail/templates';
import type { PasswordHasher, StrengthReport } from './passwords';
import { passwordStrength } from './passwords';
import { createSession, signInResponse, type AuthInfo } from '../sessions/sessions';
import { fastSignIn } from './password-fast';
import {
  BLOCK_EXPLANATION_INACTIVITY,
  blockAccounts,
  deadlines,
  replacePassword,
  unblockPaths,
} from '../accounts/accounts';
import type { RequestMeta } from '../http/meta';
import { checkWorkstationProof, recordWorkstationSeen } from '../workstations/workstations';
import { securityLog as securityLogWrite } from './security-log';
import { reserveAttempt } from './throttle';

export class BlockedError extends AppError {
  constructor(
    readonly reason: 'inactivity' | 'suspicious',
    readonly explanation: string,
    readonly paths: ReturnType<typeof unblockPaths>,
  ) {
    super(
      reason === 'inactivity' ? 'ACCOUNT_BLOCKED_INACTIVITY' : 'ACCOUNT_BLOCKED_SUSPICIOUS',
      reason === 'inactivity'
        ? 'Votre compte, non utilisé depuis plus de 6 mois, est bloqué.'
        : 'Votre compte, considéré comme suspect, est bloqué.',
    );
  }
}

export class PasswordPolicyError extends AppError {
  constructor(readonly problems: string[]) {
    super('PASSWORD_POLICY', 'Ce mot de passe ne respecte pas les règles de sécurité.');
  }
}

const INVALID = () =>
  new AppError(
    'INVALID_CREDENTIALS',
    'Identifiant ou mot de passe incorrect. Après plusieurs essais, les tentatives sont ralenties : patientez quelques minutes.',
  );

/** The hash that names an identifier in throttle keys and the security log (never the identifier itself). */
export const identifierKey = (identifier: string) => `id:${sha256(identifier.trim().toLowerCase())}`;
export const ipKey = (ip: string | null) => `ip:${ip ?? 'unknown'}`;
/**
 * The throttle counter of one identifier from one source. A registered workstation that proved the request is a
 * source by itself (nobody else can send under its id); any other request is a source by workstation id and
 * address together. A stranger's failures fill the stranger's counters only.
 */
export const sourceKey = (identifier: string, workstationId: string, ip: string | null) =>
  `${identifierKey(identifier)}:src:${sha256(`${workstationId}|${ip ?? 'unknown'}`)}`;
export const provenWorkstationKey = (identifier: string, workstationId: string) =>
  `${identifierKey(identifier)}:ws:${workstationId}`;

/**
 * Whether a throttle row (`t`) refuses an attempt at `now`, as SQL. The delays come from the domain policy
 * (`throttleDelayMs` for 0…lockAfter failures, as a table the statement indexes), so the rule stays in one
 * place; a test checks this expression against `isThrottled` (auth.int.test.ts).
 */
export function throttledSql(t: string, now: Date, p: ThrottlePolicy) {
  const delays = Array.from({ length: p.lockAfter + 1 }, (_, f) => throttleDelayMs(f, p));
  const row = sql.ref(t);
  const eff = sql`(case when ${row}.last_failure_at is null or ${now}::timestamptz - ${row}.last_failure_at >= ${p.resetAfterMs}::float8 * interval '1 millisecond' then 0 else ${row}.failures end)`;
  return {
    effective: eff,
    throttled: sql<boolean>`(${eff} > 0 and ${row}.last_failure_at + (${delays}::float8[])[least(${eff}, ${p.lockAfter}) + 1] * interval '1 millisecond' > ${now}::timestamptz)`,
  };
}

async function countFailure(db: Db, key: string, now: Date, p: ThrottlePolicy) {
  const reset = new Date(now.getTime() - p.resetAfterMs);
  await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, last_failure_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('login_throttle.last_failure_at', '<', reset)
          .then(1)
          .else(eb('login_throttle.failures', '+', 1))
          .end(),
        last_failure_at: now,
      })),
    )
    .execute();
}

interface LookupRow {
  /** IP or source throttled: the password is not checked. */
  throttled: boolean;
  /** The counter this attempt was reserved on (null when none was: address throttled, or proof missing). */
  throttle_key: string | null;
  /**
   * A familiar source: a registered workstation that proved the request and on which this account already signed
   * in (an open or recent session, or its last activity). Its failures are evidence (nobody else can send them);
   * the address throttle does not apply to it.
   */
  familiar: boolean;
  id: string | null;
  display_name: string;
  email: string;
  created_at: Date;
  kind: 'holder' | 'card_delegate' | 'password_delegate';
  pharmacy_id: string;
  hash: string | null;
  expires_at: Date | null;
  pharmacy_name: string;
  finess: string;
  delegated: boolean;
  /** A registered workstation keeps its registered label; the header cannot rename it. */
  ws_registered_label: string | null;
  ws_public_key: string | null;
}

export interface SignInOptions {
  hasher: PasswordHasher;
  /** Every refusal takes at least this long (equal timing for all refusals). */
  failureFloorMs: number;
  /** Rules to run on a failed attempt on an existing account (e.g. the failure flood), inside the equal-timing window. */
  afterFailure?: (accountId: string) => Promise<unknown>;
}

export async function signInWithPassword(
  ctx: Ctx,
  opts: SignInOptions,
  input: { identifier: string; password: string },
  requestMeta: RequestMeta,
): Promise<SignInResponse> {
  const started = performance.now();
  const now = ctx.clock.now();
  const workstationId = requestMeta.workstationId;
  if (!workstationId) throw new AppError('INVALID_REQUEST', 'En-tête x-vigie-workstation manquant.');
  let meta: RequestMeta & { workstationId: string } = { ...requestMeta, workstationId };
  const identifier = input.identifier.trim();
  const idHash = identifierKey(identifier);
  const srcKey = sourceKey(identifier, workstationId, meta.ip);
  const wsKey = provenWorkstationKey(identifier, workstationId);
  const ipK = ipKey(meta.ip);
  // One round trip: the address throttle verdict, the account with all that a sign-in needs, and the reservation
  // of this attempt on the counter of its source (this identifier from this workstation and address, or from this
  // proven workstation) before the password is checked. The reservation is one upsert: parallel guesses from one
  // source queue on its row, each sees the attempts before it, and no more than the policy allows get a password
  // check; a throttled attempt is not counted. Not reserved when the address is throttled (a familiar workstation
  // is not held back by its address). A successful sign-in deletes the key afterwards. (The outer one-row VALUES
  // keeps the row when there is no such account.)
  //
  // A registered workstation proves the request with its key, before anything counts against the identifier: a
  // request with a proof is checked first (one more query, only for workstations that sign); one without a proof
  // reserves nothing when the workstation turns out to be registered, and is refused below.
  if (meta.proof) {
    const w = await ctx.db
      .selectFrom('workstations')
      .select('public_key')
      .where('id', '=', workstationId)
      .executeTakeFirst();
    checkWorkstationProof(w?.public_key ?? null, workstationId, meta, now);
  }
  const proven = meta.proof != null;
  const ipT = throttledSql('ip', now, ctx.config.ipThrottle);
  const idT = throttledSql('t', now, ctx.config.accountThrottle);
  const row = (
    await sql<LookupRow>`${prepared('signin-lookup')}
      with src as (
        select
          ${proven}::boolean and reg.registered as proven,
          ${proven}::boolean and reg.registered and exists (
            select 1 from accounts a0 where a0.identifier = ${identifier}
              and (a0.last_activity_workstation_id = ${workstationId}
                or exists (select 1 from sessions s where s.workstation_id = ${workstationId} and s.account_id = a0.id))
          ) as familiar,
          reg.registered
        from (select exists (select 1 from workstations w where w.id = ${workstationId} and w.public_key is not null) as registered) reg
      ), ipv as (
        select not src.familiar and coalesce((select ${ipT.throttled} from login_throttle ip where ip.key = ${ipK}), false) as throttled from src
      ), r as (
        insert into login_throttle as t (key, failures, last_failure_at, last_throttled)
        select case when src.proven then ${wsKey}::text else ${srcKey}::text end, 1, ${now}::timestamptz, false from ipv, src
        where not ipv.throttled and (src.proven or not src.registered)
        on conflict (key) do update set
          failures = case when ${idT.throttled} then t.failures else ${idT.effective} + 1 end,
          last_failure_at = case when ${idT.throttled} then t.last_failure_at else ${now}::timestamptz end,
          last_throttled = ${idT.throttled}
        returning key, last_throttled
      )
      select
        coalesce((select last_throttled from r), true) as throttled,
        (select key from r) as throttle_key,
        (select familiar from src) as familiar,
        a.id, a.display_name, a.email, a.created_at, a.kind, a.pharmacy_id, p.hash, p.expires_at,
        ph.name as pharmacy_name, ph.finess,
        exists (select 1 from delegations d where d.delegate_account_id = a.id and d.revoked_at is null) as delegated,
        (select w.label from workstations w where w.id = ${workstationId} and w.public_key is not null) as ws_registered_label,
        (select w.public_key from workstations w where w.id = ${workstationId}) as ws_public_key
      from (values (1)) as one (x)
      left join accounts a on a.identifier = ${identifier}
      left join pharmacies ph on ph.id = a.pharmacy_id
      left join passwords p on p.account_id = a.id and p.current
    `.execute(ctx.db)
  ).rows[0]!;
  const account = row.id ? (row as LookupRow & { id: string }) : undefined;
  const throttled = row.throttled;
  if (row.ws_registered_label) meta = { ...meta, workstationLabel: row.ws_registered_label };
  if (!meta.proof) checkWorkstationProof(row.ws_public_key, workstationId, meta, now);
  const valid = await opts.hasher.verify(account?.hash ?? null, input.password);

  if (!account || !account.hash || !valid || throttled) {
    if (!throttled && !row.familiar) await countFailure(ctx.db, ipK, now, ctx.config.ipThrottle);
    if (throttled) {
      // Refused unchecked: says nothing about the account, whoever sent it. The security log only.
      await securityLogWrite(ctx, meta, now, {
        kind: 'password_throttled',
        method: 'password',
        subject: idHash,
        accountId: account?.id ?? null,
      });
    } else if (account) {
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
    const elapsed = performance.now() - started;
    if (elapsed < opts.failureFloorMs) await sleep(opts.failureFloorMs - elapsed);
    throw INVALID();
  }

  // The password is right. A database failure from here on (a restart, a failover) answers 503: the attempt
  // reserved above must not count as a failure, or a few retries during an outage would throttle the right
  // password (the reservation is given back as soon as the database answers again).
  const reserved = row.throttle_key ?? srcKey;
  try {
    return await openPasswordSession(ctx, account, meta, now, reserved);
  } catch (e) {
    if (!(e instanceof AppError)) releaseReservation(ctx, reserved);
    throw e;
  }
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

async function openPasswordSession(
  ctx: Ctx,
  account: LookupRow & { id: string },
  meta: RequestMeta & { workstationId: string },
  now: Date,
  idKey: string,
): Promise<SignInResponse> {
  // Common case in one statement; anything unusual takes the general path below.
  const expiredNow = account.expires_at !== null && account.expires_at.getTime() <= now.getTime();
  if (!expiredNow && (account.kind === 'holder' || account.delegated)) {
    const label = meta.workstationLabel;
    const fast = await fastSignIn(ctx.db, {
      accountId: account.id,
      pharmacyId: account.pharmacy_id,
      now,
      meta: { ...meta, workstationId: meta.workstationId },
      deadlines: deadlines(now, account.created_at, now, ctx.config),
      mail: {
        ...signInMail({ name: account.display_name, at: now, method: 'password', workstationLabel: label }),
        to: account.email,
      },
      throttleKey: idKey,
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

  // General path: workstation first (a revoked workstation changes nothing on the account).
  const ws = await recordWorkstationSeen(ctx.db, meta.workstationId, meta.workstationLabel, now);
  if (ws.revoked_at) throw new AppError('WORKSTATION_REVOKED', 'Ce poste a été retiré.');
  await ctx.db.deleteFrom('login_throttle').where('key', '=', idKey).execute();
  if (account.kind !== 'holder' && !account.delegated) {
    throw new AppError('FORBIDDEN', "Votre délégation d'accès a été révoquée par le titulaire du compte.");
  }

  const evMeta = {
    workstationId: meta.workstationId,
    workstationLabel: ws.label,
    ip: meta.ip,
    appVersion: meta.appVersion,
  };
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    // Fast path, one statement: lock the row and restart the activity clock, only if the account is active
    // and its block date has not passed.
    const activated = await trx
      .updateTable('accounts')
      .set({
        last_activity_at: now,
        last_activity_method: 'password',
        last_activity_workstation_id: meta.workstationId,
        ...deadlines(now, account.created_at, now, ctx.config),
      })
      .where('id', '=', account.id)
      .where('state', '=', 'active')
      .where('block_due_at', '>', now)
      .returning('id')
      .executeTakeFirst();
    if (!activated) {
      const acc = await trx
        .selectFrom('accounts')
        .select([
          'id',
          'state',
          'block_reason',
          'block_explanation',
          'block_due_at',
          'display_name',
          'email',
          'kind',
        ])
        .where('id', '=', account.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      let reason = acc.block_reason;
      let explanation = acc.block_explanation;
      // Blocking happens here too, so no one signs in past the date even if the sweep is late.
      if (acc.state === 'active') {
        await blockAccounts(trx, [acc], 'inactivity', BLOCK_EXPLANATION_INACTIVITY, now);
        reason = 'inactivity';
        explanation = BLOCK_EXPLANATION_INACTIVITY;
      }
      await appendEvents(trx, [
        {
          ...evMeta,
          accountId: acc.id,
          at: now,
          type: 'sign_in_refused_blocked',
          method: 'password',
          outcome: 'failure',
          details: { reason: reason ?? 'inactivity' },
        },
      ]);
      return {
        blocked: new BlockedError(reason ?? 'inactivity', explanation ?? '', unblockPaths(acc.kind)),
      } as const;
    }
    const expired = account.expires_at !== null && account.expires_at.getTime() <= now.getTime();
    const { token, session } = await createSession(
      trx,
      {
        accountId: account.id,
        workstationId: meta.workstationId!,
        method: 'password',
        scope: expired ? 'password_change' : 'full',
        meta,
      },
      now,
    );
    await appendEvents(trx, [
      ...(expired
        ? [
            {
              ...evMeta,
              accountId: account.id,
              at: now,
              type: 'password_expired' as const,
              method: 'password' as const,
              outcome: 'info' as const,
            },
          ]
        : []),
      {
        ...evMeta,
        accountId: account.id,
        at: now,
        type: 'sign_in',
        method: 'password',
        outcome: 'success',
        details: { sessionId: session.id },
      },
    ]);
    await enqueueMails(trx, now, [
      {
        ...signInMail({
          name: account.display_name,
          at: now,
          method: 'password',
          workstationLabel: ws.label,
        }),
        accountId: account.id,
        to: account.email,
      },
    ]);
    return { token, session, expired } as const;
  });
  if ('blocked' in outcome) throw outcome.blocked;
  const s = outcome.session;
  return signInResponse(ctx, {
    token: outcome.token,
    sessionId: s.id,
    createdAt: s.created_at,
    lastSeenAt: s.last_seen_at,
    passwordChangeRequired: outcome.expired,
    account,
  });
}

export function checkPassword(ctx: Ctx, password: string, personal: string[]): Promise<StrengthReport> {
  return passwordStrength(ctx.strength, password, personal, ctx.config.minPasswordScore);
}

/** Changes the password: current one checked, CNIL rules + strength, none of the last 12 reused. */
export async function changePassword(
  ctx: Ctx,
  hasher: PasswordHasher,
  auth: AuthInfo,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
  failureFloorMs = 0,
): Promise<void> {
  const started = performance.now();
  const now = ctx.clock.now();
  const history = await ctx.db
    .selectFrom('passwords')
    .select(['hash', 'current'])
    .where('account_id', '=', auth.accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(PASSWORD_HISTORY)
    .execute();
  const current = history.find((h) => h.current);
  if (!current) throw new AppError('FORBIDDEN', "Ce compte n'a pas de mot de passe.");
  const evMeta = {
    workstationId: meta.workstationId,
    workstationLabel: auth.workstationLabel,
    ip: meta.ip,
    appVersion: meta.appVersion,
  };
  // Guessing the current password from a session: the same throttle (per identifier) and floor as the sign-in.
  const key = `chg:${identifierKey(auth.identifier ?? auth.accountId)}`;
  const throttled = await reserveAttempt(ctx.db, key, now, ctx.config.accountThrottle);
  if (throttled || !(await hasher.verify(current.hash, input.currentPassword))) {
    await ctx.db.transaction().execute((trx) =>
      appendEvents(trx, [
        {
          ...evMeta,
          accountId: auth.accountId,
          at: now,
          type: 'password_change_failed',
          method: 'password',
          outcome: 'failure',
          details: { reason: throttled ? 'throttled' : 'wrong_password' },
        },
      ]),
    );
    const elapsed = performance.now() - started;
    if (elapsed < failureFloorMs) await sleep(failureFloorMs - elapsed);
    throw INVALID();
  }
  await ctx.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  const personal = [auth.identifier ?? '', ...auth.displayName.split(/\s+/), auth.email.split('@')[0] ?? ''];
  const report = await passwordStrength(
    ctx.strength,
    input.newPassword,
    personal,
    ctx.config.minPasswordScore,
  );
  if (!report.acceptable) throw new PasswordPolicyError(report.problems);
  for (const h of history) {
    if (await hasher.verify(h.hash, input.newPassword)) {
      throw new AppError(
        'PASSWORD_REUSED',
        `Ce mot de passe a déjà été utilisé : choisissez-en un autre que les ${PASSWORD_HISTORY} derniers.`,
      );
    }
  }
  const newHash = await hasher.hash(input.newPassword);
  await ctx.db.transaction().execute(async (trx) => {
    // The other sessions end; this one continues with full rights.
    await replacePassword(trx, auth.accountId, newHash, now, auth.sessionId);
    await trx.updateTable('sessions').set({ scope: 'full' }).where('id', '=', auth.sessionId).execute();
    await appendEvents(trx, [
      {
        ...evMeta,
        accountId: auth.accountId,
        at: now,
        type: 'password_changed',
        method: 'password',
        outcome: 'success',
      },
    ]);
    await enqueueMails(trx, now, [
      {
        ...passwordChangedMail({ name: auth.displayName, at: now, workstationLabel: auth.workstationLabel }),
        accountId: auth.accountId,
        to: auth.email,
      },
    ]);
  });
}
