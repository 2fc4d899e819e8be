/**
 * The throttling of code attempts. Every code attempt is reserved before it is checked, per source (workstation and
 * address) and per account, under the sign-in throttle; a throttled attempt is not checked. An unknown or spent
 * ticket, a wrong code and a throttled attempt get one answer (`refused`), padded to the refusal floor by the caller.
 * Wrong codes are written in the account's events (someone holds the password) and never count toward a block.
 */
import { AppError } from '../../../domain/result';
import type { Ctx } from '../../context';
import { sha256 } from '../../crypto';
import type { Db } from '../../db/connect';
import { appendEvents } from '../../events/chain';
import type { RequestMeta } from '../../http/meta';
import { provenByRegisteredWorkstation } from '../../workstations/proofs';
import { refusalMeta, requireWorkstation } from '../event-meta';
import { securityLog } from '../security-log';
import { AWAY_CODE_THROTTLE, GENTLE_THROTTLE } from '../throttle';
import { sql } from 'kysely';
import { stepAttemptQuery, type AttemptRow } from './steps-fast';
import type { StepRow } from './step-store';

export const refused = () =>
  new AppError(
    'INVALID_CREDENTIALS',
    'Ce code ne convient pas, a expiré ou a déjà servi. Vérifiez-le, ou reprenez la connexion depuis le début.',
  );
export type Step = AttemptRow & { id: string };
export interface Attempt {
  throttled: boolean;
  /** The request came from a registered workstation and its proof was checked against the registered key. */
  home: boolean;
  keys: string[];
  shared: string | null;
}
/**
 * The live step a ticket names (of the given purpose, from the workstation it was given to), and one code attempt
 * reserved before any check, in one statement (./steps-fast.ts); `throttled` when the code must not be checked. Per
 * source and per step under the sign-in throttle (3 free, then growing waits, a pause after 10), and per account in
 * two counters, as smart lockout does: from a registered workstation that proved the request (the pharmacy's own),
 * the gentle throttle (never more than a minute's wait); from anywhere else, one counter for all such places that
 * allows about one try an hour after 20 wrong codes in a day. Someone who holds the password, whatever the number of
 * his sources, gets a few dozen guesses a day and cannot keep the owner out of her own workstation. `keys` are the
 * counters a right code clears; the shared one (`shared`) only takes back the right code's own count: clearing it
 * would hand a stranger a fresh day of guesses at each of the owner's sign-ins (it forgets on its own after a quiet
 * day).
 */
export async function beginAttempt(
  ctx: Ctx,
  meta: RequestMeta,
  ticket: string,
  purpose: 'verify' | 'enrol',
  now: Date,
): Promise<{ step: Step | undefined; attempt: Attempt }> {
  const workstationId = requireWorkstation(meta);
  const src = `2f:src:${sha256(`${workstationId}|${meta.ip ?? ''}`)}`;
  // a step is bound to the workstation it was opened on: the request names it (the statement checks it)
  const home = await provenByRegisteredWorkstation(ctx.db, workstationId, meta, now);
  const accountSuffix = home ? `:ws:${workstationId}` : ':away';
  const row = (
    await stepAttemptQuery(
      {
        ticket,
        workstationId,
        purpose,
        sourceKey: src,
        accountSuffix,
        accountPolicy: home ? GENTLE_THROTTLE : AWAY_CODE_THROTTLE,
        now,
      },
      ctx.config,
    ).execute(ctx.db)
  ).rows[0]!;
  const throttled = row.throttled === true;
  if (row.id === null) return { step: undefined, attempt: { throttled, home, keys: [src], shared: null } };
  const step = { ...row, id: row.id, last_step: row.last_step === null ? null : Number(row.last_step) };
  const strict = [src, `2f:step:${step.id}`];
  const account = `2f:acc:${step.account_id}${accountSuffix}`;
  return {
    step,
    attempt: home
      ? { throttled, home, keys: [...strict, account], shared: null }
      : { throttled, home, keys: strict, shared: account },
  };
}

/** After a right code: its counters cleared, and the shared one without the count this right code added. */
export async function settle(db: Db, attempt: Attempt) {
  await db.deleteFrom('login_throttle').where('key', 'in', attempt.keys).execute();
  if (attempt.shared)
    await db
      .updateTable('login_throttle')
      .set((eb) => ({ failures: sql<number>`greatest(${eb.ref('failures')} - 1, 0)` }))
      .where('key', '=', attempt.shared)
      .execute();
}

/** A refused code: the security log when throttled or when the ticket names nothing, the account's events otherwise. */
export async function recordRefusal(
  ctx: Ctx,
  meta: RequestMeta,
  now: Date,
  step: StepRow | undefined,
  throttled: boolean,
  method: string,
) {
  if (throttled || !step) {
    await securityLog(ctx, meta, now, {
      kind: throttled ? 'second_factor_throttled' : 'second_factor_unknown_ticket',
      method: 'password',
      accountId: step?.account_id ?? null,
      details: { method },
    });
    return;
  }
  const ev = await refusalMeta(ctx, meta);
  await ctx.db.transaction().execute((trx) =>
    appendEvents(trx, [
      {
        ...ev,
        accountId: step.account_id,
        at: now,
        type: 'second_factor_failed',
        method: 'password',
        outcome: 'failure',
        details: { factor: method, purpose: step.purpose },
      },
    ]),
  );
}
