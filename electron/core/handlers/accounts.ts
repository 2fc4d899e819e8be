import type { MyAccount, SecurityCheck } from '../../../domain/api/groups/accounts';
import type { AccountStatus } from '../../../domain/backend-api';
import type { VigieHandlers } from '../../../domain/api/renderer-api';
import { AppError } from '../../../domain/result';
import type { CoreContext } from '../context';
import { backendCalls } from './backend-call';

const DAY = 24 * 60 * 60 * 1000;

/** Most urgent first: blocked, then fewest days left. */
export function byUrgency(a: AccountStatus, b: AccountStatus): number {
  if (a.state !== b.state) return a.state === 'blocked' ? -1 : 1;
  return a.daysLeft - b.daysLeft || a.displayName.localeCompare(b.displayName, 'fr');
}

/**
 * The insurer's advice as a checklist (ARCHITECTURE.md §2): a dedicated mailbox, a password changed in time, no
 * shared credentials, recent events reviewed in the last month. Each with its status; the renderer adds the action.
 */
export function securityChecklist(
  status: AccountStatus,
  o: { email: string | null; reviewedAt: string | null; concurrentSessions: number | null; now: Date },
): SecurityCheck[] {
  const reviewed = o.reviewedAt ? new Date(o.reviewedAt) : null;
  const passwordOk =
    status.passwordExpiresAt === null
      ? null
      : new Date(status.passwordExpiresAt).getTime() - o.now.getTime() > 14 * DAY;
  return [
    { id: 'dedicated-mailbox', status: o.email ? 'ok' : 'unknown', detail: o.email },
    {
      id: 'password-fresh',
      status: passwordOk === null ? 'ok' : passwordOk ? 'ok' : 'todo',
      detail: status.passwordExpiresAt,
    },
    {
      id: 'credentials-not-shared',
      status: o.concurrentSessions === null ? 'unknown' : o.concurrentSessions > 1 ? 'todo' : 'ok',
      detail: o.concurrentSessions === null ? null : String(o.concurrentSessions),
    },
    {
      id: 'events-reviewed',
      status: reviewed && o.now.getTime() - reviewed.getTime() < 31 * DAY ? 'ok' : 'todo',
      detail: o.reviewedAt,
    },
  ];
}

export function accountsHandlers(ctx: CoreContext): VigieHandlers['accounts'] {
  const { client, must } = backendCalls(ctx);

  return {
    getMine: async (): Promise<MyAccount> => {
      const c = client();
      const status = must(await c.call('myStatus'));
      const sessions = await c.call('listSessions');
      const reviewed = ctx.settings.get('eventsReviewedAt') as Record<string, string> | undefined;
      // The backend does not tell the address on file yet: the check says "to verify" rather than guess.
      const email: string | null = null;
      return {
        status,
        email,
        security: securityChecklist(status, {
          email,
          reviewedAt: reviewed?.[status.accountId] ?? null,
          concurrentSessions: sessions.ok ? sessions.value.sessions.length : null,
          now: ctx.now(),
        }),
        fetchedAt: ctx.now().toISOString(),
        stale: false,
      };
    },
    listPharmacy: async () => {
      const { accounts } = must(await client().call('pharmacyAccounts'));
      return { accounts: [...accounts].sort(byUrgency) };
    },
    grantDelegation: async (req) => {
      const d = must(await client().call('grantDelegation', { body: req }));
      return { accountId: d.delegate.accountId };
    },
    revokeDelegation: async ({ accountId }) => {
      const c = client();
      const { delegations } = must(await c.call('listDelegations'));
      const d = delegations.find((x) => x.delegate.accountId === accountId && x.revokedAt === null);
      if (!d) throw new AppError('NOT_FOUND', 'Cette délégation n’existe plus.');
      must(await c.call('revokeDelegation', { params: { id: d.id } }));
      return { revoked: true };
    },
    setDelegationEnd: async ({ accountId, endsOn }) => {
      const c = client();
      const { delegations } = must(await c.call('listDelegations'));
      const d = delegations.find((x) => x.delegate.accountId === accountId && x.revokedAt === null);
      if (!d) throw new AppError('NOT_FOUND', 'Cette délégation n’existe plus.');
      const r = must(await c.call('setDelegationEnd', { params: { id: d.id }, body: { endsOn } }));
      return { endsOn: r.endsOn };
    },
    listWorkstations: async () => must(await client().call('pharmacyWorkstations')),
    revokeWorkstation: async ({ id }) => {
      const w = must(await client().call('revokeWorkstation', { params: { id } }));
      ctx.log('info', 'workstation withdrawn', { id });
      return w;
    },
    freshStart: async ({ accountId }) =>
      must(await client().call('grantFreshStart', { body: { accountId } })),
    setSecurityKey: async (body) => {
      const r = must(await client().call('setSecurityKey', { body }));
      ctx.log('info', 'security key set');
      return r;
    },
    pharmacyFactors: async () => {
      const c = client();
      const [accounts, mine] = await Promise.all([c.call('pharmacyAccounts'), c.call('myFactor')]);
      const { grace } = must(mine);
      return {
        grace,
        inGrace: grace !== null && new Date(grace.graceEndsAt).getTime() > ctx.now().getTime(),
        delegates: must(accounts)
          .accounts.filter((a) => a.kind === 'password_delegate')
          .map(({ accountId, secondFactor }) => ({
            accountId,
            kind: secondFactor?.kind ?? null,
            enrolledAt: secondFactor?.enrolledAt ?? null,
          })),
      };
    },
    resetDelegateFactor: async (body) => {
      const r = must(await client().call('resetFactor', { body }));
      ctx.log('info', 'delegate second factor reset', { accountId: body.accountId });
      return r;
    },
    extendFactorGrace: async () => {
      const g = must(await client().call('extendFactorGrace'));
      ctx.log('info', 'second factor grace extended', { until: g.graceEndsAt });
      return g;
    },
  };
}
