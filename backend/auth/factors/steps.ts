/**
 * The second step of a password sign-in, and enrolment. A right password on an account that has a factor (or must
 * enrol one) opens a *step*, named by a single-use ticket (256 bits, only its SHA-256 stored, bound to the
 * workstation, 15 minutes): neither a session nor a refusal.
 *
 * - verify: a TOTP code (each time step accepted once), the mailed code, or one of the recovery codes opens the
 *   session.
 * - enrol: a password alone never enrols. The code mailed to the dedicated address proves the mailbox; then either the
 *   authenticator app's first code (TOTP) or that mailed code itself (the e-mail factor) records the factor, and ten
 *   recovery codes are answered once.
 *
 * Every code attempt is reserved before it is checked, per source (workstation and address) and per account, under
 * the sign-in throttle; a throttled attempt is not checked. An unknown or spent ticket, a wrong code and a throttled
 * attempt get one answer, padded to the refusal floor. Wrong codes are written in the account's events (someone
 * holds the password) and never count toward a block.
 */
import { AppError } from '../../../domain/result';
import type { FactorKind, FactorMethod, SecondStep, SignInResponse } from '../../../domain/backend-api';
import { deadlines } from '../../accounts/accounts';
import type { Ctx } from '../../context';
import { randomUUID } from 'node:crypto';
import { newToken, sha256 } from '../../crypto';
import type { Db } from '../../db/connect';
import type { Database } from '../../db/schema';
import { appendEvents } from '../../events/chain';
import type { RequestMeta } from '../../http/meta';
import { enqueueMails } from '../../mail/outbox';
import { signInResponse } from '../../sessions/sessions';
import { checkWorkstationProof, provenByRegisteredWorkstation } from '../../workstations/proofs';
import { recordWorkstationSeen } from '../../workstations/workstations';
import { refusalMeta, requireWorkstation } from '../event-meta';
import { padToFloor } from '../floor';
import { openPasswordSession } from '../password-session';
import { securityLog } from '../security-log';
import { AWAY_CODE_THROTTLE, GENTLE_THROTTLE } from '../throttle';
import { sql, type Transaction } from 'kysely';
import {
  MAIL_CODE_MAX_TRIES,
  MAIL_CODE_RESEND_MS,
  MAIL_CODE_TTL_MS,
  RECOVERY_CODE_COUNT,
  mailCodeHash,
  maskedEmail,
  newMailCode,
  newRecoveryCode,
  recoveryCodeHash,
} from './codes';
import { factorCodeMail, factorEnrolledMail, signInMail } from '../../mail/templates';
import { fastTotpSignInQuery, stepAttemptQuery, type AttemptRow } from './steps-fast';
import { newTotpSecret, openSecret, sealSecret, totpStep, totpUri } from './secret';

export const STEP_TTL_MS = 15 * 60_000;

type Trx = Transaction<Database>;

/** Opens a step for an account whose password was just proven (or from a session, to enrol). */
export async function openStep(
  db: Db | Trx,
  p: {
    accountId: string;
    email: string;
    workstationId: string;
    purpose: 'verify' | 'enrol';
    factorKind: FactorKind | null;
    passwordChange?: boolean;
    fromSession?: boolean;
  },
  now: Date,
): Promise<SecondStep> {
  const ticket = newToken();
  const expiresAt = new Date(now.getTime() + STEP_TTL_MS);
  await db
    .insertInto('factor_steps')
    .values({
      ticket_hash: sha256(ticket),
      account_id: p.accountId,
      workstation_id: p.workstationId,
      purpose: p.purpose,
      password_change: p.passwordChange ?? false,
      from_session: p.fromSession ?? false,
      created_at: now,
      expires_at: expiresAt,
      mail_code_hash: null,
      mail_code_sent_at: null,
      mail_code_expires_at: null,
      mail_proven_at: null,
      pending_secret: null,
      done_at: null,
    })
    .execute();
  return secondStepOf(ticket, expiresAt, p);
}

/** What the workstation is told of a step it was given: its ticket, until when, the ways through and where mail goes. */
export function secondStepOf(
  ticket: string,
  expiresAt: Date,
  p: { purpose: 'verify' | 'enrol'; factorKind: FactorKind | null; email: string },
): SecondStep {
  const methods: FactorMethod[] =
    p.purpose === 'enrol' ? ['totp', 'email'] : [p.factorKind ?? 'email', 'recovery'];
  return {
    ticket,
    purpose: p.purpose,
    expiresAt: expiresAt.toISOString(),
    methods,
    mailTo: maskedEmail(p.email),
  };
}

