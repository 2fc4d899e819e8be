import type { Case, EventFilters } from '../../../domain/api/groups/events';
import type { VigieHandlers } from '../../../domain/api/renderer-api';
import type { EventsQuery, ReportCaseDto, VigieEvent } from '../../../domain/backend-api';
import { AppError } from '../../../domain/result';
import { dirname } from 'node:path';
import type { HistoryCheck } from '../../../domain/api/groups/events';
import type { CoreContext } from '../context';
import { CheckpointStore, afterPurge, firstChange, remember } from '../events/checkpoints';
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

const query = (f: EventFilters): EventsQuery =>
  Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== ''));

/** Pages fetched at most to name the first changed event (200 events each). */
const HISTORY_PAGES = 12;

export function eventsHandlers(ctx: CoreContext): VigieHandlers['events'] {
  const { client, must } = backendCalls(ctx);
  let store: CheckpointStore | null = null;
  const checkpoints = () => (store ??= new CheckpointStore(dirname(ctx.settings.path)));

  /** Keeps the hash of every event shown here, per account (never replacing one already kept). */
  const rememberShown = (events: readonly VigieEvent[]) => {
    try {
      const byAccount = new Map<string, VigieEvent[]>();
      for (const e of events) byAccount.set(e.accountId, [...(byAccount.get(e.accountId) ?? []), e]);
      for (const [accountId, evs] of byAccount)
        checkpoints().set(accountId, remember(checkpoints().get(accountId), evs));
    } catch (e) {
      ctx.log('warn', 'events checkpoints not saved', { error: String(e) });
    }
  };

  /**
   * Compares the events this workstation showed with the server's chain now. The newest and the oldest it
   * showed come first: if both are unchanged, nothing between them changed either (each hash covers every
   * earlier event, and the oldest one is still there). Otherwise the chain is read down to the oldest one it
   * showed, to name the first that differs.
   */
  const checkHistory = async (
    accountId: string,
    anchorSeq: number,
    asked: string | undefined,
  ): Promise<HistoryCheck> => {
    const { kept, purged } = afterPurge(checkpoints().get(accountId), anchorSeq);
    if (purged > 0) checkpoints().set(accountId, kept);
    const seqs = Object.keys(kept).map(Number);
    if (seqs.length === 0) return { changed: null, purged: purged > 0 };
    const max = Math.max(...seqs);
    const min = Math.min(...seqs);
    const page = (cursor: number, limit: number) =>
      client().call('listEvents', {
        query: { ...(asked ? { accountId: asked } : {}), cursor: String(cursor), limit },
      });
    const probe = async (seq: number) => must(await page(seq + 1, 1)).events.find((e) => e.seq === seq)?.hash;
    if ((await probe(max)) === kept[String(max)]![0] && (await probe(min)) === kept[String(min)]![0]) {
      return { changed: null, purged: purged > 0 };
    }
    const current = new Map<number, string>();
    let cursor = max + 1;
    let from = min;
    for (let n = 0; n < HISTORY_PAGES; n++) {
      const r = must(await page(cursor, 200));
      for (const e of r.events) if (e.hash) current.set(e.seq, e.hash);
      const last = r.events[r.events.length - 1];
      if (!r.nextCursor || !last || last.seq <= min) break;
      if (n === HISTORY_PAGES - 1) from = last.seq;
      cursor = last.seq;
    }
    return { changed: firstChange(kept, current, { from, to: max }), purged: purged > 0 };
  };

  return {
    list: async ({ filters, cursor, limit }) => {
      const page = must(
        await client().call('listEvents', {
          query: { ...query(filters), ...(cursor ? { cursor } : {}), limit },
        }),
      );
      rememberShown(page.events);
      return page;
    },

    weekly: async ({ accountId, weeks }) => {
      const from = weekStart(new Date(ctx.now().getTime() - (weeks - 1) * WEEK)).toISOString();
      const seen: VigieEvent[] = [];
      for (const type of ['sign_in', 'sign_in_failed', 'sign_in_refused_blocked'] as const) {
        let cursor: string | undefined;
        for (let page = 0; page < 25; page++) {
          const r = must(
            await client().call('listEvents', {
              query: {
                type,
                from,
                limit: 200,
                ...(accountId ? { accountId } : {}),
                ...(cursor ? { cursor } : {}),
              },
            }),
          );
          seen.push(...r.events);
          if (!r.nextCursor) break;
          cursor = r.nextCursor;
        }
      }
      return { weeks: weeklyCounts(seen, ctx.now(), weeks) };
    },

    verify: async ({ accountId }) => {
      const server = must(await client().call('verifyEvents', { query: accountId ? { accountId } : {} }));
      // An anchor the server itself cannot vouch for (a purge faked in the database) forgets nothing here.
      const bad = server.firstBad;
      const forgedAnchor =
        bad?.problem === 'rewritten' && bad.id === null && bad.seq === server.anchorSeq + 1;
      return {
        ...server,
        history: await checkHistory(server.accountId, forgedAnchor ? 0 : server.anchorSeq, accountId),
      };
    },

    exportCsv: async ({ filters }) => {
      const csv = must(await client().call('exportEvents', { query: query(filters) }));
      const day = ctx.now().toISOString().slice(0, 10);
      return { filename: `vigie-evenements-${day}.csv`, csv };
    },

    report: async ({ eventId, comment, blockAccount }) => {
      // The backend opens the case and secures the account at once (every session ended, this one too; a new
      // password required; blocked if asked): the person signs in again to go on.
      const c = must(
        await client().call('openReport', {
          body: { eventId, blockAccount, ...(comment ? { comment } : {}) },
        }),
      );
      ctx.backend.clientIfReady()?.forget();
      ctx.session.end('revoked');
      return toCase(c);
    },

    listCases: async () => ({ cases: must(await client().call('listReports')).cases.map(toCase) }),

    markReviewed: async () => {
      const accountId = ctx.session.current.user?.accountId;
      if (!accountId) throw new AppError('UNAUTHENTICATED', 'Connexion requise.');
      const at = ctx.now().toISOString();
      ctx.settings.set('eventsReviewedAt', {
        ...(ctx.settings.get('eventsReviewedAt') ?? {}),
        [accountId]: at,
      });
      return { reviewedAt: at };
    },
  };
}
