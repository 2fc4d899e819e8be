/**
 * PostgreSQL storage for the sign-in and unblock pieces (card challenges, security keys and their tries, postal
 * codes), written against a minimal SQL client so that it runs on the backend's Kysely (PGlite or a PostgreSQL
 * server: `fromKysely(db)`) and in tests on a bare PGlite. `SIGNIN_SCHEMA_SQL` is the migration to add (with a
 * foreign key to accounts(id) on each account_id once wired).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { ChallengeRecord, ChallengeStore } from '../auth/card/challenges';
import type { PostalCodeRecord, PostalCodeStore } from './postal-code';
import type { SecurityKeyAttempt, SecurityKeyRecord, SecurityKeyStore } from './security-key';
import { randomUUID } from 'node:crypto';

export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs `fn` in one transaction (commit on success, rollback on throw). */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** The backend's Kysely instance (or a transaction of it) as a SqlClient. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fromKysely(db: Kysely<any>): SqlClient {
  return {
    async query<R>(text: string, params: unknown[] = []) {
      const r = await db.executeQuery<R>(CompiledQuery.raw(text, params));
      return { rows: [...r.rows] };
    },
    transaction: (fn) =>
      db.isTransaction ? fn(fromKysely(db)) : db.transaction().execute((trx) => fn(fromKysely(trx))),
  };
}