const refused = () =>
  new AppError(
    'INVALID_CREDENTIALS',
    'Ce code ne convient pas, a expiré ou a déjà servi. Vérifiez-le, ou reprenez la connexion depuis le début.',
  );

type Step = AttemptRow & { id: string };
interface Attempt {
  throttled: boolean;
  /** The request came from a registered workstation and its proof was checked against the registered key. */
  home: boolean;
  keys: string[];
  shared: string | null;
}

interface StepRow {
  id: string;
  account_id: string;
  purpose: 'verify' | 'enrol';
  password_change: boolean;
  from_session: boolean;
  expires_at: Date;
  mail_code_hash: string | null;
  mail_code_sent_at: Date | null;
  mail_code_expires_at: Date | null;
  mail_code_tries: number;
  mail_proven_at: Date | null;
  pending_secret: string | null;
  email: string;
  display_name: string;
  factor_kind: FactorKind | null;
}

/** The live step a ticket names, from the workstation it was given to. */
async function liveStep(db: Db | Trx, ticket: string, workstationId: string, now: Date, lock = false) {
  let q = db
    .selectFrom('factor_steps as st')
    .innerJoin('accounts as a', 'a.id', 'st.account_id')
    .leftJoin('second_factors as f', 'f.account_id', 'st.account_id')
    .select([
      'st.id',
      'st.account_id',
      'st.purpose',
      'st.password_change',
      'st.from_session',
      'st.expires_at',
      'st.mail_code_hash',
      'st.mail_code_sent_at',
      'st.mail_code_expires_at',
      'st.mail_code_tries',
      'st.mail_proven_at',
      'st.pending_secret',
      'a.email',
      'a.display_name',
      'f.kind as factor_kind',
    ])
    .where('st.ticket_hash', '=', sha256(ticket))
    .where('st.workstation_id', '=', workstationId)
    .where('st.done_at', 'is', null)
    .where('st.expires_at', '>', now);
  if (lock) q = q.forUpdate('st');
  return (await q.executeTakeFirst()) as StepRow | undefined;
}

/**
 * The live step a ticket names (of the given purpose, from the workstation it was given to), and one code attempt
 * reserved before any check, in one statement (./steps-fast.ts); `throttled` when the code must not be checked. Per
 * source and per step under the sign-in throttle (3 free, then growing waits, a pause after 10), and per account in
 * two counters, as smart lockout does: from a registered workstation that proved the request (the pharmacy's own),
 * the gentle throttle (never more than a minute's wait); from anywhere else, one counter for all such places that
 * allows about one try an hour after 20 wrong codes in a day. Someone who holds the password, whatever the number of
 * his sources, gets a few dozen guesses a day and cannot keep the owner out of her own workstation. `keys` are the
 * counters a right code clears; the shared one (`shared`) only takes back the right code's own count: clearing it
 * would hand a stranger a fresh day of guesses at each of the owner's sign-ins (it forgets on its own after a quiet
 * day).
 */
async function beginAttempt(
  ctx: Ctx,
  meta: RequestMeta,
  ticket: string,
  purpose: 'verify' | 'enrol',
  now: Date,
): Promise<{ step: Step | undefined; attempt: Attempt }> {
  const workstationId = requireWorkstation(meta);
  const src = `2f:src:${sha256(`${workstationId}|${meta.ip ?? ''}`)}`;
  // a step is bound to the workstation it was opened on: the request names it (the statement checks it)
  const home = await provenByRegisteredWorkstation(ctx.db, workstationId, meta, now);
  const accountSuffix = home ? `:ws:${workstationId}` : ':away';
  const row = (
    await stepAttemptQuery(
      {
        ticket,
        workstationId,
        purpose,
        sourceKey: src,
        accountSuffix,
        accountPolicy: home ? GENTLE_THROTTLE : AWAY_CODE_THROTTLE,
        now,
      },
      ctx.config,
    ).execute(ctx.db)
  ).rows[0]!;
  const throttled = row.throttled === true;
  if (row.id === null) return { step: undefined, attempt: { throttled, home, keys: [src], shared: null } };
  const step = { ...row, id: row.id, last_step: row.last_step === null ? null : Number(row.last_step) };
  const strict = [src, `2f:step:${step.id}`];
  const account = `2f:acc:${step.account_id}${accountSuffix}`;
  return {
    step,
    attempt: home
      ? { throttled, home, keys: [...strict, account], shared: null }
      : { throttled, home, keys: strict, shared: account },
  };
}

