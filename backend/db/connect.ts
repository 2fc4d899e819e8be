/**
 * Opens the store: `pglite:memory`, `pglite:<folder>` (embedded, one process only) or a PostgreSQL URL
 * (production; several backend instances may share it). Same Kysely code and migrations on both.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, sql, type Compilable } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from './pglite-dialect';
import { migrationProvider } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

const PREPARED = /^\/\* prepared:([a-z0-9-]{1,40}) \*\/ /;

/**
 * Marks a hot statement (put it first in a `sql` template): on a PostgreSQL server it is prepared once per
 * connection and then only bound and executed, which skips parsing and planning a large statement on every
 * sign-in (about half of the server's time for one). The name carries a hash of the text, so a changed
 * statement is never confused with the old one. PGlite runs it as plain SQL (the marker is a comment).
 */
export const prepared = (name: string) => sql.raw(`/* prepared:${name} */ `);

/** Compiled texts of the hot reads, by name and shape (the same on PGlite and PostgreSQL). */
const compiledTexts = new Map<string, string>();

/**
 * Runs a hot read built with Kysely, compiled once per shape and then only bound: building and compiling a query
 * costs this process about 0.1 ms, on every request for the session check. `values` are the statement's
 * parameters in order; the first run of a shape checks them against Kysely's, so a builder whose order differs
 * fails its first test. With `prepared`, the statement is also a marked one (see `prepared`). Each distinct text
 * (a filter present or not) is its own shape.
 */
export async function executeCompiled<R>(
  db: Db,
  o: { name: string; shape?: string; prepared?: boolean },
  values: readonly unknown[],
  build: () => Compilable<R>,
): Promise<R[]> {
  const key = `${o.name}:${o.shape ?? ''}`;
  let text = compiledTexts.get(key);
  if (text === undefined) {
    const c = build().compile();
    if (!isDeepStrictEqual([...c.parameters], [...values]))
      throw new Error(`${key}: the parameters given differ from the statement's`);
    text = o.prepared ? `/* prepared:${o.name} */ ${c.sql}` : c.sql;
    compiledTexts.set(key, text);
  }
  return (await db.executeQuery(CompiledQuery.raw(text, [...values]))).rows as R[];
}

/** Routes marked statements of a new pool client to named prepared statements (see `prepared`). */
function prepareMarkedStatements(client: pg.PoolClient) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const names = new Map<string, string>();
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const m =
      typeof text === 'string' && Array.isArray(values) && args.length === 2 ? PREPARED.exec(text) : null;
    if (!m) return query(...args);
    let name = names.get(text as string);
    if (!name) {
      name = `${m[1]}-${createHash('sha1')
        .update(text as string)
        .digest('hex')
        .slice(0, 12)}`;
      names.set(text as string, name);
    }
    return query({ name, text, values });
  };
}

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
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      prepareMarkedStatements(client);
    });
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
