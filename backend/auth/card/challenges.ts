/**
 * Single-use sign-in challenges for the card: 32 random bytes, a short life, bound to the workstation that asked.
 * The storage is an interface so that the backend keeps them in PostgreSQL (one row per challenge; `consume` is a
 * single `UPDATE … SET used_at = $now WHERE id = $id AND used_at IS NULL RETURNING …`); the in-memory store is
 * for tests and the embedded demo.
 */
import { randomBytes } from 'node:crypto';
import type { ErrorCode } from '../../../domain/errors';

export const DEFAULT_CHALLENGE_TTL_MS = 2 * 60_000;

export interface ChallengeRecord {
  /** base64url of the 32 challenge bytes: what the card signs and what the workstation sends back. */
  id: string;
  workstationId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface ChallengeStore {
  insert(rec: ChallengeRecord): Promise<void>;
  /**
   * Marks the challenge used at `now`, atomically, and returns it as it was before (so `usedAt` non-null means a
   * replay). null if no such challenge.
   */
  consume(id: string, now: Date): Promise<ChallengeRecord | null>;
  /** Forget challenges that expired before `before` (a periodic job). */
  purgeExpired(before: Date): Promise<number>;
}

export class MemoryChallengeStore implements ChallengeStore {
  private readonly rows = new Map<string, ChallengeRecord>();
  async insert(rec: ChallengeRecord) {
    if (this.rows.has(rec.id)) throw new Error('duplicate challenge');
    this.rows.set(rec.id, { ...rec });
  }
  async consume(id: string, now: Date) {
    const r = this.rows.get(id);
    if (!r) return null;
    const before = { ...r };
    if (!r.usedAt) r.usedAt = now;
    return before;
  }
  async purgeExpired(before: Date) {
    let n = 0;
    for (const [k, r] of this.rows) {
      if (r.expiresAt.getTime() < before.getTime()) {
        this.rows.delete(k);
        n++;
      }
    }
    return n;
  }
}

export interface IssuedChallenge {
  /** base64url; the workstation decodes it and has the card sign the bytes. */
  challenge: string;
  expiresAt: Date;
}

export async function issueChallenge(
  store: ChallengeStore,
  o: { workstationId: string; now: Date; ttlMs?: number },
): Promise<IssuedChallenge> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(o.now.getTime() + (o.ttlMs ?? DEFAULT_CHALLENGE_TTL_MS));
  await store.insert({ id, workstationId: o.workstationId, createdAt: o.now, expiresAt, usedAt: null });
  return { challenge: id, expiresAt };
}

export type ChallengeCheck =
  { ok: true; bytes: Uint8Array } | { ok: false; code: ErrorCode; message: string };

/**
 * Uses the challenge up, whatever comes next: a challenge is good for one attempt only. Replayed (already used),
 * foreign (issued to another workstation) and expired (or unknown) challenges each get their own code.
 */
export async function consumeChallenge(
  store: ChallengeStore,
  challenge: string,
  workstationId: string,
  now: Date,
): Promise<ChallengeCheck> {
  const rec = /^[A-Za-z0-9_-]{43}$/.test(challenge) ? await store.consume(challenge, now) : null;
  if (!rec)
    return {
      ok: false,
      code: 'CHALLENGE_EXPIRED',
      message: 'Ce défi de connexion est inconnu ou périmé. Recommencez la connexion.',
    };
  if (rec.usedAt)
    return {
      ok: false,
      code: 'CHALLENGE_REPLAYED',
      message: 'Ce défi de connexion a déjà servi. Recommencez la connexion.',
    };
  if (rec.workstationId !== workstationId)
    return {
      ok: false,
      code: 'CHALLENGE_FOREIGN',
      message: 'Ce défi de connexion a été donné à un autre poste.',
    };
  if (now.getTime() >= rec.expiresAt.getTime())
    return {
      ok: false,
      code: 'CHALLENGE_EXPIRED',
      message: 'Le défi de connexion a expiré. Recommencez la connexion.',
    };
  return { ok: true, bytes: new Uint8Array(Buffer.from(challenge, 'base64url')) };
}
