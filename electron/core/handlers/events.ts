import type { Case, EventFilters } from '../../../domain/api/groups/events';
import type { VigieHandlers } from '../../../domain/api/renderer-api';
import type { EventsQuery, VigieEvent } from '../../../domain/backend-api';
import { AppError, type Result } from '../../../domain/result';
import type { CoreContext } from '../context';
import { toAppError } from '../session/session-service';

const WEEK = 7 * 24 * 60 * 60 * 1000;

/** Monday 00:00 UTC of the week holding `d` (weeks of the chart). */
export function weekStart(d: Date): Date {
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
}

/** Sign-ins per week, successes and failures apart, oldest week first, empty weeks included. */
export function weeklyCounts(events: readonly Pick<VigieEvent, 'at' | 'type'>[], now: Date, weeks: number) {
  const first = weekStart(new Date(now.getTime() - (weeks - 1) * WEEK)).getTime();
  const rows = Array.from({ length: weeks }, (_, i) => ({
    weekStart: new Date(first + i * WEEK).toISOString(),
    success: 0,
    failure: 0,
  }));
  for (const e of events) {
    const i = Math.floor((weekStart(new Date(e.at)).getTime() - first) / WEEK);
    const row = rows[i];
    if (!row) continue;
    if (e.type === 'sign_in') row.success++;
    else if (e.type === 'sign_in_failed' || e.type === 'sign_in_refused_blocked') row.failure++;
  }
  return rows;
}

const query = (f: EventFilters): EventsQuery => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== ''));

export function eventsHandlers(ctx: CoreContext): VigieHandlers['events'] {
  const client = () => {
    const c = ctx.backendClient?.();
    if (!c) throw new AppError('BACKEND_UNREACHABLE', 'Le serveur Vigie ne répond pas.', true);
    return c;
  };
  const must = <T>(r: Result<T>): T => {
    if (!r.ok) {
      ctx.session?.noticeError(r);
      throw toAppError(r);
    }
    return r.value;
  };
  const caseFrom = (e: Pick<VigieEvent, 'id' | 'at' | 'details'>, actions: Case['actions'], advice: string): Case => {
    const secured = actions.length > 0;
    return {
      id: `case-${e.id}`,
      eventId: Number(e.details.eventId ?? e.id),
      openedAt: e.at,
      status: secured ? 'secured' : 'received',
      steps: [
        { status: 'received', at: e.at, note: 'Signalement enregistré dans le journal du compte.' },
        ...(secured ? [{ status: 'secured' as const, at: e.at, note: 'Toutes les sessions ont été fermées.' }] : []),
      ],
      actions,
      advice,
    };
  };

  return {
    list: async ({ filters, cursor, limit }) =>
      must(await client().call('listEvents', { query: { ...query(filters), ...(cursor ? { cursor } : {}), limit } })),

    weekly: async ({ accountId, weeks }) => {
      const from = weekStart(new Date(ctx.now().getTime() - (weeks - 1) * WEEK)).toISOString();
      const seen: VigieEvent[] = [];
      for (const type of ['sign_in', 'sign_in_failed', 'sign_in_refused_blocked'] as const) {
        let cursor: string | undefined;
        for (let page = 0; page < 25; page++) {
          const r = must(
            await client().call('listEvents', {
              query: { type, from, limit: 200, ...(accountId ? { accountId } : {}), ...(cursor ? { cursor } : {}) },
            }),
          );
          seen.push(...r.events);
          if (!r.nextCursor) break;
          cursor = r.nextCursor;
        }
      }
      return { weeks: weeklyCounts(seen, ctx.now(), weeks) };
    },

    verify: async ({ accountId }) => must(await client().call('verifyEvents', { query: accountId ? { accountId } : {} })),

    exportCsv: async ({ filters }) => {
      const csv = must(await client().call('exportEvents', { query: query(filters) }));
      const day = ctx.now().toISOString().slice(0, 10);
      return { filename: `vigie-evenements-${day}.csv`, csv };
    },

    report: async ({ eventId, comment }) => {
      const c = client();
      const r = must(await c.call('reportEvent', { params: { id: eventId }, body: comment ? { comment } : {} }));
      // Secure the account at once: every session closed (this one too); the person signs in again to go on.
      const revoked = await c.call('revokeAllSessions');
      const at = ctx.now().toISOString();
      const result = caseFrom({ id: eventId, at, details: { eventId } }, revoked.ok ? ['sessions-revoked'] : [], r.advice);
      if (revoked.ok) ctx.session?.end('revoked');
      return result;
    },

    listCases: async () => {
      const { events } = must(await client().call('listEvents', { query: { type: 'activity_reported', limit: 50 } }));
      const advice =
        'Appelez le 36 08, ou contactez le délégué numérique en santé de votre CPAM, pour signaler cette activité à l’Assurance Maladie.';
      return { cases: events.map((e) => caseFrom(e, ['sessions-revoked'], advice)) };
    },

    markReviewed: async () => {
      const accountId = ctx.session?.current.user?.accountId;
      if (!accountId) throw new AppError('UNAUTHENTICATED', 'Connexion requise.');
      const at = ctx.now().toISOString();
      ctx.settings.set('eventsReviewedAt', { ...(ctx.settings.get('eventsReviewedAt') ?? {}), [accountId]: at });
      return { reviewedAt: at };
    },
  };
}
