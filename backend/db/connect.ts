/**
 * Opens the store: `pglite:memory`, `pglite:<folder>` (embedded, one process only) or a PostgreSQL URL
 * (production; several backend instances may share it). Same Kysely code and migrations on both.
 */
import { mkdirSync } from 'node:fs';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from './pglite-dialect';
import { migrationProvider } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface OpenedDb {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

// PostgreSQL returns int8 as strings through `pg`, PGlite as numbers: make both numbers (ids and sequence
// numbers stay far below 2^53). `count(*)` is int8 too.
pg.types.setTypeParser(20, (v: string) => Number(v));

export async function openDatabase(url: string, opts: { poolSize?: number } = {}): Promise<OpenedDb> {
  let db: Db;
  let kind: OpenedDb['kind'];
  if (url.startsWith('pglite:')) {
    const where = url.slice('pglite:'.length);
    let instance: PGlite;
    if (where === 'memory' || where === '') instance = new PGlite();
    else {
      mkdirSync(where, { recursive: true });
      instance = new PGlite(where);
    }
    await instance.waitReady;
    db = new Kysely<Database>({ dialect: new PGliteDialect(instance) });
    kind = 'pglite';
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    // An idle client whose server went away (restart, failover) emits 'error' on the pool; without a listener
    // that kills the process. The pool drops that client; the next query connects again (or fails, and the
    // request answers UNAVAILABLE: see http/errors.ts).
    pool.on('error', () => undefined);
    // Same for a client that is checked out between two queries (inside a transaction): pg emits 'error' on it.
    pool.on('connect', (client) => client.on('error', () => undefined));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    kind = 'postgres';
  } else {
    throw new Error('database must be pglite:memory, pglite:<folder> or a postgres:// URL');
  }
  return { db, kind, close: () => db.destroy() };
}

export async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}

export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
