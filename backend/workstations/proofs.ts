/**
 * A registered workstation proves its requests with its key: an Ed25519 signature over its id, the server's time
 * as it estimates it, a nonce, the method, the path with its query and a SHA-256 of the body. A sign-in proof is
 * accepted within 5 minutes, a session request's within 30 s; a state-changing proof is single use.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import {
  WORKSTATION_PROOF_WINDOW_MS,
  WORKSTATION_SESSION_PROOF_WINDOW_MS,
  workstationProofMessage,
} from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import type { Db } from '../db/connect';
import type { RequestMeta } from '../http/meta';

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
 * Registered keys by workstation id, per database. A key once registered never changes (registration refuses
 * another for the same id) and a workstation row is never deleted, so an instance may keep what it read: the
 * proof of a sign-in is then checked without a query. Only registered keys are kept (an unregistered id may
 * register later).
 */
const registeredKeys = new WeakMap<object, Map<string, string>>();

/** The workstation's registered key (read once per instance), or null for a workstation that has none. */
export async function registeredKey(db: Db, workstationId: string): Promise<string | null> {
  let keys = registeredKeys.get(db);
  if (!keys) registeredKeys.set(db, (keys = new Map()));
  let key = keys.get(workstationId) ?? null;
  if (key === null) {
    const w = await db
      .selectFrom('workstations')
      .select('public_key')
      .where('id', '=', workstationId)
      .executeTakeFirst();
    key = w?.public_key ?? null;
    if (key !== null) {
      if (keys.size >= 10_000) keys.delete(keys.keys().next().value!);
      keys.set(workstationId, key);
    }
  }
  return key;
}

/**
 * The proof of a sign-in, checked before anything counts against the identifier: the workstation's registered key
 * (read once per instance), then `checkWorkstationProof` within the sign-in window.
 */
export async function checkSignInProof(
  db: Db,
  workstationId: string,
  meta: RequestMeta,
  now: Date,
): Promise<void> {
  checkWorkstationProof(await registeredKey(db, workstationId), workstationId, meta, now);
}

/** True when the request comes from a registered workstation and carries its valid proof (a familiar place). */
export async function provenByRegisteredWorkstation(
  db: Db,
  workstationId: string,
  meta: RequestMeta,
  now: Date,
): Promise<boolean> {
  if (!meta.proof) return false;
  const key = await registeredKey(db, workstationId);
  if (!key) return false;
  try {
    checkWorkstationProof(key, workstationId, meta, now);
    return true;
  } catch {
    return false;
  }
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
