/**
 * The second step of a password sign-in: a TOTP code, the mailed code or one of the recovery codes, checked against
 * the live step under the attempt throttle, then the session opened (`finishSignIn`, also the end of an enrolment
 * that came from a sign-in). A right app code takes the fast path of ./steps-fast.ts first.
 */
import { AppError } from '../../../domain/result';
import type { FactorMethod, SignInResponse } from '../../../domain/backend-api';
import { deadlines } from '../../accounts/accounts';
import type { Ctx } from '../../context';
import { randomUUID } from 'node:crypto';
import { newToken } from '../../crypto';
import type { RequestMeta } from '../../http/meta';
import { signInResponse } from '../../sessions/sessions';
import { checkWorkstationProof } from '../../workstations/proofs';
import { recordWorkstationSeen } from '../../workstations/workstations';
import { requireWorkstation } from '../event-meta';
import { padToFloor } from '../floor';
import { openPasswordSession } from '../password-session';
import { signInMail } from '../../mail/templates';
import { fastTotpSignInQuery } from './steps-fast';
import { openSecret, totpStep } from './secret';
import { beginAttempt, recordRefusal, refused, settle, type Attempt, type Step } from './attempts';
import { takeMailCode, takeTotp, useRecoveryCode } from './code-checks';
import { liveStep, type StepRow } from './step-store';

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
export async function finishSignIn(
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