/** After a right code: its counters cleared, and the shared one without the count this right code added. */
async function settle(db: Db, attempt: Attempt) {
  await db.deleteFrom('login_throttle').where('key', 'in', attempt.keys).execute();
  if (attempt.shared)
    await db
      .updateTable('login_throttle')
      .set((eb) => ({ failures: sql<number>`greatest(${eb.ref('failures')} - 1, 0)` }))
      .where('key', '=', attempt.shared)
      .execute();
}

/** A refused code: the security log when throttled or when the ticket names nothing, the account's events otherwise. */
async function recordRefusal(
  ctx: Ctx,
  meta: RequestMeta,
  now: Date,
  step: StepRow | undefined,
  throttled: boolean,
  method: string,
) {
  if (throttled || !step) {
    await securityLog(ctx, meta, now, {
      kind: throttled ? 'second_factor_throttled' : 'second_factor_unknown_ticket',
      method: 'password',
      accountId: step?.account_id ?? null,
      details: { method },
    });
    return;
  }
  const ev = await refusalMeta(ctx, meta);
  await ctx.db.transaction().execute((trx) =>
    appendEvents(trx, [
      {
        ...ev,
        accountId: step.account_id,
        at: now,
        type: 'second_factor_failed',
        method: 'password',
        outcome: 'failure',
        details: { factor: method, purpose: step.purpose },
      },
    ]),
  );
}

/**
 * Checks a mailed code against a locked step: single use (cleared when right), 10 minutes, spent after 5 wrong
 * tries (a new one can then be asked for).
 */
async function takeMailCode(trx: Trx, step: StepRow, code: string, now: Date): Promise<boolean> {
  if (
    !step.mail_code_hash ||
    !step.mail_code_expires_at ||
    step.mail_code_expires_at.getTime() <= now.getTime() ||
    step.mail_code_tries >= MAIL_CODE_MAX_TRIES
  )
    return false;
  if (step.mail_code_hash === mailCodeHash(step.id, code)) {
    await trx
      .updateTable('factor_steps')
      .set({ mail_code_hash: null, mail_proven_at: now })
      .where('id', '=', step.id)
      .execute();
    return true;
  }
  const tries = step.mail_code_tries + 1;
  await trx
    .updateTable('factor_steps')
    .set({ mail_code_tries: tries, ...(tries >= MAIL_CODE_MAX_TRIES ? { mail_code_hash: null } : {}) })
    .where('id', '=', step.id)
    .execute();
  return false;
}

/** Mails a one-time code for a step (the e-mail factor, or the proof of the mailbox before an enrolment). */
export async function sendMailCode(ctx: Ctx, ticket: string, meta: RequestMeta, floorMs: number) {
  const started = performance.now();
  const now = ctx.clock.now();
  const workstationId = requireWorkstation(meta);
  const sent = await ctx.db.transaction().execute(async (trx) => {
    const step = await liveStep(trx, ticket, workstationId, now, true);
    // A TOTP account's second step takes the app's code or a recovery code; a mailed code is for the rest.
    if (!step || (step.purpose === 'verify' && step.factor_kind === 'totp')) return null;
    if (step.mail_code_sent_at && now.getTime() - step.mail_code_sent_at.getTime() < MAIL_CODE_RESEND_MS)
      return { wait: new Date(step.mail_code_sent_at.getTime() + MAIL_CODE_RESEND_MS) } as const;
    const code = newMailCode();
    const expiresAt = new Date(now.getTime() + MAIL_CODE_TTL_MS);
    await trx
      .updateTable('factor_steps')
      .set({
        mail_code_hash: mailCodeHash(step.id, code),
        mail_code_sent_at: now,
        mail_code_expires_at: expiresAt,
        mail_code_tries: 0,
        expires_at: new Date(Math.max(step.expires_at.getTime(), expiresAt.getTime())),
      })
      .where('id', '=', step.id)
      .execute();
    await enqueueMails(trx, now, [
      {
        ...factorCodeMail({ name: step.display_name, code, expiresAt, purpose: step.purpose }),
        accountId: step.account_id,
        to: step.email,
      },
    ]);
    return { mailTo: maskedEmail(step.email), expiresAt } as const;
  });
  if (!sent) {
    await padToFloor(started, floorMs);
    throw new AppError('INVALID_REQUEST', 'Cette étape de connexion a expiré : reprenez depuis le début.');
  }
  if ('wait' in sent)
    throw new AppError(
      'RATE_LIMITED',
      'Un code vient d’être envoyé : attendez une minute avant d’en demander un autre.',
    );
  return {
    mailTo: sent.mailTo,
    expiresAt: sent.expiresAt.toISOString(),
    nextAt: new Date(now.getTime() + MAIL_CODE_RESEND_MS).toISOString(),
  };
}

