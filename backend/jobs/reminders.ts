/**
 * Reminder mails (D-30, D-7, D-1 by default) before the block date. `next_reminder_at` points at the next
 * one; rows are claimed with FOR UPDATE SKIP LOCKED, and the `reminders` table's primary key
 * (account, block date, offset) makes a second mail for the same reminder impossible.
 * If the job was late and several reminders have passed, only the latest is sent.
 */
import { sql } from 'kysely';
import { dueReminder, nextReminder } from '../../domain/policy';
import type { Ctx } from '../context';
import { appendEvents } from '../events/chain';
import { type NewEvent } from '../events/hash';
import { enqueueMails, type OutgoingMail } from '../mail/outbox';
import { reminderMail } from '../mail/templates';

export async function runReminders(ctx: Ctx, batch = 500): Promise<number> {
  const now = ctx.clock.now();
  const days = ctx.config.mailReminderDays;
  let sent = 0;
  for (;;) {
    const claimed = await ctx.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('accounts')
        .select(['id', 'display_name', 'email', 'block_due_at'])
        .where('state', '=', 'active')
        .where('next_reminder_at', '<=', now)
        .orderBy('next_reminder_at')
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute();
      // Set-based: one insert for every reminder due in the batch (the key drops one already sent), one update
      // for every account's next reminder.
      const due = rows.flatMap((r) => {
        const d = dueReminder(r.block_due_at, now, days);
        return d ? [{ row: r, days: d.days }] : [];
      });
      const inserted = due.length
        ? await trx
            .insertInto('reminders')
            .values(
              due.map((d) => ({
                account_id: d.row.id,
                block_due_at: d.row.block_due_at,
                days: d.days,
                sent_at: now,
              })),
            )
            .onConflict((oc) => oc.doNothing())
            .returning(['account_id', 'days'])
            .execute()
        : [];
      const sentNow = new Set(inserted.map((i) => `${i.account_id}:${i.days}`));
      const events: NewEvent[] = [];
      const mails: OutgoingMail[] = [];
      for (const d of due) {
        if (!sentNow.has(`${d.row.id}:${d.days}`)) continue;
        const r = d.row;
        events.push({
          accountId: r.id,
          at: now,
          type: 'reminder_sent',
          method: 'system',
          outcome: 'info',
          details: { days: d.days, blockAt: r.block_due_at.toISOString() },
        });
        mails.push({
          ...reminderMail({ name: r.display_name, days: d.days, blockAt: r.block_due_at }),
          accountId: r.id,
          to: r.email,
        });
      }
      if (rows.length) {
        const next = rows.map((r) => nextReminder(r.block_due_at, now, days)?.at.toISOString() ?? null);
        await sql`
          update accounts a set next_reminder_at = v.next
          from unnest(${rows.map((r) => r.id)}::uuid[], ${next}::timestamptz[]) as v(id, next)
          where a.id = v.id`.execute(trx);
      }
      await appendEvents(trx, events);
      await enqueueMails(trx, now, mails);
      sent += mails.length;
      return rows.length;
    });
    if (claimed < batch) return sent;
  }
}
