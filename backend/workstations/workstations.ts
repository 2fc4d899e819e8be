/**
 * Workstations: each install makes an Ed25519 key pair (private key in the OS keychain) and registers the public
 * key with a label ("Poste comptoir 1"), proving it holds the private key by signing a single-use challenge. Once a
 * workstation is registered its label is the registered one (a request header cannot rename it), and the holder of
 * a pharmacy can withdraw a workstation the pharmacy's accounts used: its open sessions end and no one can sign in
 * from it again.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import {
  WORKSTATION_PROOF_WINDOW_MS,
  WORKSTATION_SESSION_PROOF_WINDOW_MS,
  workstationProofMessage,
  workstationRegistrationMessage,
  type PharmacyWorkstation,
  type WorkstationRegisterRequest,
} from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import type { Db } from '../db/connect';
import { newToken } from '../crypto';
import { appendEvents } from '../events/chain';
import type { AuthInfo } from '../sessions/sessions';
import type { RequestMeta } from '../http/meta';

export const WORKSTATION_CHALLENGE_MS = 5 * 60_000;

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

const PROOF_INVALID = (why: string) => new AppError('WORKSTATION_PROOF_INVALID', why);

/** Registered keys, parsed once (a session request verifies one proof; parsing the key each time would double it). */
const keys = new Map<string, KeyObject>();
function publicKeyObject(publicKey: string): KeyObject {
  let key = keys.get(publicKey);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    if (keys.size >= 1000) keys.delete(keys.keys().next().value!);
    keys.set(publicKey, key);
  }
  return key;
}

/**
 * Checks the proof of a request from a registered workstation: an Ed25519 signature with its key over its id, the
 * time, the nonce, the method, the path and the body's hash, the time within `windowMs` of the server's clock (the
 * workstation signs with the server's time as it estimates it). Unregistered workstations (no keychain) have
 * nothing to prove: they stay bound by their id only.
 */
export function checkWorkstationProof(
  publicKey: string | null,
  workstationId: string,
  meta: RequestMeta,
  now: Date,
  windowMs = WORKSTATION_PROOF_WINDOW_MS,
): void {
  if (!publicKey) return;
  const p = meta.proof;
  if (!p) throw PROOF_INVALID('Ce poste est enregistré : ses demandes doivent être signées par sa clé.');
  if (Math.abs(Date.parse(p.time) - now.getTime()) > windowMs) {
    throw PROOF_INVALID(
      "La demande de ce poste n'est pas à l'heure du serveur : vérifiez la date et l'heure de l'ordinateur.",
    );
  }
  let ok: boolean;
  try {
    const message = workstationProofMessage({ workstationId, ...p });
    ok = verify(
      null,
      Buffer.from(message, 'utf8'),
      publicKeyObject(publicKey),
      Buffer.from(p.signature, 'base64'),
    );
  } catch {
    ok = false;
  }
  if (!ok) throw PROOF_INVALID("La signature de ce poste ne correspond pas à la clé qu'il a enregistrée.");
}

/**
 * A session request from a registered workstation: its proof (30 s window), and, for a state-changing request,
 * its first use. The proofs used are kept in PostgreSQL until their window is over, so every backend instance
 * sharing the database refuses a replay; each use clears some expired ones. Reads may be replayed in the window.
 */
export async function checkSessionProof(
  ctx: Ctx,
  publicKey: string,
  workstationId: string,
  meta: RequestMeta,
  now: Date,
): Promise<void> {
  checkWorkstationProof(publicKey, workstationId, meta, now, WORKSTATION_SESSION_PROOF_WINDOW_MS);
  const p = meta.proof!;
  if (p.method === 'GET' || p.method === 'HEAD') return;
  const expiresAt = new Date(Date.parse(p.time) + WORKSTATION_SESSION_PROOF_WINDOW_MS);
  const r = await sql<{ id: string }>`
    with purged as (
      delete from workstation_request_proofs where id in (
        select id from workstation_request_proofs where expires_at <= ${now}::timestamptz limit 100 for update skip locked)
    )
    insert into workstation_request_proofs (id, expires_at) values (${`${workstationId}:${p.nonce}`}, ${expiresAt}::timestamptz)
    on conflict (id) do nothing
    returning id
  `.execute(ctx.db);
  if (r.rows.length === 0)
    throw PROOF_INVALID('Cette demande a déjà été reçue : elle ne peut servir qu’une fois.');
}