/** The second step of a sign-in: a code of the enrolled factor, or a recovery code, opens the session. */
export async function signInSecondFactor(
  ctx: Ctx,
  input: { ticket: string; method: FactorMethod; code: string },
  meta: RequestMeta,
  floorMs: number,
): Promise<SignInResponse> {
  const started = performance.now();
  const now = ctx.clock.now();
  const workstationId = requireWorkstation(meta);
  const { step, attempt } = await beginAttempt(ctx, meta, input.ticket, 'verify', now);
  if (step && !attempt.throttled && input.method === 'totp') {
    const session = await fastTotpSignIn(ctx, step, attempt, input.code, meta, now);
    if (session) return session;
  }
  let ok = false;
  if (step && !attempt.throttled) {
    ok = await ctx.db.transaction().execute(async (trx) => {
      const s = await liveStep(trx, input.ticket, workstationId, now, true);
      if (!s) return false;
      if (input.method === 'recovery') return useRecoveryCode(trx, s.account_id, input.code, now);
      if (input.method !== s.factor_kind) return false;
      if (input.method === 'email') return takeMailCode(trx, s, input.code, now);
      return takeTotp(trx, s.account_id, input.code, now);
    });
  }
  if (!ok || !step) {
    await recordRefusal(ctx, meta, now, step, attempt.throttled, input.method);
    await padToFloor(started, floorMs);
    throw refused();
  }
  await settle(ctx.db, attempt);
  return finishSignIn(ctx, step, input.method, meta, now);
}

async function useRecoveryCode(trx: Trx, accountId: string, code: string, now: Date) {
  const used = await trx
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('account_id', '=', accountId)
    .where('code_hash', '=', recoveryCodeHash(accountId, code))
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return used !== undefined;
}

/** A TOTP code of a time step after the last one accepted (a code is never accepted twice). */
async function takeTotp(trx: Trx, accountId: string, code: string, now: Date) {
  const f = await trx
    .selectFrom('second_factors')
    .select(['totp_secret', 'last_step'])
    .where('account_id', '=', accountId)
    .forUpdate()
    .executeTakeFirst();
  if (!f?.totp_secret) return false;
  const step = totpStep(openSecret(f.totp_secret), code, now);
  if (step === null || (f.last_step !== null && step <= Number(f.last_step))) return false;
  await trx
    .updateTable('second_factors')
    .set({ last_step: step })
    .where('account_id', '=', accountId)
    .execute();
  return true;
}

/**
 * A right authenticator app code, the common case, in one statement (./steps-fast.ts): checked here against the
 * secret and last time step the attempt's statement read, then the session opened with everything the general path
 * writes. Null when anything is unusual (a wrong or reused code, a withdrawn workstation, a bad proof, a blocked
 * account, a delegation gone, a concurrent use): the statement then wrote nothing and the general path decides.
 */
