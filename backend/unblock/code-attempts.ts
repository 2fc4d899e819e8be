/**
 * Guessing a code that was sent to the owner (the postal code, the fresh-start code). Each attempt is reserved per
 * source (workstation and address, under the account throttle) and per identifier (a gentle throttle that never
 * keeps the owner waiting past a minute) before the code is compared; a throttled attempt is not checked. A
 * refusal goes to the security log when it was throttled (it says nothing about the account), otherwise to the
 * events of the account it names, if there is one; wrong codes never spend the code.
 */
import type { EventType } from '../../domain/backend-api';
import type { AuthMethod } from '../db/schema';
import type { Ctx } from '../context';
import { sha256 } from '../crypto';
import { appendEvents } from '../events/chain';
import type { RequestMeta } from '../http/meta';
import { refusalMeta } from '../auth/event-meta';
import { securityLog } from '../auth/security-log';
import { GENTLE_THROTTLE, identifierKey, reserveAttempt } from '../auth/throttle';

export interface CodeAttempt {
  throttled: boolean;
  /** The two counters the attempt was reserved on: a success clears them. */
  keys: [source: string, identifier: string];
}

/** `prefix` names the kind of code, so each has its own counters: `pc` postal code, `fs` fresh start. */
export async function reserveCodeAttempt(
  ctx: Ctx,
  prefix: 'pc' | 'fs',
  identifier: string,
  meta: RequestMeta,
  now: Date,
): Promise<CodeAttempt> {
  const idKey = `${prefix}:${identifierKey(identifier)}`;
  const srcKey = `${idKey}:src:${sha256(`${meta.workstationId ?? ''}|${meta.ip ?? ''}`)}`;
  const throttled =
    (await reserveAttempt(ctx.db, srcKey, now, ctx.config.accountThrottle)) ||
    (await reserveAttempt(ctx.db, idKey, now, GENTLE_THROTTLE));
  return { throttled, keys: [srcKey, idKey] };
}

export async function recordCodeRefusal(
  ctx: Ctx,
  meta: RequestMeta,
  now: Date,
  r: {
    throttled: boolean;
    identifier: string;
    accountId: string | null;
    /** The security-log entry of a throttled attempt. */
    log: { kind: string; method: AuthMethod };
    /** The account's event of a checked, wrong attempt. */
    event: { type: EventType; method: AuthMethod; reason: string };
  },
): Promise<void> {
  if (r.throttled) {
    await securityLog(ctx, meta, now, {
      ...r.log,
      subject: identifierKey(r.identifier),
      accountId: r.accountId,
    });
    return;
  }
  const accountId = r.accountId;
  if (!accountId) return;
  const ev = await refusalMeta(ctx, meta);
  await ctx.db.transaction().execute((trx) =>
    appendEvents(trx, [
      {
        ...ev,
        accountId,
        at: now,
        type: r.event.type,
        method: r.event.method,
        outcome: 'failure',
        details: { reason: r.event.reason },
      },
    ]),
  );
}
