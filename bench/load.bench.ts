/**
 * `npm run bench -- load [--seconds 60] [--db postgres|pglite] [--connections 10] [--cluster]`: the backend (a
 * child process: faults/lib/backend-runner.ts, loopback, rate limits off) under a realistic mix driven by
 * autocannon from this process: each connection is one pharmacy workstation cycling through a password sign-in,
 * its status, a page of its events and its report cases. Reports throughput, p50/p99, errors; then checks that
 * every acknowledged sign-in (HTTP 200) is in the database with its event and that every chain verifies.
 * Baseline in the same run: the throughput of GET /health. Pass: errors = 0 and lost_writes = 0.
 *
 * `--cluster`: the same mix, first on one instance, then through HAProxy (TLS) in front of three instances on the
 * same PostgreSQL server (backend/cluster/cluster.ts), each on its own fresh database and accounts; prints both
 * side by side. Pass: 0 errors, 0 lost writes and every chain verifying through the cluster, every instance served.
 * The ratio (cluster throughput / one instance) is a floor, not a promise of scale: on a machine of 2 cores three
 * instances share the same CPUs as one, and the proxy adds TLS and a hop.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startBackendProc } from '../faults/lib/backend-proc';
import {
  ARGON,
  audit,
  PASSWORD,
  seed,
  withDb,
  workstationOf,
  wsHeaders,
  type Seeded,
  type SignInAck,
} from '../faults/lib/data';
import { createDatabase, startControlledPg } from '../faults/lib/pg';
import { startCluster } from '../backend/cluster/cluster';
import { useEventsKey } from '../backend/events/key';
import { incrementShared } from '../backend/http/rate-limit-store';
import { report } from './lib';

function arg(args: string[], name: string, dflt: string): string {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return dflt;
  return args[i]!.includes('=') ? args[i]!.split('=')[1]! : (args[i + 1] ?? dflt);
}

interface Ctx {
  account?: number;
  token?: string;
}

interface MixResult {
  healthRps: number;
  healthP99: number;
  total: number;
  elapsed: number;
  throughput: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  acks: SignInAck[];
  /** Responses per instance (the proxy's `x-vigie-instance` header); empty on one instance. */
  served: Record<string, number>;
  /** Answers other than 2xx, by status and code. */
  refused: Record<string, number>;
}

/** GET /health for a sixth of the time (2..10 s), then the mix for `seconds`, on `url`. */
async function runMix(url: string, s: Seeded, connections: number, seconds: number): Promise<MixResult> {
  const baseSeconds = Math.max(2, Math.min(10, Math.round(seconds / 6)));
  const health = await autocannon({
    url,
    connections,
    duration: baseSeconds,
    requests: [{ method: 'GET', path: '/health' }],
  });
  let next = 0;
  const acks: SignInAck[] = [];
  const served: Record<string, number> = {};
  const refused: Record<string, number> = {};
  const count = (
    status: number,
    body: string,
    h: Record<string, string | string[] | undefined> | undefined,
  ) => {
    const i = h?.['x-vigie-instance'];
    if (typeof i === 'string') served[i] = (served[i] ?? 0) + 1;
    if (status >= 200 && status < 300) return;
    let code: string;
    try {
      code = String((JSON.parse(body) as { code?: unknown }).code ?? '');
    } catch {
      code = 'no JSON';
    }
    const k = `${status} ${code}${typeof i === 'string' ? ` (${i})` : ''}`;
    refused[k] = (refused[k] ?? 0) + 1;
  };
  const ofCtx = (c: object) => {
    const ctx = c as Ctx;
    ctx.account ??= next++ % connections;
    return { ctx, identifier: s.identifiers[ctx.account]! };
  };
  const authed = (path: string): autocannon.Request => ({
    method: 'GET',
    path,
    setupRequest: (req, c) => {
      const { ctx, identifier } = ofCtx(c);
      const { 'content-type': _ct, ...h } = wsHeaders(workstationOf(identifier));
      return { ...req, headers: { ...h, authorization: `Bearer ${ctx.token ?? ''}` } };
    },
    onResponse: (status, body, _c, h) => count(status, body, h),
  });
  const t0 = performance.now();
  const mix = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/v1/auth/password',
        setupRequest: (req, c) => {
          const { identifier } = ofCtx(c);
          return {
            ...req,
            headers: wsHeaders(workstationOf(identifier)),
            body: JSON.stringify({ identifier, password: PASSWORD }),
          };
        },
        onResponse: (status, body, c, h) => {
          count(status, body, h);
          const { ctx, identifier } = ofCtx(c);
          if (status !== 200) return;
          const j = JSON.parse(body) as { token: string; sessionId: string };
          ctx.token = j.token;
          acks.push({ identifier, token: j.token, sessionId: j.sessionId });
        },
      },
      authed('/v1/me/status'),
      authed('/v1/events?limit=50'),
      authed('/v1/reports'),
      authed('/v1/me/status'),
    ],
  });
  const elapsed = (performance.now() - t0) / 1000;
  return {
    healthRps: health.requests.total / baseSeconds,
    healthP99: health.latency.p99,
    total: mix.requests.total,
    elapsed,
    throughput: mix.requests.total / elapsed,
    p50: mix.latency.p50,
    p99: mix.latency.p99,
    non2xx: mix.non2xx,
    errors: mix.errors,
    timeouts: mix.timeouts,
    acks,
    served,
    refused,
  };
}