async function fastTotpSignIn(
  ctx: Ctx,
  step: Step,
  attempt: Attempt,
  code: string,
  meta: RequestMeta,
  now: Date,
): Promise<SignInResponse | null> {
  if (step.factor_kind !== 'totp' || !step.totp_secret || step.ws_label === null) return null;
  const taken = totpStep(openSecret(step.totp_secret), code, now);
  if (taken === null || (step.last_step !== null && taken <= step.last_step)) return null;
  const workstationId = requireWorkstation(meta);
  // A proof already checked against the registered key (which never changes) needs no second check.
  if (!attempt.home || step.ws_public_key === null)
    try {
      checkWorkstationProof(step.ws_public_key, workstationId, meta, now);
    } catch {
      return null;
    }
  // As a sign-in records the workstation: the header's label names an unregistered one; a registered one keeps its own.
  const wsLabel = step.ws_public_key ? step.ws_label : (meta.workstationLabel ?? step.ws_label);
  const token = newToken();
  const sessionId = randomUUID();
  const r = await fastTotpSignInQuery(
    {
      stepId: step.id,
      accountId: step.account_id,
      pharmacyId: step.pharmacy_id,
      totpSecret: step.totp_secret,
      totpStep: taken,
      now,
      meta: { ...meta, workstationId },
      wsPublicKey: step.ws_public_key,
      wsReadLabel: step.ws_label,
      wsLabel,
      passwordChange: step.password_change,
      deadlines: deadlines(now, step.created_at, now, ctx.config),
      mail: {
        ...signInMail({
          name: step.display_name,
          at: now,
          method: 'password',
          workstationLabel: wsLabel,
          factor: 'totp',
        }),
        to: step.email,
      },
      clearKeys: attempt.keys,
      sharedKey: attempt.shared,
    },
    token,
    sessionId,
  ).execute(ctx.db);
  if (Number(r.rows[0]?.activated) !== 1) return null;
  return signInResponse(ctx, {
    token,
    sessionId,
    createdAt: now,
    lastSeenAt: now,
    passwordChangeRequired: step.password_change,
    account: { ...step, id: step.account_id },
  });
}

/**
 * Opens the session once the second factor is proven: the workstation (a revoked one opens nothing), the account's
 * delegation still there, then the session as every password sign-in opens it (../password-session.ts), the step
 * marked done in the same transaction.
 */
async function finishSignIn(
  ctx: Ctx,
  step: StepRow,
  factor: FactorMethod,
  meta: RequestMeta,
  now: Date,
): Promise<SignInResponse> {
  const workstationId = requireWorkstation(meta);
  const ws = await recordWorkstationSeen(ctx.db, workstationId, meta.workstationLabel, now);
  if (ws.revoked_at) throw new AppError('WORKSTATION_REVOKED', 'Ce poste a été retiré.');
  checkWorkstationProof(ws.public_key, workstationId, meta, now);
  const acc = await ctx.db
    .selectFrom('accounts as a')
    .innerJoin('pharmacies as ph', 'ph.id', 'a.pharmacy_id')
    .select([
      'a.id',
      'a.kind',
      'a.display_name',
      'a.email',
      'a.pharmacy_id',
      'a.created_at',
      'ph.name as pharmacy_name',
      'ph.finess',
    ])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('delegations as d')
            .select('d.id')
            .whereRef('d.delegate_account_id', '=', 'a.id')
            .where('d.revoked_at', 'is', null),
        )
        .as('delegated'),
    )
    .where('a.id', '=', step.account_id)
    .executeTakeFirstOrThrow();
  if (acc.kind !== 'holder' && !acc.delegated)
    throw new AppError('FORBIDDEN', "Votre délégation d'accès a été révoquée par le titulaire du compte.");
  return openPasswordSession(
    ctx,
    {
      account: acc,
      meta: { ...meta, workstationId },
      evMeta: { workstationId, workstationLabel: ws.label, ip: meta.ip, appVersion: meta.appVersion },
      passwordChange: step.password_change,
      factor,
      ...(factor === 'recovery' ? { notice: 'recovery_code_used' as const } : {}),
      claim: async (trx) => {
        const done = await trx
          .updateTable('factor_steps')
          .set({ done_at: now })
          .where('id', '=', step.id)
          .where('done_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (!done) throw refused();
      },
    },
    now,
  );
}

