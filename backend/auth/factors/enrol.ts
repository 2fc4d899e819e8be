/**
 * Enrolment. A password alone never enrols: the code mailed to the dedicated address proves the mailbox; then either
 * the authenticator app's first code (TOTP) or that mailed code itself (the e-mail factor) records the factor, and
 * ten recovery codes are answered once. An enrolment that came from a sign-in then opens the session.
 */
import type { FactorKind } from '../../../domain/backend-api';
import type { Ctx } from '../../context';
import { appendEvents } from '../../events/chain';
import type { RequestMeta } from '../../http/meta';
import { enqueueMails } from '../../mail/outbox';
import { factorEnrolledMail } from '../../mail/templates';
import { refusalMeta, requireWorkstation } from '../event-meta';
import { padToFloor } from '../floor';
import { RECOVERY_CODE_COUNT, newRecoveryCode, recoveryCodeHash } from './codes';
import { newTotpSecret, openSecret, sealSecret, totpStep, totpUri } from './secret';
import { beginAttempt, recordRefusal, refused, settle } from './attempts';
import { takeMailCode } from './code-checks';
import { finishSignIn } from './second-step';
import { liveStep } from './step-store';

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