const printMix = (label: string, m: MixResult) => {
  const refused = Object.entries(m.refused);
  if (refused.length) console.log(`${label}: refused ${refused.map(([k, v]) => `${v} × ${k}`).join(', ')}`);
  console.log(
    `${label}: baseline GET /health ${m.healthRps.toFixed(0)} req/s (p99 ${m.healthP99} ms); mix ${m.total} requests in ${m.elapsed.toFixed(1)} s = ${m.throughput.toFixed(0)} req/s; ${m.acks.length} sign-ins acknowledged; p50 ${m.p50} ms, p99 ${m.p99} ms; non-2xx ${m.non2xx}, errors ${m.errors}, timeouts ${m.timeouts}`,
  );
};

const printAudit = (label: string, a: Awaited<ReturnType<typeof audit>>) =>
  console.log(
    `${label}, after: ${a.acknowledged} acknowledged sign-ins, missing events ${a.missingEvents.length}, missing sessions ${a.missingSessions.length}, half-written ${a.halfWritten}; ${a.chainsChecked} chains verified, bad ${a.badChains.length}`,
  );

const lostOf = (a: Awaited<ReturnType<typeof audit>>) =>
  a.missingEvents.length + a.missingSessions.length + a.halfWritten;

export default async function load(args: string[]): Promise<boolean> {
  const seconds = Math.max(2, Math.min(600, Number(arg(args, 'seconds', '60'))));
  const connections = Math.max(1, Math.min(100, Number(arg(args, 'connections', '10'))));
  if (args.includes('--cluster')) return loadCluster(seconds, connections);
  const dbKind = arg(args, 'db', 'postgres');
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-bench-load-'));
  const pg = dbKind === 'postgres' ? await startControlledPg() : null;
  const database = pg ? createDatabase(pg.url, 'bench_load') : `pglite:${join(tmp, 'pglite')}`;
  const s = await withDb(database, (db) => seed(db, connections, 'charge'));
  const proc = await startBackendProc({ database }, join(tmp, 'backend.log'));
  try {
    console.log(
      `load: ${connections} connections (one workstation and account each), ${seconds} s, database ${dbKind}, backend pid ${proc.child.pid}`,
    );
    const m = await runMix(proc.url, s, connections, seconds);
    printMix('one instance', m);
    await proc.kill();
    const a = await withDb(database, (db) => audit(db, s.accountIds, m.acks));
    printAudit('one instance', a);
    const errors = m.non2xx + m.errors + m.timeouts;
    const lost = lostOf(a);
    return report(
      'load',
      {
        db: dbKind,
        seconds,
        connections,
        throughput: m.throughput,
        p50_ms: m.p50,
        p99_ms: m.p99,
        errors,
        lost_writes: lost,
        bad_chains: a.badChains.length,
        signins_acknowledged: a.acknowledged,
        health_rps: m.healthRps,
      },
      // The mix is database-bound (argon2id, writes, chain locks), /health is not: the ratio is a sanity floor.
      m.throughput / m.healthRps,
      '>=',
      0.02,
      errors === 0 && lost === 0 && a.badChains.length === 0,
    );
  } finally {
    await proc.kill();
    pg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The mix on one instance, then through HAProxy on three, on one PostgreSQL server (durable settings). */
async function loadCluster(seconds: number, connections: number): Promise<boolean> {
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-bench-load-'));
  const pg = await startControlledPg();
  try {
    console.log(
      `load --cluster: ${connections} connections (one workstation and account each), ${seconds} s per run, PostgreSQL; one instance, then HAProxy + 3 instances`,
    );
    // One instance, on its own database.
    const oneDb = createDatabase(pg.url, 'bench_one');
    const s1 = await withDb(oneDb, (db) => seed(db, connections, 'seul'));
    const proc = await startBackendProc({ database: oneDb }, join(tmp, 'backend.log'));
    let one: MixResult;
    try {
      one = await runMix(proc.url, s1, connections, seconds);
    } finally {
      await proc.kill();
    }
    printMix('one instance', one);
    const a1 = await withDb(oneDb, (db) => audit(db, s1.accountIds, one.acks));
    printAudit('one instance', a1);

    // Three instances behind HAProxy, the same settings as the one (rate limits off, the same hashing cost).
    const clusterDb = createDatabase(pg.url, 'bench_cluster');
    const cluster = await startCluster({
      instances: 3,
      database: clusterDb,
      tuning: { rateLimit: false, argon2: ARGON, failureFloorMs: 60, poolSize: 20, jobs: false },
    });
    let three: MixResult;
    let s3: Seeded;
    try {
      // The chains are keyed with the cluster's events key: the seed and the audit below use it too.
      useEventsKey(readFileSync(cluster.eventsKeyFile));
      s3 = await withDb(clusterDb, (db) => seed(db, connections, 'grappe'));
      three = await runMix(cluster.url, s3, connections, seconds);
    } finally {
      await cluster.stop();
    }
    printMix('HAProxy + 3 instances', three);
    console.log(
      `responses per instance: ${Object.entries(three.served)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    const a3 = await withDb(clusterDb, (db) => audit(db, s3.accountIds, three.acks));
    printAudit('HAProxy + 3 instances', a3);
    // The runs above have the rate limits off, like the other benches: what the shared sign-in limit adds to each
    // sign-in on PostgreSQL (one upsert: a round trip and a row lock), measured alone.
    const upsertMs = await withDb(clusterDb, async (db) => {
      for (let i = 0; i < 200; i++) await incrementShared(db, 'bench', `k${i % 50}`, 60_000);
      const n = 2000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await incrementShared(db, 'bench', `k${i % 50}`, 60_000);
      return (performance.now() - t0) / n;
    });
    console.log(`shared rate limit: ${upsertMs.toFixed(3)} ms per counted request (one upsert, sequential)`);
    const errors = three.non2xx + three.errors + three.timeouts;
    const lost = lostOf(a3);
    const allServed = Object.keys(three.served).length === 3;
    return report(
      'load-cluster',
      {
        db: 'postgres',
        seconds,
        connections,
        instances: 3,
        throughput: three.throughput,
        p50_ms: three.p50,
        p99_ms: three.p99,
        errors,
        lost_writes: lost,
        bad_chains: a3.badChains.length,
        signins_acknowledged: a3.acknowledged,
        one_throughput: one.throughput,
        one_p50_ms: one.p50,
        one_p99_ms: one.p99,
        one_errors: one.non2xx + one.errors + one.timeouts,
        one_lost_writes: lostOf(a1),
        served_by_all: allServed,
        shared_limit_upsert_ms: upsertMs,
      },
      three.throughput / one.throughput,
      '>=',
      0.5,
      errors === 0 && lost === 0 && a3.badChains.length === 0 && allServed,
    );
  } finally {
    pg.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