/** Enrolment, after the mailed code: a new TOTP secret, shown once as a QR code and a key for manual entry. */
export async function enrolTotp(
  ctx: Ctx,
  input: { ticket: string; mailCode: string },
  meta: RequestMeta,
  floorMs: number,
) {
  const started = performance.now();
  const now = ctx.clock.now();
  const workstationId = requireWorkstation(meta);
  const { step, attempt } = await beginAttempt(ctx, meta, input.ticket, 'enrol', now);
  const secret = newTotpSecret();
  let ok = false;
  if (step && !attempt.throttled) {
    ok = await ctx.db.transaction().execute(async (trx) => {
      const s = await liveStep(trx, input.ticket, workstationId, now, true);
      if (!s) return false;
      // The mailbox is proven once per step: asking for the secret again (a reload) needs no second mailed code.
      if (!s.mail_proven_at && !(await takeMailCode(trx, s, input.mailCode, now))) return false;
      await trx
        .updateTable('factor_steps')
        .set({ pending_secret: sealSecret(secret) })
        .where('id', '=', s.id)
        .execute();
      return true;
    });
  }
  if (!ok || !step) {
    await recordRefusal(ctx, meta, now, step, attempt.throttled, 'email');
    await padToFloor(started, floorMs);
    throw refused();
  }
  await settle(ctx.db, attempt);
  const label = await ctx.db
    .selectFrom('accounts')
    .select(['identifier', 'display_name'])
    .where('id', '=', step.account_id)
    .executeTakeFirstOrThrow();
  return { secret, uri: totpUri(secret, label.identifier ?? label.display_name) };
}

/**
 * Completes an enrolment: TOTP with the app's first code (the mailbox proven before), or the e-mail factor with the
 * mailed code. Replaces any earlier factor and recovery codes, answers ten new recovery codes once, and opens the
 * session when the enrolment came from a sign-in.
 */
export async function enrolConfirm(
  ctx: Ctx,
  input: { ticket: string; kind: FactorKind; code: string },
  meta: RequestMeta,
  floorMs: number,
) {
  const started = performance.now();
  const now = ctx.clock.now();
  const workstationId = requireWorkstation(meta);
  const { step, attempt } = await beginAttempt(ctx, meta, input.ticket, 'enrol', now);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const ev = await refusalMeta(ctx, meta);
  let ok = false;
  if (step && !attempt.throttled) {
    ok = await ctx.db.transaction().execute(async (trx) => {
      const s = await liveStep(trx, input.ticket, workstationId, now, true);
      if (!s) return false;
      let secret: string | null = null;
      let lastStep: number | null = null;
      if (input.kind === 'totp') {
        if (!s.mail_proven_at || !s.pending_secret) return false;
        lastStep = totpStep(openSecret(s.pending_secret), input.code, now);
        if (lastStep === null) return false;
        secret = s.pending_secret;
      } else if (!(await takeMailCode(trx, s, input.code, now))) return false;
      await trx.deleteFrom('second_factors').where('account_id', '=', s.account_id).execute();
      await trx
        .insertInto('second_factors')
        .values({
          account_id: s.account_id,
          kind: input.kind,
          totp_secret: secret,
          last_step: lastStep,
          enrolled_at: now,
        })
        .execute();
      await trx.deleteFrom('recovery_codes').where('account_id', '=', s.account_id).execute();
      await trx
        .insertInto('recovery_codes')
        .values(
          codes.map((c) => ({
            account_id: s.account_id,
            code_hash: recoveryCodeHash(s.account_id, c),
            created_at: now,
            used_at: null,
          })),
        )
        .execute();
      await appendEvents(trx, [
        {
          ...ev,
          workstationLabel: meta.workstationLabel ?? ev.workstationLabel,
          accountId: s.account_id,
          at: now,
          type: 'second_factor_enrolled',
          method: 'password',
          outcome: 'success',
          details: { kind: input.kind },
        },
      ]);
      await enqueueMails(trx, now, [
        {
          ...factorEnrolledMail({ name: s.display_name, at: now, kind: input.kind }),
          accountId: s.account_id,
          to: s.email,
        },
      ]);
      // A session's enrolment is over here; a sign-in's goes on to open the session.
      if (s.from_session)
        await trx.updateTable('factor_steps').set({ done_at: now }).where('id', '=', s.id).execute();
      return true;
    });
  }
  if (!ok || !step) {
    await recordRefusal(ctx, meta, now, step, attempt.throttled, input.kind);
    await padToFloor(started, floorMs);
    throw refused();
  }
  await settle(ctx.db, attempt);
  const session = step.from_session ? undefined : await finishSignIn(ctx, step, input.kind, meta, now);
  return { kind: input.kind, recoveryCodes: codes, ...(session ? { session } : {}) };
}
