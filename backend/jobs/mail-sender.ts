/**
 * Delivers the outbox. A batch of due rows is claimed with FOR UPDATE SKIP LOCKED and given a lease
 * (`lease_until`) in a short transaction; the mails are sent outside any transaction; each is then marked
 * sent. Several instances never claim the same row while its lease runs. If a process dies between the
 * SMTP "250 OK" and the mark, the row is sent again after the lease, with the same Message-ID, which lets
 * the receiving side drop the duplicate (and the .eml outbox overwrites the same file).
 * Failures are retried with growing delays; after 10 attempts the row stays with its last error.
 */
import type { Ctx } from '../context';
import type { MailTransport } from '../mail/transport';

export const MAX_ATTEMPTS = 10;
const LEASE_MS = 2 * 60_000;

export async function runMailSender(ctx: Ctx, transport: MailTransport | null, batch = 50): Promise<number> {
  if (!transport) return 0;
  let sent = 0;
  for (;;) {
    const now = ctx.clock.now();
    const rows = await ctx.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('outbox')
        .select(['id', 'message_id', 'to_address', 'subject', 'body_text', 'attempts'])
        .where('sent_at', 'is', null)
        .where('next_attempt_at', '<=', now)
        .where('attempts', '<', MAX_ATTEMPTS)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .orderBy('id')
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length > 0) {
        await trx
          .updateTable('outbox')
          .set((eb) => ({
            lease_until: new Date(now.getTime() + LEASE_MS),
            attempts: eb('attempts', '+', 1),
          }))
          .where(
            'id',
            'in',
            due.map((d) => d.id),
          )
          .execute();
      }
      return due;
    });
    for (const r of rows) {
      try {
        await transport.send({
          messageId: r.message_id,
          to: r.to_address,
          subject: r.subject,
          text: r.body_text,
        });
        await ctx.db
          .updateTable('outbox')
          .set({ sent_at: ctx.clock.now(), lease_until: null, last_error: null })
          .where('id', '=', r.id)
          .execute();
        sent++;
      } catch (e) {
        const delay = Math.min(3600_000, 30_000 * 2 ** r.attempts);
        await ctx.db
          .updateTable('outbox')
          .set({
            lease_until: null,
            last_error: String((e as Error).message ?? e).slice(0, 500),
            next_attempt_at: new Date(ctx.clock.now().getTime() + delay),
          })
          .where('id', '=', r.id)
          .execute();
        ctx.log.warn({ outboxId: r.id, attempt: r.attempts + 1 }, 'mail delivery failed; will retry');
      }
    }
    if (rows.length < batch) return sent;
  }
}
