/**
 * Where `@fastify/rate-limit` counts. Several backend instances behind one reverse proxy must share the limits
 * that bound guessing (sign-in, card and e-CPS starts, unblock codes, workstation registration, the password
 * strength check): otherwise a round-robin proxy hands a stranger one full bucket per instance. Those per-route
 * limits count in PostgreSQL (`rate_limits`, migration 0009), one row per route and key, in a fixed window
 * measured by the database's clock, so every instance reads the same counter whatever its own clock says.
 *
 * The global limit on every other route (600 a minute per address by default) stays in each instance's memory:
 * it guards that instance's own event loop and connection pool against a flood, which is a per-instance
 * resource, and it is not what stops a guess (the throttles in PostgreSQL are). Behind N instances an address
 * may send N times that limit in all, and no request pays a database write for it (the events page stays a
 * read). An embedded PGlite store has one process by construction, so it keeps every limit in memory.
 *
 * Keys (which hold the client's address or workstation id) are stored as SHA-256 only: the table is a counter,
 * not a log of who called.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';
import { prepared, type Db } from '../db/connect';

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

/** The plugin's own in-memory store (an LRU of fixed windows), for the per-instance global limit. */
interface LocalStoreCtor {
  new (continueExceeding?: boolean, exponentialBackoff?: boolean, cache?: number): FastifyRateLimitStore;
}
const LocalStore = createRequire(import.meta.url)(
  '@fastify/rate-limit/store/LocalStore.js',
) as LocalStoreCtor;

/** Expired rows are deleted this many at a time, once every `SWEEP_EVERY` increments of an instance. */
const SWEEP_BATCH = 500;
const SWEEP_EVERY = 200;

const hashKey = (scope: string, key: string) =>
  createHash('sha256').update(scope).update('\n').update(key).digest('base64url');

/** One fixed window per key: a first hit (or one after the window ended) starts a new window at 1. */
export async function incrementShared(
  db: Db,
  scope: string,
  key: string,
  timeWindowMs: number,
): Promise<{ current: number; ttl: number }> {
  const k = hashKey(scope, key);
  const window = `${Math.max(1, Math.trunc(timeWindowMs))} milliseconds`;
  // Prepared (see `prepared`): every sign-in step and code check counts here first.
  const r = await sql<{ hits: number; ttl_ms: number }>`${prepared('rate-limit')}
insert into rate_limits as r (key, hits, reset_at)
values (${k}, 1, clock_timestamp() + ${window}::interval)
on conflict (key) do update set
  hits = case when r.reset_at <= clock_timestamp() then 1 else r.hits + 1 end,
  reset_at = case when r.reset_at <= clock_timestamp() then excluded.reset_at else r.reset_at end
returning hits, greatest(0, ceil(extract(epoch from (reset_at - clock_timestamp())) * 1000))::int as ttl_ms`.execute(
    db,
  );
  const row = r.rows[0]!;
  return { current: Number(row.hits), ttl: Number(row.ttl_ms) };
}

/** Deletes up to `SWEEP_BATCH` counters whose window ended; returns how many. */
export async function sweepSharedLimits(db: Db): Promise<number> {
  const r = await sql`
delete from rate_limits where key in (
  select key from rate_limits where reset_at < clock_timestamp() limit ${SWEEP_BATCH}
)`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

class SharedRouteStore implements FastifyRateLimitStore {
  private increments = 0;
  constructor(
    private readonly db: Db,
    private readonly scope: string,
  ) {}

  incr(key: string, cb: IncrCallback, timeWindow: number): void {
    if (++this.increments % SWEEP_EVERY === 0) void sweepSharedLimits(this.db).catch(() => undefined);
    incrementShared(this.db, this.scope, key, timeWindow).then(
      (r) => cb(null, r),
      (e: Error) => cb(e),
    );
  }

  child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
    return new SharedRouteStore(this.db, scopeOf(routeOptions as unknown as RouteInfo));
  }
}

/** What the plugin passes to `child`: the merged limit options, with the route they apply to. */
interface RouteInfo {
  routeInfo?: { method?: unknown; url?: unknown };
}
const scopeOf = (o: RouteInfo) => `${String(o.routeInfo?.method ?? '')} ${String(o.routeInfo?.url ?? '')}`;

/**
 * The `store` option of `@fastify/rate-limit`: the global limit in memory, each route's own limit in
 * PostgreSQL (see above).
 */
export function sharedRateLimitStore(db: Db) {
  return class implements FastifyRateLimitStore {
    private readonly local: FastifyRateLimitStore;
    constructor(options: FastifyRateLimitOptions) {
      const o = options as { continueExceeding?: boolean; exponentialBackoff?: boolean; cache?: number };
      this.local = new LocalStore(o.continueExceeding, o.exponentialBackoff, o.cache);
    }
    incr(key: string, cb: IncrCallback, timeWindow: number, max: number): void {
      this.local.incr(key, cb, timeWindow, max);
    }
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      return new SharedRouteStore(db, scopeOf(routeOptions as unknown as RouteInfo));
    }
  };
}
