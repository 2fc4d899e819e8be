import type { Case, EventFilters } from '../../../domain/api/groups/events';
import type { VigieHandlers } from '../../../domain/api/renderer-api';
import type { EventsQuery, ReportCaseDto, VigieEvent } from '../../../domain/backend-api';
import { AppError } from '../../../domain/result';
import type { CoreContext } from '../context';
import { backendCalls } from './backend-call';

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

/** A report case of the backend as the renderer shows it. */
const toCase = (c: ReportCaseDto): Case => ({
  id: c.id,
  eventId: c.eventId,
  openedAt: c.openedAt,
  status: c.status,
  steps: c.steps,
  actions: c.actions,
  advice: c.advice,
});

const query = (f: EventFilters): EventsQuery => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== ''));

export function eventsHandlers(ctx: CoreContext): VigieHandlers['events'] {
  const { client, must } = backendCalls(ctx);
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

    report: async ({ eventId, comment, blockAccount }) => {
      // The backend opens the case and secures the account at once (every session ended, this one too; a new
      // password required; blocked if asked): the person signs in again to go on.
      const c = must(await client().call('openReport', { body: { eventId, blockAccount, ...(comment ? { comment } : {}) } }));
      ctx.backend.clientIfReady()?.forget();
      ctx.session.end('revoked');
      return toCase(c);
    },

    listCases: async () => ({ cases: must(await client().call('listReports')).cases.map(toCase) }),

    markReviewed: async () => {
      const accountId = ctx.session.current.user?.accountId;
      if (!accountId) throw new AppError('UNAUTHENTICATED', 'Connexion requise.');
      const at = ctx.now().toISOString();
      ctx.settings.set('eventsReviewedAt', { ...(ctx.settings.get('eventsReviewedAt') ?? {}), [accountId]: at });
      return { reviewedAt: at };
    },
  };
}
