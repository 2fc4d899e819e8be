/**
 * The server-side security log: refusals that prove nothing about the account they name (a forged or replayed
 * card sign-in, an attempt the throttle refused unchecked, an e-CPS request nobody answered). Operators read it;
 * no rule counts it against an account, and the account's own events log never shows it.
 */
import type { Ctx } from '../context';
import type { RequestMeta } from '../http/meta';

export interface SecurityLogEntry {
  kind: string;
  method?: string | null;
  /** What the request named: a national id, or the hash of an identifier. */
  subject?: string | null;
  accountId?: string | null;
  details?: Record<string, unknown>;
}

/** Never throws: a failing security log must not change the answer to the request. */
export async function securityLog(ctx: Ctx, meta: RequestMeta, at: Date, e: SecurityLogEntry): Promise<void> {
  await ctx.db
    .insertInto('security_log')
    .values({
      at,
      kind: e.kind,
      method: e.method ?? null,
      subject: e.subject ?? null,
      account_id: e.accountId ?? null,
      workstation_id: meta.workstationId,
      ip: meta.ip,
      details: JSON.stringify(e.details ?? {}),
    })
    .execute()
    .catch((err: unknown) => ctx.log.warn({ err }, 'security log write failed'));
}
