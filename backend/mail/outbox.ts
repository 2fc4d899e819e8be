/**
 * Transactional outbox: a mail is a row written in the same transaction as the event it tells about, so
 * either both exist or neither. The sender job (./sender.ts) delivers the rows.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { newMessageId } from '../crypto';
import type { Mail } from './templates';

export interface OutgoingMail extends Mail {
  accountId: string | null;
  to: string;
}

export async function enqueueMails(
  trx: Transaction<Database>,
  at: Date,
  mails: OutgoingMail[],
): Promise<void> {
  if (mails.length === 0) return;
  for (let i = 0; i < mails.length; i += 1000) {
    await trx
      .insertInto('outbox')
      .values(
        mails.slice(i, i + 1000).map((m) => ({
          message_id: newMessageId(),
          account_id: m.accountId,
          kind: m.kind,
          to_address: m.to,
          subject: m.subject,
          body_text: m.text,
          created_at: at,
          next_attempt_at: at,
        })),
      )
      .execute();
  }
}
