/**
 * The codes a step takes: the mailed code (sent here, single use, 10 minutes, 5 tries), the authenticator app's code
 * (each time step accepted once) and a recovery code (each used once). The checks run inside the caller's
 * transaction, on a step it locked.
 */
import { AppError } from '../../../domain/result';
import type { Ctx } from '../../context';
import type { RequestMeta } from '../../http/meta';
import { enqueueMails } from '../../mail/outbox';
import { factorCodeMail } from '../../mail/templates';
import { requireWorkstation } from '../event-meta';
import { padToFloor } from '../floor';
import {
  MAIL_CODE_MAX_TRIES,
  MAIL_CODE_RESEND_MS,
  MAIL_CODE_TTL_MS,
  mailCodeHash,
  maskedEmail,
  newMailCode,
  recoveryCodeHash,
} from './codes';
import { openSecret, totpStep } from './secret';
import { liveStep, type StepRow, type Trx } from './step-store';

/**
 * Checks a mailed code against a locked step: single use (cleared when right), 10 minutes, spent after 5 wrong
 * tries (a new one can then be asked for).
 */
export async function takeMailCode(trx: Trx, step: StepRow, code: string, now: Date): Promise<boolean> {
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
export async function useRecoveryCode(trx: Trx, accountId: string, code: string, now: Date) {
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
export async function takeTotp(trx: Trx, accountId: string, code: string, now: Date) {
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
