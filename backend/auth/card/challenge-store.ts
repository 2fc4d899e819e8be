/** Card challenges in PostgreSQL (migration 0002): single use, even under concurrent sign-ins. */
import { sql } from 'kysely';
import type { Db } from '../../db/connect';
import type { ChallengeRecord, ChallengeStore } from './challenges';

export class SqlChallengeStore implements ChallengeStore {
  constructor(private readonly db: Db) {}
  async insert(r: ChallengeRecord) {
    await this.db
      .insertInto('card_challenges')
      .values({
        id: r.id,
        workstation_id: r.workstationId,
        created_at: r.createdAt,
        expires_at: r.expiresAt,
        used_at: r.usedAt,
      })
      .execute();
  }
  /** Locks the row, so of two concurrent uses exactly one sees it unused (the other waits, then sees used_at). */
  async consume(id: string, now: Date): Promise<ChallengeRecord | null> {
    const r = await this.db
      .with('prev', (db) =>
        db
          .selectFrom('card_challenges')
          .select(['id', 'workstation_id', 'created_at', 'expires_at', 'used_at'])
          .where('id', '=', id)
          .forUpdate(),
      )
      .updateTable('card_challenges as c')
      .from('prev')
      .set({ used_at: sql<Date>`coalesce(c.used_at, ${now})` })
      .whereRef('c.id', '=', 'prev.id')
      .returning(['prev.id', 'prev.workstation_id', 'prev.created_at', 'prev.expires_at', 'prev.used_at'])
      .executeTakeFirst();
    return r
      ? {
          id: r.id,
          workstationId: r.workstation_id,
          createdAt: r.created_at,
          expiresAt: r.expires_at,
          usedAt: r.used_at,
        }
      : null;
  }
  async purgeExpired(before: Date) {
    const r = await this.db.deleteFrom('card_challenges').where('expires_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
