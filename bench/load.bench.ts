/**
 * `npm run bench -- load [--seconds 60] [--db postgres|pglite] [--connections 10]`: the backend (a child
 * process: faults/lib/backend-runner.ts, loopback, rate limits off) under a realistic mix driven by autocannon
 * from this process: each connection is one pharmacy workstation cycling through a password sign-in, its
 * status, a page of its events and its report cases. Reports throughput, p50/p99, errors; then checks that
 * every acknowledged sign-in (HTTP 200) is in the database with its event and that every chain verifies.
 * Baseline in the same run: the throughput of GET /health. Pass: errors = 0 and lost_writes = 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startBackendProc } from '../faults/lib/backend-proc';
import { audit, PASSWORD, seed, withDb, workstationOf, wsHeaders, type SignInAck } from '../faults/lib/data';
import { createDatabase, startControlledPg } from '../faults/lib/pg';
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

export default async function load(args: string[]): Promise<boolean> {
  const seconds = Math.max(2, Math.min(600, Number(arg(args, 'seconds', '60'))));
  const dbKind = arg(args, 'db', 'postgres');
  const connections = Math.max(1, Math.min(100, Number(arg(args, 'connections', '10'))));
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-bench-load-'));
  const pg = dbKind === 'postgres' ? await startControlledPg() : null;
  const database = pg ? createDatabase(pg.url, 'bench_load') : `pglite:${join(tmp, 'pglite')}`;
  const s = await withDb(database, (db) => seed(db, connections, 'charge'));
  const proc = await startBackendProc({ database }, join(tmp, 'backend.log'));
  try {
    console.log(
      `load: ${connections} connections (one workstation and account each), ${seconds} s, database ${dbKind}, backend pid ${proc.child.pid}`,
    );
    // Baseline: GET /health, same connections, a sixth of the time (2..10 s).
    const baseSeconds = Math.max(2, Math.min(10, Math.round(seconds / 6)));
    const health = await autocannon({
      url: proc.url,
      connections,
      duration: baseSeconds,
      requests: [{ method: 'GET', path: '/health' }],
    });
    const healthRps = health.requests.total / baseSeconds;

    let next = 0;
    const acks: SignInAck[] = [];
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
    });
    const t0 = performance.now();
    const mix = await autocannon({
      url: proc.url,
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
          onResponse: (status, body, c) => {
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
    const total = mix.requests.total;
    const errors = mix.non2xx + mix.errors + mix.timeouts;
    const throughput = total / elapsed;
    console.log(`baseline GET /health: ${healthRps.toFixed(0)} req/s (p99 ${health.latency.p99} ms)`);
    console.log(
      `mix: ${total} requests in ${elapsed.toFixed(1)} s = ${throughput.toFixed(0)} req/s; ${acks.length} sign-ins acknowledged; p50 ${mix.latency.p50} ms, p99 ${mix.latency.p99} ms; non-2xx ${mix.non2xx}, errors ${mix.errors}, timeouts ${mix.timeouts}`,
    );

    await proc.kill();
    const a = await withDb(database, (db) => audit(db, s.accountIds, acks));
    const lost = a.missingEvents.length + a.missingSessions.length + a.halfWritten;
    console.log(
      `after: ${a.acknowledged} acknowledged sign-ins, missing events ${a.missingEvents.length}, missing sessions ${a.missingSessions.length}, half-written ${a.halfWritten}; ${a.chainsChecked} chains verified, bad ${a.badChains.length}`,
    );
    return report(
      'load',
      {
        db: dbKind,
        seconds,
        connections,
        throughput,
        p50_ms: mix.latency.p50,
        p99_ms: mix.latency.p99,
        errors,
        lost_writes: lost,
        bad_chains: a.badChains.length,
        signins_acknowledged: a.acknowledged,
        health_rps: healthRps,
      },
      // The mix is database-bound (argon2id, writes, chain locks), /health is not: the ratio is a sanity floor.
      throughput / healthRps,
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
