/**
 * The workstations a pharmacy's accounts use: seen at every sign-in (first and last seen, label), listed to the
 * holder, and withdrawn by her: its open sessions end and no one can sign in from it again. Registration is in
 * ./registration.ts, request proofs in ./proofs.ts.
 */
import { sql } from 'kysely';
import { type PharmacyWorkstation } from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import type { Db } from '../db/connect';
import { appendEvents } from '../events/chain';
import type { AuthInfo } from '../sessions/sessions';
import type { RequestMeta } from '../http/meta';
import { evMetaOf } from '../auth/event-meta';

/** On an upsert of a workstation: the header's label names an unregistered one; a registered one keeps its own. */
export const labelOnSeen = (headerLabel: string | null) =>
  sql<string>`case when workstations.public_key is null then coalesce(${headerLabel}::text, workstations.label) else workstations.label end`;

/**
 * Records a workstation seen at sign-in (first or last seen) and returns its label and whether it was withdrawn.
 * The label sent in the header names a workstation that has not registered; a registered one keeps its own.
 */
export async function recordWorkstationSeen(
  db: Db,
  id: string,
  headerLabel: string | null,
  now: Date,
): Promise<{ label: string; revoked_at: Date | null; public_key: string | null }> {
  return db
    .insertInto('workstations')
    .values({
      id,
      label: headerLabel ?? 'Poste sans nom',
      first_seen_at: now,
      last_seen_at: now,
      revoked_at: null,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        label: labelOnSeen(headerLabel),
        last_seen_at: now,
      }),
    )
    .returning(['label', 'revoked_at', 'public_key'])
    .executeTakeFirstOrThrow();
}

function requireHolder(auth: AuthInfo) {
  if (auth.kind !== 'holder')
    throw new AppError('FORBIDDEN', 'Seul le titulaire gère les postes de la pharmacie.');
}

/** A workstation first seen less than this long ago is shown to the holder as new. */
export const NEW_WORKSTATION_MS = 7 * 86_400_000;

interface Row {
  id: string;
  label: string;
  first_seen_at: Date;
  last_seen_at: Date;
  registered_at: Date | null;
  revoked_at: Date | null;
  last_used_by: string | null;
  open_sessions: number;
  owned: boolean;
}

/**
 * The pharmacy a workstation belongs to: the one recorded (registration from a session, first sign-in), or, for a
 * workstation recorded before that, the pharmacy of its first session.
 */
const ownerOf = (w: string) => sql<
  string | null
>`coalesce(${sql.ref(`${w}.pharmacy_id`)}, (select a.pharmacy_id from sessions s
  join accounts a on a.id = s.account_id where s.workstation_id = ${sql.ref(`${w}.id`)} order by s.created_at, s.id limit 1))`;

/**
 * The workstations of the pharmacy, and those on which one of its accounts opened a session, most recently seen
 * first. Only the pharmacy's own (`owned`) can be withdrawn by its holder.
 */
async function pharmacyWorkstations(ctx: Ctx, pharmacyId: string, onlyId?: string): Promise<Row[]> {
  const now = ctx.clock.now();
  const idleSince = new Date(now.getTime() - ctx.config.sessionIdleMs);
  const r = await sql<Row>`
    select w.id, w.label, w.first_seen_at, w.last_seen_at, w.registered_at, w.revoked_at,
           (select a.display_name from sessions s join accounts a on a.id = s.account_id
             where s.workstation_id = w.id and a.pharmacy_id = ${pharmacyId}::uuid order by s.created_at desc limit 1) as last_used_by,
           (select count(*) from sessions s join accounts a on a.id = s.account_id
             where s.workstation_id = w.id and a.pharmacy_id = ${pharmacyId}::uuid and s.revoked_at is null and s.last_seen_at > ${idleSince}::timestamptz)::int as open_sessions,
           coalesce(${ownerOf('w')} = ${pharmacyId}::uuid, false) as owned
    from workstations w
    where (w.pharmacy_id = ${pharmacyId}::uuid
           or exists (select 1 from sessions s join accounts a on a.id = s.account_id where s.workstation_id = w.id and a.pharmacy_id = ${pharmacyId}::uuid))
      and (${onlyId ?? null}::text is null or w.id = ${onlyId ?? null}::text)
    order by w.revoked_at is not null, w.last_seen_at desc
    limit 200
  `.execute(ctx.db);
  return r.rows;
}

