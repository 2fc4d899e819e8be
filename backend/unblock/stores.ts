/**
 * PostgreSQL storage of the unblock paths (security keys and their tries, postal codes), in Kysely like the rest
 * of the backend. The tables are in migrations 0002 and 0006, typed in db/schema.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect';
import type { PostalCodesTable } from '../db/schema';
import type { PostalCodeRecord, PostalCodeStore } from './postal-code';
import type { SecurityKeyAttempt, SecurityKeyRecord, SecurityKeyStore } from './security-key';
import type { Selectable } from 'kysely';

/** Runs `fn` in a transaction of `db`, or in the one `db` already is. */
const inTransaction = <T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> =>
  db.isTransaction ? fn(db) : db.transaction().execute(fn);

export class SqlSecurityKeyStore implements SecurityKeyStore {
  constructor(private readonly db: Db) {}
  async get(accountId: string): Promise<SecurityKeyRecord | null> {
    const r = await this.db
      .selectFrom('security_keys')
      .select(['account_id', 'hash', 'field_ids', 'set_at'])
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return r ? { accountId: r.account_id, hash: r.hash, fieldIds: r.field_ids, setAt: r.set_at } : null;
  }
  async set(r: SecurityKeyRecord) {
    await this.db
      .insertInto('security_keys')
      .values({ account_id: r.accountId, hash: r.hash, field_ids: r.fieldIds, set_at: r.setAt })
      .onConflict((oc) =>
        oc.column('account_id').doUpdateSet((eb) => ({
          hash: eb.ref('excluded.hash'),
          field_ids: eb.ref('excluded.field_ids'),
          set_at: eb.ref('excluded.set_at'),
        })),
      )
      .execute();
  }
  async reserveAttempt(accountId: string, at: Date, since: Date, max: number) {
    return inTransaction(this.db, async (trx) => {
      // Serialise the tries of one account on its key row.
      await trx
        .selectFrom('security_keys')
        .select('account_id')
        .where('account_id', '=', accountId)
        .forUpdate()
        .execute();
      const rows = await trx
        .selectFrom('security_key_attempts')
        .select('at')
        .where('account_id', '=', accountId)
        .where('outcome', '<>', 'success')
        .where('at', '>', since)
        .orderBy('at')
        .execute();
      const counted = rows.map((r) => r.at);
      if (counted.length >= max) return { attempt: null, counted };
      const attempt: SecurityKeyAttempt = { id: randomUUID(), accountId, at, outcome: 'pending' };
      await trx
        .insertInto('security_key_attempts')
        .values({ id: attempt.id, account_id: accountId, at, outcome: 'pending' })
        .execute();
      return { attempt, counted: [...counted, at] };
    });
  }
  async settleAttempt(id: string, outcome: 'success' | 'failure') {
    await this.db.updateTable('security_key_attempts').set({ outcome }).where('id', '=', id).execute();
  }
  async failuresSince(accountId: string, since: Date) {
    const r = await this.db
      .selectFrom('security_key_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId)
      .where('outcome', '<>', 'success')
      .where('at', '>', since)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}

const postalRecord = (r: Selectable<PostalCodesTable>): PostalCodeRecord => ({
  id: r.id,
  accountId: r.account_id,
  reference: r.reference,
  codeHash: r.code_hash,
  requestedAt: r.requested_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  supersededAt: r.superseded_at,
  wrongTries: Number(r.wrong_tries),
});

export class SqlPostalCodeStore implements PostalCodeStore {
  constructor(private readonly db: Db) {}
  async recent(accountId: string, limit: number): Promise<PostalCodeRecord[]> {
    const rows = await this.db
      .selectFrom('postal_codes')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('requested_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(postalRecord);
  }
  async insert(r: PostalCodeRecord) {
    await this.db
      .insertInto('postal_codes')
      .values({
        id: r.id,
        account_id: r.accountId,
        reference: r.reference,
        code_hash: r.codeHash,
        requested_at: r.requestedAt,
        expires_at: r.expiresAt,
        used_at: r.usedAt,
        superseded_at: r.supersededAt,
        wrong_tries: r.wrongTries,
      })
      .execute();
  }
  /** Using one code ends the account's other pending codes. */
  async markUsed(id: string, at: Date) {
    return inTransaction(this.db, async (trx) => {
      const used = await trx
        .updateTable('postal_codes')
        .set({ used_at: at })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .returning('account_id')
        .executeTakeFirst();
      if (!used) return false;
      await trx
        .updateTable('postal_codes')
        .set({ superseded_at: at })
        .where('account_id', '=', used.account_id)
        .where('id', '<>', id)
        .where('used_at', 'is', null)
        .where('superseded_at', 'is', null)
        .execute();
      return true;
    });
  }
}
