/**
 * Registering a workstation: each install makes an Ed25519 key pair (private key in the OS keychain) and registers
 * the public key with a label (« Poste comptoir 1 »), proving it holds the private key by signing a single-use
 * challenge. Once registered, its label is the registered one (a request header cannot rename it).
 */
import { createPublicKey, verify } from 'node:crypto';
import { workstationRegistrationMessage, type WorkstationRegisterRequest } from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import { newToken } from '../crypto';
import type { AuthInfo } from '../sessions/sessions';

export const WORKSTATION_CHALLENGE_MS = 5 * 60_000;

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
