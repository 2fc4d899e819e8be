import { sql } from 'kysely';
import type { z } from 'zod';
import type { EventsPageSchema, EventsQuerySchema } from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { executeCompiled } from '../db/connect';
import { verifyChain } from './chain';
import { JsonText } from '../http/json-text';
import type { AuthInfo } from '../sessions/sessions';

type Query = z.output<typeof EventsQuerySchema>;

/** Whose events the caller may read: their own; a holder also reads every account of the pharmacy. */
export async function targetAccount(
  ctx: Ctx,
  auth: AuthInfo,
  accountId: string | undefined,
): Promise<string> {
  if (!accountId || accountId === auth.accountId) return auth.accountId;
  if (auth.kind === 'holder') {
    const same = await ctx.db
      .selectFrom('accounts')
      .select('id')
      .where('id', '=', accountId)
      .where('pharmacy_id', '=', auth.pharmacyId)
      .executeTakeFirst();
    if (same) return accountId;
  }
  throw new AppError('NOT_FOUND', 'Compte introuvable.');
}

function filtered(ctx: Pick<Ctx, 'db'>, accountId: string, q: Omit<Query, 'cursor' | 'limit'>) {
  let s = ctx.db.selectFrom('events').where('account_id', '=', accountId);
  if (q.type) s = s.where('type', '=', q.type);
  if (q.method) s = s.where('method', '=', q.method);
  if (q.outcome) s = s.where('outcome', '=', q.outcome);
  if (q.workstationId) s = s.where('workstation_id', '=', q.workstationId);
  if (q.from) s = s.where('at', '>=', new Date(q.from));
  if (q.to) s = s.where('at', '<', new Date(q.to));
  return s;
}

/**
 * The events page, unexecuted (its SQL is committed in db/snapshots/events-page.sql): newest first, keyset
 * pagination on the chain's sequence number (no OFFSET), one row more than the page to know whether another
 * follows. Reading another account of the pharmacy (holder) is checked inside the same query.
 *
 * Each event comes as its JSON text, the API's fields (`EventSchema`) written by PostgreSQL (`row_to_json` over
 * the columns named as the API names them; the time as `toISOString` writes it): a page then goes out without
 * its rows being parsed, mapped and encoded again here, which was most of its cost in this process. A test holds
 * this text to the schema and to each column (test/events.int.test.ts).
 */
export function eventsPageQuery(ctx: Pick<Ctx, 'db'>, accountId: string, q: Query, pharmacyOf?: string) {
  let s = filtered(ctx, accountId, q).select([
    'id',
    'account_id as accountId',
    'seq',
    sql<string>`to_char("at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('at'),
    'type',
    'method',
    'outcome',
    'workstation_id as workstationId',
    'workstation_label as workstationLabel',
    'ip',
    'app_version as appVersion',
    'card_serial as cardSerial',
    'details',
    'hash',
  ]);
  if (pharmacyOf !== undefined) {
    s = s.where((eb) =>
      eb.exists(
        eb
          .selectFrom('accounts as a')
          .select('a.id')
          .whereRef('a.id', '=', 'events.account_id')
          .where('a.pharmacy_id', '=', pharmacyOf),
      ),
    );
  }
  if (q.cursor) s = s.where('seq', '<', Number(q.cursor));
  const page = s.orderBy('seq', 'desc').limit(q.limit + 1);
  return ctx.db
    .selectFrom(page.as('e'))
    .select(['e.seq', sql<string>`row_to_json(e)::text`.as('json')])
    .orderBy('e.seq', 'desc');
}

/**
 * The caller's events, or (holder) another account's of the pharmacy, as the page's JSON text; the separate
 * check runs only on an empty page.
 */
export async function listEvents(
  ctx: Ctx,
  auth: AuthInfo,
  q: Query,
): Promise<JsonText<z.input<typeof EventsPageSchema>>> {
  const own = !q.accountId || q.accountId === auth.accountId;
  if (!own && auth.kind !== 'holder') throw new AppError('NOT_FOUND', 'Compte introuvable.');
  const accountId = own ? auth.accountId : q.accountId!;
  const pharmacyOf = own ? undefined : auth.pharmacyId;
  // The statement's parameters in the order its builder adds them, absent ones undefined (checked on each
  // shape's first run).
  const values = [
    accountId,
    q.type || undefined,
    q.method || undefined,
    q.outcome || undefined,
    q.workstationId || undefined,
    q.from ? new Date(q.from) : undefined,
    q.to ? new Date(q.to) : undefined,
    pharmacyOf,
    q.cursor ? Number(q.cursor) : undefined,
    q.limit + 1,
  ];
  // Compiled once per shape but not a prepared statement: after five runs PostgreSQL may keep one generic plan, and
  // the best index here depends on the filter's values (a rare type or outcome, or a common one); planning it costs
  // less than a wrong plan.
  const rows = await executeCompiled(
    ctx.db,
    { name: 'events-page', shape: values.map((v) => (v === undefined ? 0 : 1)).join('') },
    values.filter((v) => v !== undefined),
    () => eventsPageQuery(ctx, accountId, q, pharmacyOf),
  );
  if (rows.length === 0 && !own) await targetAccount(ctx, auth, accountId);
  const page = rows.slice(0, q.limit);
  const next = rows.length > q.limit ? JSON.stringify(String(page[page.length - 1]!.seq)) : 'null';
  return new JsonText(`{"events":[${page.map((r) => r.json).join(',')}],"nextCursor":${next}}`);
}

const CSV_HEADER = [
  'date',
  'evenement',
  'methode',
  'resultat',
  'poste',
  'id_poste',
  'ip',
  'version_app',
  'carte',
  'numero',
];

/** RFC 4180 quoting; cells starting with = + - @ are prefixed with ' so spreadsheets do not run them. */
function cell(v: string | number | null): string {
  let s = v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function exportEventsCsv(
  ctx: Ctx,
  auth: AuthInfo,
  q: Omit<Query, 'cursor' | 'limit'>,
): Promise<string> {
  const accountId = await targetAccount(ctx, auth, q.accountId);
  const lines = [CSV_HEADER.join(',')];
  let cursor: number | null = null;
  for (;;) {
    let s = filtered(ctx, accountId, q).selectAll();
    if (cursor !== null) s = s.where('seq', '<', cursor);
    const rows = await s.orderBy('seq', 'desc').limit(5000).execute();
    for (const r of rows) {
      lines.push(
        [
          r.at.toISOString(),
          r.type,
          r.method,
          r.outcome,
          r.workstation_label,
          r.workstation_id,
          r.ip,
          r.app_version,
          r.card_serial,
          Number(r.seq),
        ]
          .map(cell)
          .join(','),
      );
    }
    if (rows.length < 5000) break;
    cursor = Number(rows[rows.length - 1]!.seq);
  }
  return `${lines.join('\r\n')}\r\n`;
}

export async function verifyEvents(ctx: Ctx, auth: AuthInfo, accountId: string | undefined) {
  return verifyChain(ctx.db, await targetAccount(ctx, auth, accountId), { reseal: true });
}
