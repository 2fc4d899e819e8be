/**
 * An account back in its owner's hands (state, event, e-mails, open report cases closed), or blocked as suspicious,
 * and the refusal that tells a blocked account's owner the ways out.
 */
import type { Transaction } from 'kysely';
import { strongFactorsOnly, type SuspicionCause } from '../../domain/policy/unblock';
import type { AuthMethod, Database } from '../db/schema';
import { appendEvents } from '../events/chain';
import { type NewEvent } from '../events/hash';
import { enqueueMails, type OutgoingMail } from '../mail/outbox';
import { accountUnblockedMail } from '../mail/templates';
import { BLOCK_EXPLANATION_INACTIVITY, blockAccounts, unblockPaths } from './accounts';
import { BlockedError } from '../auth/errors';
import type { EvMeta } from '../auth/event-meta';
import type { AccountRow } from './lookup';

type Trx = Transaction<Database>;

/** The e-mail address of the pharmacy's holder (told when a delegate's account is unblocked). */
async function holderEmail(trx: Trx, pharmacyId: string): Promise<string | null> {
  const r = await trx
    .selectFrom('accounts')
    .select('email')
    .where('pharmacy_id', '=', pharmacyId)
    .where('kind', '=', 'holder')
    .executeTakeFirst();
  return r?.email ?? null;
}

/** Closes the account's open report cases (the account is back in its owner's hands). */
export async function closeOpenCases(
  trx: Trx,
  accountId: string,
  now: Date,
  note: string,
  ev: EvMeta,
): Promise<number> {
  const open = await trx
    .selectFrom('report_cases')
    .select(['id', 'steps'])
    .where('account_id', '=', accountId)
    .where('status', '<>', 'closed')
    .execute();
  for (const c of open) {
    const steps = [...c.steps, { status: 'closed' as const, at: now.toISOString(), note }];
    await trx
      .updateTable('report_cases')
      .set({ status: 'closed', closed_at: now, steps: JSON.stringify(steps) })
      .where('id', '=', c.id)
      .execute();
  }
  if (open.length > 0) {
    await appendEvents(
      trx,
      open.map((c) => ({
        ...ev,
        accountId,
        at: now,
        type: 'report_case_closed' as const,
        outcome: 'info' as const,
        details: { caseId: c.id, note },
      })),
    );
  }
  return open.length;
}

/**
 * Unblocks a locked (FOR UPDATE) blocked account: state, `account_unblocked` event, an e-mail to the account's
 * dedicated address (and to the holder's for a delegate), open report cases closed.
 */
export async function unblockLocked(
  trx: Trx,
  acc: Pick<
    AccountRow,
    | 'id'
    | 'kind'
    | 'display_name'
    | 'email'
    | 'pharmacy_id'
    | 'block_reason'
    | 'block_explanation'
    | 'suspicion_cause'
  >,
  method: Exclude<AuthMethod, 'password' | 'system'>,
  ev: EvMeta & { cardSerial?: string | null },
  now: Date,
): Promise<void> {
  await trx
    .updateTable('accounts')
    .set({
      state: 'active',
      block_reason: null,
      block_explanation: null,
      blocked_at: null,
      suspicion_cause: null,
    })
    .where('id', '=', acc.id)
    .execute();
  await appendEvents(trx, [
    {
      ...ev,
      accountId: acc.id,
      at: now,
      type: 'account_unblocked',
      method,
      outcome: 'success',
      details: {
        previousReason: acc.block_reason,
        previousCause: acc.suspicion_cause ?? null,
        previousExplanation: acc.block_explanation,
      },
    },
  ]);
  const mail = accountUnblockedMail({
    name: acc.display_name,
    at: now,
    method,
    workstationLabel: ev.workstationLabel,
  });
  const mails: OutgoingMail[] = [{ ...mail, accountId: acc.id, to: acc.email }];
  if (acc.kind !== 'holder') {
    const h = await holderEmail(trx, acc.pharmacy_id);
    if (h && h !== acc.email)
      mails.push({
        ...mail,
        text: `${mail.text}\n(Compte délégué de ${acc.display_name}.)\n`,
        accountId: acc.id,
        to: h,
      });
  }
  await enqueueMails(trx, now, mails);
  await closeOpenCases(
    trx,
    acc.id,
    now,
    `Compte débloqué (${method === 'card' ? 'carte CPS' : method === 'ecps' ? 'e-CPS' : method === 'security_key' ? 'clé de sécurité' : 'code reçu par courrier'}).`,
    ev,
  );
}

/** Blocks a locked account as suspicious, with the cause kept (the user's own report closes the weak paths). */
export async function blockSuspicious(
  trx: Trx,
  acc: { id: string; display_name: string; email: string },
  cause: 'failures' | 'concurrent_sessions' | 'user_report',
  explanation: string,
  now: Date,
  ev: Partial<NewEvent> = {},
): Promise<void> {
  await blockAccounts(trx, [acc], 'suspicious', explanation, now, { ...ev, details: undefined });
  await trx.updateTable('accounts').set({ suspicion_cause: cause }).where('id', '=', acc.id).execute();
}

export function blockedError(acc: {
  kind: AccountRow['kind'];
  block_reason: 'inactivity' | 'suspicious' | null;
  block_explanation: string | null;
  suspicion_cause?: string | null;
}) {
  let paths = unblockPaths(acc.kind);
  if (
    strongFactorsOnly({
      reason: acc.block_reason ?? 'inactivity',
      cause: (acc.suspicion_cause ?? null) as SuspicionCause | null,
    })
  ) {
    paths = paths.filter((p) => p !== 'security_key' && p !== 'ecps');
  }
  return new BlockedError(
    acc.block_reason ?? 'inactivity',
    acc.block_explanation ?? BLOCK_EXPLANATION_INACTIVITY,
    paths,
  );
}