export const SIGNIN_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS card_challenges (
  id text PRIMARY KEY,
  workstation_id text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX IF NOT EXISTS card_challenges_expires ON card_challenges (expires_at);

CREATE TABLE IF NOT EXISTS security_keys (
  account_id uuid PRIMARY KEY,
  hash text NOT NULL,
  field_ids text[] NOT NULL,
  set_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS security_key_attempts (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL,
  at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('pending', 'success', 'failure'))
);
CREATE INDEX IF NOT EXISTS security_key_attempts_account_at ON security_key_attempts (account_id, at);

CREATE TABLE IF NOT EXISTS postal_codes (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL,
  reference text NOT NULL UNIQUE,
  code_hash text NOT NULL,
  requested_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  superseded_at timestamptz,
  wrong_tries int NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS postal_codes_pending ON postal_codes (account_id) WHERE used_at IS NULL AND superseded_at IS NULL;
CREATE INDEX IF NOT EXISTS postal_codes_account_requested ON postal_codes (account_id, requested_at DESC);
`;

const d = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dn = (v: unknown): Date | null => (v === null || v === undefined ? null : d(v));

export class SqlChallengeStore implements ChallengeStore {
  constructor(private readonly sql: SqlClient) {}
  async insert(r: ChallengeRecord) {
    await this.sql.query(
      'INSERT INTO card_challenges (id, workstation_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)',
      [r.id, r.workstationId, r.createdAt, r.expiresAt, r.usedAt],
    );
  }
  /** Locks the row, so of two concurrent uses exactly one sees it unused (the other waits, then sees used_at). */
  async consume(id: string, now: Date) {
    const { rows } = await this.sql.query<{
      id: string;
      workstation_id: string;
      created_at: unknown;
      expires_at: unknown;
      used_at: unknown;
    }>(
      `WITH prev AS (SELECT id, workstation_id, created_at, expires_at, used_at FROM card_challenges WHERE id = $1 FOR UPDATE)
       UPDATE card_challenges c SET used_at = COALESCE(c.used_at, $2) FROM prev WHERE c.id = prev.id
       RETURNING prev.id, prev.workstation_id, prev.created_at, prev.expires_at, prev.used_at`,
      [id, now],
    );
    const r = rows[0];
    return r
      ? {
          id: r.id,
          workstationId: r.workstation_id,
          createdAt: d(r.created_at),
          expiresAt: d(r.expires_at),
          usedAt: dn(r.used_at),
        }
      : null;
  }
  async purgeExpired(before: Date) {
    const { rows } = await this.sql.query('DELETE FROM card_challenges WHERE expires_at < $1 RETURNING id', [
      before,
    ]);
    return rows.length;
  }
}

export class SqlSecurityKeyStore implements SecurityKeyStore {
  constructor(private readonly sql: SqlClient) {}
  async get(accountId: string) {
    const { rows } = await this.sql.query<{
      account_id: string;
      hash: string;
      field_ids: string[];
      set_at: unknown;
    }>('SELECT account_id, hash, field_ids, set_at FROM security_keys WHERE account_id = $1', [accountId]);
    const r = rows[0];
    return r
      ? ({
          accountId: r.account_id,
          hash: r.hash,
          fieldIds: r.field_ids,
          setAt: d(r.set_at),
        } satisfies SecurityKeyRecord)
      : null;
  }
  async set(r: SecurityKeyRecord) {
    await this.sql.query(
      `INSERT INTO security_keys (account_id, hash, field_ids, set_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id) DO UPDATE SET hash = EXCLUDED.hash, field_ids = EXCLUDED.field_ids, set_at = EXCLUDED.set_at`,
      [r.accountId, r.hash, r.fieldIds, r.setAt],
    );
  }
  async reserveAttempt(accountId: string, at: Date, since: Date, max: number) {
    return this.sql.transaction(async (tx) => {
      // Serialise the tries of one account on its key row.
      await tx.query('SELECT 1 FROM security_keys WHERE account_id = $1 FOR UPDATE', [accountId]);
      const { rows } = await tx.query<{ at: unknown }>(
        "SELECT at FROM security_key_attempts WHERE account_id = $1 AND outcome <> 'success' AND at > $2 ORDER BY at",
        [accountId, since],
      );
      const counted = rows.map((r) => d(r.at));
      if (counted.length >= max) return { attempt: null, counted };
      const attempt: SecurityKeyAttempt = { id: randomUUID(), accountId, at, outcome: 'pending' };
      await tx.query(
        "INSERT INTO security_key_attempts (id, account_id, at, outcome) VALUES ($1, $2, $3, 'pending')",
        [attempt.id, accountId, at],
      );
      return { attempt, counted: [...counted, at] };
    });
  }
  async settleAttempt(id: string, outcome: 'success' | 'failure') {
    await this.sql.query('UPDATE security_key_attempts SET outcome = $2 WHERE id = $1', [id, outcome]);
  }
  async failuresSince(accountId: string, since: Date) {
    const { rows } = await this.sql.query<{ n: number | string }>(
      "SELECT count(*)::int AS n FROM security_key_attempts WHERE account_id = $1 AND outcome <> 'success' AND at > $2",
      [accountId, since],
    );
    return Number(rows[0]?.n ?? 0);
  }
}

interface PostalRow {
  id: string;
  account_id: string;
  reference: string;
  code_hash: string;
  requested_at: unknown;
  expires_at: unknown;
  used_at: unknown;
  superseded_at: unknown;
  wrong_tries: number;
}

export class SqlPostalCodeStore implements PostalCodeStore {
  constructor(private readonly sql: SqlClient) {}
  async recent(accountId: string, limit: number): Promise<PostalCodeRecord[]> {
    const { rows } = await this.sql.query<PostalRow>(
      'SELECT * FROM postal_codes WHERE account_id = $1 ORDER BY requested_at DESC LIMIT $2',
      [accountId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      reference: r.reference,
      codeHash: r.code_hash,
      requestedAt: d(r.requested_at),
      expiresAt: d(r.expires_at),
      usedAt: dn(r.used_at),
      supersededAt: dn(r.superseded_at),
      wrongTries: Number(r.wrong_tries),
    }));
  }
  /** One pending code per account: the partial unique index refuses a second concurrent insert (23505). */
  async insert(r: PostalCodeRecord) {
    await this.sql.query(
      `INSERT INTO postal_codes (id, account_id, reference, code_hash, requested_at, expires_at, used_at, superseded_at, wrong_tries)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        r.id,
        r.accountId,
        r.reference,
        r.codeHash,
        r.requestedAt,
        r.expiresAt,
        r.usedAt,
        r.supersededAt,
        r.wrongTries,
      ],
    );
  }
  async markUsed(id: string, at: Date) {
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ account_id: string }>(
        'UPDATE postal_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING account_id',
        [id, at],
      );
      if (rows.length !== 1) return false;
      await tx.query(
        'UPDATE postal_codes SET superseded_at = $3 WHERE account_id = $1 AND id <> $2 AND used_at IS NULL AND superseded_at IS NULL',
        [rows[0]!.account_id, id, at],
      );
      return true;
    });
  }
}