const toApi = (w: Row, currentId: string | null, now: Date): PharmacyWorkstation => ({
  id: w.id,
  label: w.label,
  firstSeenAt: w.first_seen_at.toISOString(),
  lastSeenAt: w.last_seen_at.toISOString(),
  registeredAt: w.registered_at?.toISOString() ?? null,
  revokedAt: w.revoked_at?.toISOString() ?? null,
  lastUsedBy: w.last_used_by,
  openSessions: Number(w.open_sessions),
  current: w.id === currentId,
  isNew: now.getTime() - w.first_seen_at.getTime() < NEW_WORKSTATION_MS,
  otherPharmacy: !w.owned,
});

export async function listPharmacyWorkstations(ctx: Ctx, auth: AuthInfo): Promise<PharmacyWorkstation[]> {
  requireHolder(auth);
  const now = ctx.clock.now();
  return (await pharmacyWorkstations(ctx, auth.pharmacyId)).map((w) => toApi(w, auth.workstationId, now));
}

/**
 * Withdraws a workstation of the pharmacy: the open sessions of the pharmacy's accounts on it end (each person's
 * log says so), and sign-ins and registration from it are refused from now on. Only a workstation that belongs to
 * the holder's pharmacy, and not the one she is using; nothing of another pharmacy is touched.
 */
export async function revokeWorkstation(
  ctx: Ctx,
  auth: AuthInfo,
  id: string,
  meta: RequestMeta,
): Promise<PharmacyWorkstation> {
  requireHolder(auth);
  if (id === auth.workstationId)
    throw new AppError('CONFLICT', 'Vous ne pouvez pas retirer le poste que vous utilisez.');
  const [found] = await pharmacyWorkstations(ctx, auth.pharmacyId, id);
  if (!found?.owned) throw new AppError('NOT_FOUND', 'Poste introuvable pour cette pharmacie.');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const ws = await trx
      .selectFrom('workstations as w')
      .select(['w.revoked_at', 'w.label', ownerOf('w').as('owner')])
      .where('w.id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (ws.owner !== auth.pharmacyId)
      throw new AppError('NOT_FOUND', 'Poste introuvable pour cette pharmacie.');
    if (ws.revoked_at) throw new AppError('CONFLICT', 'Ce poste est déjà retiré.');
    await trx
      .updateTable('workstations')
      .set({ revoked_at: now, revoked_by: auth.accountId, pharmacy_id: auth.pharmacyId })
      .where('id', '=', id)
      .execute();
    const ended = await trx
      .updateTable('sessions')
      .set({ revoked_at: now, end_reason: 'workstation_revoked' })
      .where('workstation_id', '=', id)
      .where('revoked_at', 'is', null)
      .where('account_id', 'in', (eb) =>
        eb.selectFrom('accounts').select('id').where('pharmacy_id', '=', auth.pharmacyId),
      )
      .returning(['id', 'account_id'])
      .execute();
    const ev = { at: now, ...evMetaOf(meta, auth.workstationLabel) };
    await appendEvents(trx, [
      {
        ...ev,
        accountId: auth.accountId,
        type: 'workstation_revoked',
        outcome: 'success',
        details: { workstationId: id, label: ws.label, sessionsEnded: ended.length },
      },
      ...ended.map((s) => ({
        ...ev,
        accountId: s.account_id,
        type: 'session_revoked' as const,
        outcome: 'info' as const,
        details: { sessionId: s.id, reason: 'workstation_revoked', workstationId: id },
      })),
    ]);
  });
  const [after] = await pharmacyWorkstations(ctx, auth.pharmacyId, id);
  return toApi(after!, auth.workstationId, now);
}
