/**
 * Reminder mails (D-30, D-7, D-1 by default) before the block date. `next_reminder_at` points at the next
 * one; rows are claimed with FOR UPDATE SKIP LOCKED, and the `reminders` table's primary key
 * (account, block date, offset) makes a second mail for the same reminder impossible.
 * If the job was late and several reminders have passed, only the latest is sent.
 */
import { dueReminder, nextReminder } from '../../domain/policy';
import type { Ctx } from '../context';
import { appendEvents, type NewEvent } from '../events/chain';
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
      const events: NewEvent[] = [];
      const mails: OutgoingMail[] = [];
      for (const r of rows) {
        const due = dueReminder(r.block_due_at, now, days);
        if (due) {
          const inserted = await trx
            .insertInto('reminders')
            .values({ account_id: r.id, block_due_at: r.block_due_at, days: due.days, sent_at: now })
            .onConflict((oc) => oc.doNothing())
            .returning('days')
            .executeTakeFirst();
          if (inserted) {
            events.push({ accountId: r.id, at: now, type: 'reminder_sent', method: 'system', outcome: 'info', details: { days: due.days, blockAt: r.block_due_at.toISOString() } });
            mails.push({ ...reminderMail({ name: r.display_name, days: due.days, blockAt: r.block_due_at }), accountId: r.id, to: r.email });
          }
        }
        await trx
          .updateTable('accounts')
          .set({ next_reminder_at: nextReminder(r.block_due_at, now, days)?.at ?? null })
          .where('id', '=', r.id)
          .execute();
      }
      await appendEvents(trx, events);
      await enqueueMails(trx, now, mails);
      sent += mails.length;
      return rows.length;
    });
    if (claimed < batch) return sent;
  }
}
