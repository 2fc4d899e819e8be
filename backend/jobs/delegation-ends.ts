/**
 * Delegations with an end date (« fin de contrat »). Two steps, each on rows claimed with FOR UPDATE SKIP LOCKED
 * so several instances sharing one PostgreSQL never end or remind the same delegation twice:
 * - the reminder: 7 days before the end, the holder is mailed (and an event written); `end_reminder_at` is cleared;
 * - the end: from `ends_at` (midnight Paris after the last day) the delegation is revoked, the delegate's open
 *   sessions end (`delegation_ended`), both accounts get an event and a mail.
 * A job late by days still ends the delegation at its first run; the revocation is dated from `ends_at`.
 */
import { sql, type Transaction } from 'kysely';
import type { Ctx } from '../context';
import type { Database } from '../db/schema';
import { appendEvents } from '../events/chain';
import type { NewEvent } from '../events/hash';
import { enqueueMails, type OutgoingMail } from '../mail/outbox';
import { delegationEndedMail, delegationEndReminderMail } from '../mail/templates';
import { delegationEndsOn } from '../../domain/policy/delegation-end';

type Trx = Transaction<Database>;

export async function runDelegationEnds(ctx: Ctx, batch = 200): Promise<number> {
  const now = ctx.clock.now();
  const ended = await inBatches(ctx, batch, (trx) => endDue(trx, now, batch));
  const reminded = await inBatches(ctx, batch, (trx) => remindDue(trx, now, batch));
  return ended + reminded;
}

/** Runs `step` in its own transaction until a run handles fewer rows than a full batch. */
async function inBatches(ctx: Ctx, batch: number, step: (trx: Trx) => Promise<number>) {
  let done = 0;
  for (;;) {
    const n = await ctx.db.transaction().execute(step);
    done += n;
    if (n < batch) return done;
  }
}

/**
 * Live delegations whose `due` date has come, oldest first, with both people's names and addresses; the rows are
 * locked, and rows another instance holds are skipped.
 */
function claimDue(trx: Trx, due: 'ends_at' | 'end_reminder_at', now: Date, batch: number) {
  return trx
    .selectFrom('delegations as d')
    .innerJoin('accounts as del', 'del.id', 'd.delegate_account_id')
    .innerJoin('accounts as h', 'h.id', 'd.holder_account_id')
    .select([
      'd.id',
      'd.ends_at',
      'd.delegate_account_id',
      'd.holder_account_id',
      'del.display_name as delegate_name',
      'del.email as delegate_email',
      'h.display_name as holder_name',
      'h.email as holder_email',
    ])
    .where('d.revoked_at', 'is', null)
    .where(`d.${due}`, 'is not', null)
    .where(`d.${due}`, '<=', now)
    .orderBy(`d.${due}`)
    .limit(batch)
    .forUpdate(['d'])
    .skipLocked()
    .execute();
}

/** The end: revoke, end the delegate's sessions, an event and a mail for each of the two. */
async function endDue(trx: Trx, now: Date, batch: number): Promise<number> {
  const rows = await claimDue(trx, 'ends_at', now, batch);
  if (rows.length === 0) return 0;
  await trx
    .updateTable('delegations')
    .set({ revoked_at: sql<Date>`ends_at`, revoked_by: null, end_reminder_at: null })
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  await trx
    .updateTable('sessions')
    .set({ revoked_at: now, end_reason: 'delegation_ended' })
    .where(
      'account_id',
      'in',
      rows.map((r) => r.delegate_account_id),
    )
    .where('revoked_at', 'is', null)
    .execute();
  const events: NewEvent[] = [];
  const mails: OutgoingMail[] = [];
  for (const r of rows) {
    const endsAt = r.ends_at!;
    const endsOn = delegationEndsOn(endsAt);
    const base = { at: now, method: 'system' as const, outcome: 'info' as const };
    events.push(
      {
        ...base,
        accountId: r.holder_account_id,
        type: 'delegation_ended',
        details: { delegationId: r.id, delegateAccountId: r.delegate_account_id, endsOn },
      },
      {
        ...base,
        accountId: r.delegate_account_id,
        type: 'delegation_ended',
        details: { delegationId: r.id, endsOn },
      },
    );
    const p = { delegateName: r.delegate_name, endsAt };
    mails.push(
      {
        ...delegationEndedMail({ ...p, name: r.delegate_name, to: 'delegate' }),
        accountId: r.delegate_account_id,
        to: r.delegate_email,
      },
      {
        ...delegationEndedMail({ ...p, name: r.holder_name, to: 'holder' }),
        accountId: r.holder_account_id,
        to: r.holder_email,
      },
    );
  }
  await appendEvents(trx, events);
  await enqueueMails(trx, now, mails);
  return rows.length;
}

/** The reminder, 7 days before the end: the holder gets an event and a mail, once. */
async function remindDue(trx: Trx, now: Date, batch: number): Promise<number> {
  const rows = await claimDue(trx, 'end_reminder_at', now, batch);
  if (rows.length === 0) return 0;
  await trx
    .updateTable('delegations')
    .set({ end_reminder_at: null })
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const events: NewEvent[] = [];
  const mails: OutgoingMail[] = [];
  for (const r of rows) {
    const endsAt = r.ends_at!;
    events.push({
      accountId: r.holder_account_id,
      at: now,
      type: 'delegation_end_reminder_sent',
      method: 'system',
      outcome: 'info',
      details: {
        delegationId: r.id,
        delegateAccountId: r.delegate_account_id,
        endsOn: delegationEndsOn(endsAt),
      },
    });
    mails.push({
      ...delegationEndReminderMail({ name: r.holder_name, delegateName: r.delegate_name, endsAt }),
      accountId: r.holder_account_id,
      to: r.holder_email,
    });
  }
  await appendEvents(trx, events);
  await enqueueMails(trx, now, mails);
  return rows.length;
}