export async function workstationChallenge(ctx: Ctx): Promise<{ challenge: string; expiresAt: string }> {
  const now = ctx.clock.now();
  const challenge = newToken();
  const expiresAt = new Date(now.getTime() + WORKSTATION_CHALLENGE_MS);
  await ctx.db
    .insertInto('workstation_challenges')
    .values({ id: challenge, created_at: now, expires_at: expiresAt, used_at: null })
    .execute();
  return { challenge, expiresAt: expiresAt.toISOString() };
}

function signatureValid(r: WorkstationRegisterRequest): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(r.publicKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(
      null,
      Buffer.from(workstationRegistrationMessage(r), 'utf8'),
      key,
      Buffer.from(r.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/**
 * Registers (or renames) a workstation. The challenge is used up even when the rest fails, so a signature can
 * never be replayed. A workstation already registered with another key is refused: an install cannot take over
 * another's identity; a withdrawn one stays withdrawn. An id the backend already knows without a key (it signed in
 * before it had a keychain) is registered only from a session opened on that same id: its id travels in a header
 * and is no secret, so anyone else could otherwise put his key and label on it. A new id registers without a
 * session (a new install); it belongs to the pharmacy of the session that registers it, or of its first sign-in.
 */
export async function registerWorkstation(
  ctx: Ctx,
  r: WorkstationRegisterRequest,
  auth: AuthInfo | null,
): Promise<{ workstationId: string; label: string; registeredAt: string }> {
  const now = ctx.clock.now();
  const used = await ctx.db
    .updateTable('workstation_challenges')
    .set({ used_at: now })
    .where('id', '=', r.challenge)
    .where('used_at', 'is', null)
    .returning(['expires_at'])
    .executeTakeFirst();
  if (!used) throw new AppError('CHALLENGE_REPLAYED', 'Défi inconnu ou déjà utilisé : recommencez.');
  if (used.expires_at.getTime() <= now.getTime())
    throw new AppError('CHALLENGE_EXPIRED', 'Défi expiré : recommencez.');
  if (!signatureValid(r))
    throw new AppError('SIGNATURE_INVALID', 'La signature du poste ne correspond pas à sa clé.');
  const onThisId = auth !== null && auth.workstationId === r.workstationId;

  return ctx.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('workstations')
      .selectAll()
      .where('id', '=', r.workstationId)
      .forUpdate()
      .executeTakeFirst();
    if (existing?.revoked_at)
      throw new AppError('WORKSTATION_REVOKED', 'Ce poste a été retiré par le titulaire.');
    if (existing?.public_key && existing.public_key !== r.publicKey) {
      throw new AppError('CONFLICT', 'Ce poste est déjà enregistré avec une autre clé.');
    }
    if (existing && !existing.public_key && !onThisId) {
      throw new AppError(
        'UNAUTHENTICATED',
        'Ce poste a déjà servi : connectez-vous sur ce poste pour enregistrer sa clé.',
      );
    }
    const registeredAt = existing?.registered_at ?? now;
    const pharmacyId = existing?.pharmacy_id ?? (onThisId ? auth.pharmacyId : null);
    await trx
      .insertInto('workstations')
      .values({
        id: r.workstationId,
        label: r.label,
        first_seen_at: now,
        last_seen_at: now,
        public_key: r.publicKey,
        registered_at: registeredAt,
        pharmacy_id: pharmacyId,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          label: r.label,
          public_key: r.publicKey,
          registered_at: registeredAt,
          last_seen_at: now,
          pharmacy_id: pharmacyId,
        }),
      )
      .execute();
    return { workstationId: r.workstationId, label: r.label, registeredAt: registeredAt.toISOString() };
  });
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
    const ev = {
      at: now,
      workstationId: meta.workstationId,
      workstationLabel: auth.workstationLabel,
      ip: meta.ip,
      appVersion: meta.appVersion,
    };
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
