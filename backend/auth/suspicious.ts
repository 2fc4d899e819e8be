/**
 * The suspicious-activity rules of domain/policy/suspicious.ts applied by the backend: failures far beyond
 * throttling, and one password account signed in at the same time from two workstations (shared credentials).
 * A verdict blocks the account as suspicious with its plain-French explanation (event + e-mail, sessions ended).
 */
import { sql } from 'kysely';
import type { SignInResponse } from '../../domain/backend-api';
import {
  concurrentSessionsVerdict,
  failureFloodVerdict,
  type OpenSession,
} from '../../domain/policy/suspicious';
import type { Ctx } from '../context';
import type { RequestMeta } from '../http/meta';
import { accountByIdentifier, accountQuery } from '../accounts/lookup';
import { blockSuspicious } from '../accounts/unblock';
import { evMetaOf } from './event-meta';
import type { SigninDeps } from './deps';
import { allowedPaths } from '../unblock/eligibility';
import { BlockedError } from './errors';

/**
 * Rule 1, after a familiar workstation's failure was logged on the account. Only those count: wrong passwords
 * checked on a registered workstation that proved the request and already served this account. A stranger can
 * fabricate none of them (card and e-CPS refusals, throttled attempts and unfamiliar sources never count).
 */
export async function checkFailureFlood(
  ctx: Ctx,
  deps: SigninDeps,
  accountId: string,
  meta: RequestMeta,
): Promise<boolean> {
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - deps.suspicious.failureWindowMs);
  const rows = await ctx.db
    .selectFrom('events')
    .select('at')
    .where('account_id', '=', accountId)
    .where('type', '=', 'sign_in_failed')
    .where(sql<string>`details->>'source'`, '=', 'familiar')
    .where('at', '>', since)
    .orderBy('seq', 'desc')
    .limit(deps.suspicious.failureThreshold + 1)
    .execute();
  const verdict = failureFloodVerdict(
    rows.map((r) => r.at),
    now,
    deps.suspicious,
  );
  if (!verdict) return false;
  return ctx.db.transaction().execute(async (trx) => {
    // FOR NO KEY UPDATE: the block changes no key, and concurrent `sign_in_failed` appends hold the chain head while
    // taking FOR KEY SHARE on this row (the event's foreign key): FOR UPDATE here deadlocked with them.
    const acc = await accountQuery(trx)
      .where('a.id', '=', accountId)
      .forNoKeyUpdate(['a'])
      .executeTakeFirstOrThrow();
    if (acc.state !== 'active') return false;
    await blockSuspicious(trx, acc, verdict.cause, verdict.explanation, now, {
      ...evMetaOf(meta),
      method: 'system',
    });
    return true;
  });
}

/** Rule 2, right after a successful password sign-in: another open password session elsewhere blocks the account. */
export async function checkConcurrentSessions(
  ctx: Ctx,
  deps: SigninDeps,
  res: SignInResponse,
  meta: RequestMeta,
): Promise<void> {
  if (
    !deps.suspicious.concurrentSessionsRule ||
    !meta.workstationId ||
    !deps.concurrentRuleKinds.includes(res.account.kind)
  )
    return;
  const now = ctx.clock.now();
  const open = await ctx.db
    .selectFrom('sessions as s')
    .innerJoin('workstations as w', 'w.id', 's.workstation_id')
    .select(['s.workstation_id', 'w.label', 's.method', 's.created_at'])
    .where('s.account_id', '=', res.account.id)
    .where('s.id', '<>', res.sessionId)
    .where('s.revoked_at', 'is', null)
    .where('s.created_at', '>', new Date(now.getTime() - ctx.config.sessionAbsoluteMs))
    .where('s.last_seen_at', '>', new Date(now.getTime() - ctx.config.sessionIdleMs))
    .execute();
  const label = await ctx.db
    .selectFrom('workstations')
    .select('label')
    .where('id', '=', meta.workstationId)
    .executeTakeFirst();
  const verdict = concurrentSessionsVerdict(
    {
      workstationId: meta.workstationId,
      workstationLabel: label?.label ?? meta.workstationLabel,
      method: 'password',
      at: now,
    },
    open.map((s): OpenSession => ({
      workstationId: s.workstation_id,
      workstationLabel: s.label,
      method: s.method as OpenSession['method'],
      startedAt: s.created_at,
    })),
    deps.suspicious,
  );
  if (!verdict) return;
  const blockedAcc = await ctx.db.transaction().execute(async (trx) => {
    const a = await accountQuery(trx)
      .where('a.id', '=', res.account.id)
      .forNoKeyUpdate(['a'])
      .executeTakeFirstOrThrow();
    if (a.state === 'active')
      await blockSuspicious(trx, a, verdict.cause, verdict.explanation, now, {
        ...evMetaOf(meta, label?.label ?? null),
        method: 'system',
      });
    return {
      ...a,
      state: 'blocked' as const,
      block_reason: 'suspicious' as const,
      block_explanation: verdict.explanation,
      suspicion_cause: verdict.cause,
    };
  });
  throw new BlockedError('suspicious', verdict.explanation, await allowedPaths(ctx, deps, blockedAcc));
}

/**
 * Password sign-in with the rules around it: a refusal may complete a flood (rule 1); a success may reveal shared
 * credentials (rule 2), in which case the session just opened is ended with the others and the answer is the block.
 */
export async function withSuspicionRules<R extends SignInResponse | { secondStep: unknown }>(
  ctx: Ctx,
  deps: SigninDeps,
  identifier: string,
  meta: RequestMeta,
  signIn: (afterFailure: (accountId: string) => Promise<unknown>) => Promise<R>,
): Promise<R> {
  let res: R;
  try {
    // The failure-flood rule runs inside the sign-in's equal-timing window (no timing difference for
    // identifiers that exist).
    res = await signIn((accountId) => checkFailureFlood(ctx, deps, accountId, meta));
  } catch (e) {
    if (e instanceof BlockedError) {
      const acc = await accountByIdentifier(ctx, identifier).catch(() => undefined);
      if (acc?.state === 'blocked')
        throw new BlockedError(e.reason, e.explanation, await allowedPaths(ctx, deps, acc));
    }
    throw e;
  }
  // A second step opened no session yet: the rule runs when it does.
  if ('token' in res) await checkConcurrentSessions(ctx, deps, res, meta);
  return res;
}
