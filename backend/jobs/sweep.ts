/**
 * Inactivity sweep: blocks every active account whose block date has passed, with its `account_blocked`
 * event (hash-chained) and its mail, one SQL statement per batch. Safe on several instances sharing one
 * PostgreSQL: each batch takes its rows with FOR UPDATE SKIP LOCKED, so two sweeps never take the same
 * account. (PGlite: one process only, see db/pglite-dialect.ts.)
 *
 * The event's canonical JSON is the same for every account but for the account id, so it is built once in
 * JS (events/hash.ts `eventPayload`) around a placeholder and completed in SQL; PostgreSQL computes the chain
 * hash with the formula of events/hash.ts. Same for the mail text around the person's name.
 */
import { sql } from 'kysely';
import type { Ctx } from '../context';
import { eventPayload } from '../events/hash';
import { blockedMail } from '../mail/templates';
import { BLOCK_EXPLANATION_INACTIVITY } from '../accounts/accounts';

const HOLE = '@@VIGIE-HOLE@@';

function around(s: string): [string, string] {
  const parts = s.split(HOLE);
  if (parts.length !== 2) throw new Error('template must contain the placeholder exactly once');
  return [parts[0]!, parts[1]!];
}

/**
 * One batch of the sweep as one statement, unexecuted (its SQL is committed in db/snapshots/sweep.sql): the due
 * accounts taken with FOR UPDATE SKIP LOCKED, blocked, their sessions ended, the event appended to each chain
 * and the mail queued. Returns how many accounts it blocked.
 */
export function sweepBatchQuery(now: Date, batch: number) {
  const reason = 'inactivity';
  const explanation = BLOCK_EXPLANATION_INACTIVITY;
  const [pBefore, pAfter] = around(
    eventPayload({
      accountId: HOLE,
      at: now,
      type: 'account_blocked',
      method: 'system',
      outcome: 'info',
      workstationId: null,
      workstationLabel: null,
      ip: null,
      appVersion: null,
      cardSerial: null,
      details: { reason, explanation },
    }),
  );
  const mail = blockedMail({ name: HOLE, at: now, reason, explanation });
  const [mBefore, mAfter] = around(mail.text);
  const details = JSON.stringify({ reason, explanation });
  return sql<{ n: number }>`
      with due as (
        select id, display_name, email from accounts
        where state = 'active' and block_due_at <= ${now}::timestamptz
        order by block_due_at
        limit ${batch}
        for update skip locked
      ), blocked as (
        update accounts a set state = 'blocked', block_reason = ${reason}::text, block_explanation = ${explanation}::text,
          blocked_at = ${now}::timestamptz, next_reminder_at = null
        from due where a.id = due.id
        returning a.id
      ), ended as (
        update sessions s set revoked_at = ${now}::timestamptz, end_reason = 'account_blocked'
        where s.account_id in (select id from due) and s.revoked_at is null
        returning s.id
      ), head as (
        select c.account_id, c.seq, c.head_hash from event_chains c
        where c.account_id in (select id from due)
        for update
      ), moved as (
        update event_chains c set
          seq = head.seq + 1,
          head_hash = encode(sha256(convert_to(
            head.head_hash || E'\\n' || (head.seq + 1)::text || E'\\n' || ${pBefore}::text || head.account_id::text || ${pAfter}::text,
            'UTF8')), 'hex')
        from head
        where c.account_id = head.account_id
        returning c.account_id, c.seq, c.head_hash, head.head_hash as prev_hash
      ), ev as (
        insert into events (account_id, seq, at, type, method, outcome, details, prev_hash, hash)
        select account_id, seq, ${now}::timestamptz, 'account_blocked', 'system', 'info', ${details}::jsonb, prev_hash, head_hash
        from moved
        returning id
      ), mails as (
        insert into outbox (message_id, account_id, kind, to_address, subject, body_text, created_at, next_attempt_at)
        select '<' || gen_random_uuid()::text || '@vigie.invalid>', id, ${mail.kind}::text, email, ${mail.subject}::text,
               ${mBefore}::text || display_name || ${mAfter}::text, ${now}::timestamptz, ${now}::timestamptz
        from due
        returning id
      )
      select (select count(*) from blocked)::int as n, (select count(*) from ev)::int as events, (select count(*) from mails)::int as mails
    `;
}

export async function runInactivitySweep(ctx: Ctx, batch = 2000): Promise<number> {
  const now = ctx.clock.now();
  let total = 0;
  for (;;) {
    const r = await sweepBatchQuery(now, batch).execute(ctx.db);
    const n = Number(r.rows[0]?.n ?? 0);
    total += n;
    if (n < batch) return total;
  }
}
