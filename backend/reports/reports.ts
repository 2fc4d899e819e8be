/**
 * « Je ne reconnais pas cette activité »: a report opens a case on the account the event belongs to, and secures the
 * account at once, in one transaction: every session ended, the password withdrawn (when the account has one: it
 * opens nothing any more, not even a password-change session), and, if the user asks, the account blocked as
 * suspicious. The way back: the card or e-CPS for a card holder; for a password delegate, a fresh start from the
 * holder's card session (./fresh-start.ts) or the postal code. The security key is refused meanwhile. The case is
 * closed when the account is back in its owner's hands (unblock or new password).
 */
import type { ReportCaseDto } from '../../domain/backend-api';
import { userReportVerdict } from '../../domain/policy/suspicious';
import { openReportCase, advanceReportCase, REPORT_CONTACTS } from '../../domain/policy/report';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { appendEvents } from '../events/chain';
import { enqueueMails } from '../mail/outbox';
import { reportCaseMail } from '../mail/templates';
import { targetAccount } from '../events/log';
import type { RequestMeta } from '../http/meta';
import type { AuthInfo } from '../sessions/sessions';
import { accountQuery } from '../accounts/lookup';
import { blockSuspicious } from '../accounts/unblock';
import { evMetaOf } from '../auth/event-meta';
import type { ReportCasesTable } from '../db/schema';
import type { Selectable } from 'kysely';

export const CASE_ADVICE = REPORT_CONTACTS.text;

const ACTION = {
  revoke_sessions: 'sessions-revoked',
  require_password_change: 'password-change-required',
  block_account: 'account-blocked',
} as const;

const EVENT_LABEL: Record<string, string> = {
  sign_in: 'connexion',
  sign_in_failed: 'connexion refusée',
  password_changed: 'changement de mot de passe',
  session_revoked: 'session fermée',
};

function toDto(r: Selectable<ReportCasesTable>): ReportCaseDto {
  return {
    id: r.id,
    accountId: r.account_id,
    eventId: Number(r.event_id),
    openedAt: r.opened_at.toISOString(),
    status: r.status,
    steps: r.steps,
    actions: r.actions as ReportCaseDto['actions'],
    advice: CASE_ADVICE,
  };
}

export async function openReport(
  ctx: Ctx,
  auth: AuthInfo,
  body: { eventId: number; comment?: string | undefined; blockAccount: boolean },
  meta: RequestMeta,
): Promise<ReportCaseDto> {
  const now = ctx.clock.now();
  const ev = await ctx.db
    .selectFrom('events')
    .select(['id', 'account_id', 'seq', 'type', 'at'])
    .where('id', '=', body.eventId)
    .executeTakeFirst();
  if (!ev || (await targetAccount(ctx, auth, ev.account_id).catch(() => null)) === null)
    throw new AppError('NOT_FOUND', 'Événement introuvable.');
  const evMeta = evMetaOf(meta, auth.workstationLabel);
  return ctx.db.transaction().execute(async (trx) => {
    const acc = await accountQuery(trx)
      .where('a.id', '=', ev.account_id)
      .forUpdate(['a'])
      .executeTakeFirstOrThrow();
    const pw = await trx
      .selectFrom('passwords')
      .select('id')
      .where('account_id', '=', acc.id)
      .where('current', '=', true)
      .executeTakeFirst();
    let c = openReportCase({
      eventId: String(ev.id),
      at: now,
      blockAccount: body.blockAccount,
      kind: acc.kind,
      hasPassword: !!pw,
    });
    await appendEvents(trx, [
      {
        ...evMeta,
        accountId: acc.id,
        at: now,
        type: 'activity_reported',
        outcome: 'info',
        details: {
          eventId: Number(ev.id),
          eventSeq: Number(ev.seq),
          eventType: ev.type,
          reportedBy: auth.accountId,
          comment: body.comment?.slice(0, 1000) ?? null,
          blockAccount: body.blockAccount,
        },
      },
    ]);
    // Secure the account.
    const revoked = await trx
      .updateTable('sessions')
      .set({ revoked_at: now, end_reason: 'reported' })
      .where('account_id', '=', acc.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (c.actions.includes('require_password_change')) {
      // Withdrawn, not only expired: whoever knows it (the person reported) would otherwise sign in, get a
      // password-change session and keep the account. It stays in the history, so it cannot come back.
      await trx
        .updateTable('passwords')
        .set({ expires_at: now, current: false })
        .where('account_id', '=', acc.id)
        .where('current', '=', true)
        .execute();
    }
    if (c.actions.includes('block_account') && acc.state === 'active') {
      const v = userReportVerdict({
        reportedAt: now,
        event: { at: ev.at, label: EVENT_LABEL[ev.type] ?? ev.type },
      });
      await blockSuspicious(trx, acc, v.cause, v.explanation, now, { ...evMeta, method: 'system' });
    } else if (c.actions.includes('block_account')) {
      // Already blocked: the report makes the weak paths unavailable.
      await trx
        .updateTable('accounts')
        .set({ suspicion_cause: 'user_report' })
        .where('id', '=', acc.id)
        .execute();
    }
    c = advanceReportCase(c, 'secured', now);
    const row = await trx
      .insertInto('report_cases')
      .values({
        account_id: acc.id,
        reported_by: auth.accountId,
        event_id: Number(ev.id),
        comment: body.comment ?? null,
        status: c.status,
        actions: c.actions.map((a) => ACTION[a]),
        steps: JSON.stringify(
          c.steps.map((s) => ({ status: s.status, at: s.at.toISOString(), note: s.text })),
        ),
        opened_at: now,
        closed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvents(trx, [
      {
        ...evMeta,
        accountId: acc.id,
        at: now,
        type: 'report_case_secured',
        outcome: 'info',
        details: {
          caseId: row.id,
          sessionsRevoked: Number(revoked.numUpdatedRows),
          actions: c.actions.join(','),
        },
      },
    ]);
    await enqueueMails(trx, now, [
      {
        ...reportCaseMail({ name: acc.display_name, steps: c.steps.map((s) => s.text), advice: CASE_ADVICE }),
        accountId: acc.id,
        to: acc.email,
      },
    ]);
    return toDto(row);
  });
}

export async function listReports(ctx: Ctx, auth: AuthInfo): Promise<{ cases: ReportCaseDto[] }> {
  let q = ctx.db.selectFrom('report_cases').selectAll();
  q =
    auth.kind === 'holder'
      ? q.where((eb) =>
          eb.or([
            eb('account_id', '=', auth.accountId),
            eb(
              'account_id',
              'in',
              eb.selectFrom('accounts').select('id').where('pharmacy_id', '=', auth.pharmacyId),
            ),
          ]),
        )
      : q.where('account_id', '=', auth.accountId);
  const rows = await q.orderBy('opened_at', 'desc').limit(100).execute();
  return { cases: rows.map(toDto) };
}
