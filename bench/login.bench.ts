/**
 * Password sign-ins per second through HTTP (Fastify + argon2id verify + session, activity, event chain and
 * outbox writes) against raw argon2id verifications per second with the same parameters and the same
 * concurrency, measured in the same run. Target: ratio ≥ 0.85.
 *
 *   npm run bench -- login [--db=postgres|pglite] [--seconds=8] [--connections=8]
 */
import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import autocannon from 'autocannon';
import { createBackend } from '../backend/app';
import { defaultConfig } from '../backend/context';
import { createAccount, createPharmacy } from '../backend/accounts/accounts';
import { startPgServer, type PgServer } from '../backend/test/pg-server';
import { HEADER_APP_VERSION, HEADER_WORKSTATION, HEADER_WORKSTATION_LABEL } from '../domain/backend-api';
import { pgCpuMs as pgCpuMsOf, report } from './lib';

const PASSWORD = 'Banc-Essai-2027!Lagune';

function arg(args: string[], name: string, dflt: string) {
  return args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
}

async function rawArgon(seconds: number, concurrency: number, stored: string): Promise<number> {
  let n = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        if (!(await verify(stored, PASSWORD))) throw new Error('verify failed');
        n++;
      }
    }),
  );
  return n / seconds;
}

/** A load of password sign-ins over `connections`, cycling through `prefix`.0 … `prefix`.(n-1). */
function signInLoad(url: string, connections: number, prefix: string, n: number) {
  let i = 0;
  const ws = randomUUID();
  return (duration: number) =>
    autocannon({
      url,
      connections,
      duration,
      requests: [
        {
          method: 'POST',
          path: '/v1/auth/password',
          headers: {
            'content-type': 'application/json',
            [HEADER_WORKSTATION]: ws,
            [HEADER_WORKSTATION_LABEL]: 'Banc',
            [HEADER_APP_VERSION]: '0.1.0',
          },
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ identifier: `${prefix}.${i++ % n}`, password: PASSWORD }),
          }),
        },
      ],
    });
}

const pgCpuMs = (pg: PgServer | null) => pgCpuMsOf(pg?.dir ?? null);

/** The non-hash cost of a sign-in: a second backend on the same server with a near-free hash. */
async function overheadPerSignIn(pg: PgServer | null, dbKind: string, seconds: number, connections: number) {
  const argon2 = { memoryCost: 64, timeCost: 1, parallelism: 1 };
  const backend = await createBackend({
    database: pg ? pg.url : 'pglite:memory',
    logLevel: 'silent',
    jobs: { autoStart: false },
    rateLimit: false,
    mailer: { kind: 'none' },
    poolSize: 20,
    config: { argon2 },
  });
  try {
    const stored = await hash(PASSWORD, argon2);
    const now = new Date();
    await backend.db.transaction().execute(async (trx) => {
      const pharmacyId = await createPharmacy(
        trx,
        {
          finess: '759999923',
          amNumber: '759999924',
          name: 'Banc bis',
          address: { line1: '1 rue', postalCode: '75001', city: 'Paris' },
        },
        now,
      );
      for (let i = 0; i < 50; i++) {
        await createAccount(
          trx,
          {
            pharmacyId,
            kind: 'holder',
            displayName: `Bis ${i}`,
            identifier: `bis.${i}`,
            nationalId: `8997001${String(i).padStart(5, '0')}`,
            email: `bis${i}@x.invalid`,
            passwordHash: stored,
          },
          now,
          backend.ctx.config,
        );
      }
    });
    const url = await backend.listen(0, '127.0.0.1');
    const run = signInLoad(url, connections, 'bis', 50);
    await run(1);
    const c0 = process.cpuUsage();
    const p0 = pgCpuMs(pg);
    const r = await run(Math.max(1, Math.round(seconds)));
    const c = process.cpuUsage(c0);
    const n = Math.max(1, r.requests.total - r.non2xx - r.errors);
    return {
      nodeMs: (c.user + c.system) / 1000 / n,
      pgMs: dbKind === 'postgres' ? (pgCpuMs(pg) - p0) / n : 0,
      rate: n / Math.max(1, Math.round(seconds)),
    };
  } finally {
    await backend.close();
  }
}

export default async function (args: string[]): Promise<boolean> {
  const dbKind = arg(args, 'db', 'postgres');
  const seconds = Number(arg(args, 'seconds', '8'));
  const connections = Number(arg(args, 'connections', '8'));
  const accounts = 200;
  const pg = dbKind === 'postgres' ? await startPgServer() : null;
  const backend = await createBackend({
    database: pg ? pg.url : 'pglite:memory',
    logLevel: 'silent',
    jobs: { autoStart: false },
    rateLimit: false,
    mailer: { kind: 'none' },
    poolSize: 20,
  });
  try {
    const p = defaultConfig.argon2;
    console.log(
      `argon2id m=${p.memoryCost} KiB t=${p.timeCost} p=${p.parallelism}; ${connections} connections, ${seconds} s; database ${dbKind}`,
    );
    const stored = await hash(PASSWORD, p);
    const now = new Date();
    await backend.db.transaction().execute(async (trx) => {
      const pharmacyId = await createPharmacy(
        trx,
        {
          finess: '759999921',
          amNumber: '759999922',
          name: 'Banc',
          address: { line1: '1 rue', postalCode: '75001', city: 'Paris' },
        },
        now,
      );
      for (let i = 0; i < accounts; i++) {
        await createAccount(
          trx,
          {
            pharmacyId,
            kind: i === 0 ? 'holder' : 'password_delegate',
            displayName: `Compte ${i}`,
            identifier: `banc.${i}`,
            nationalId: i === 0 ? '899700099999' : null,
            email: `banc${i}@x.invalid`,
            passwordHash: stored,
          },
          now,
          backend.ctx.config,
        );
      }
      const ids = (
        await trx
          .selectFrom('accounts')
          .select('id')
          .where('pharmacy_id', '=', pharmacyId)
          .where('kind', '<>', 'holder')
          .execute()
      ).map((r) => r.id);
      const holder = (
        await trx
          .selectFrom('accounts')
          .select('id')
          .where('pharmacy_id', '=', pharmacyId)
          .where('kind', '=', 'holder')
          .executeTakeFirstOrThrow()
      ).id;
      for (const id of ids)
        await trx
          .insertInto('delegations')
          .values({
            holder_account_id: holder,
            delegate_account_id: id,
            granted_at: now,
            granted_by: holder,
            revoked_at: null,
            revoked_by: null,
          })
          .execute();
    });
    const url = await backend.listen(0, '127.0.0.1');

    // Warm up both paths.
    await rawArgon(1, connections, stored);
    const run = signInLoad(url, connections, 'banc', accounts);
    await run(1);

    // Interleaved rounds, so that other load on the machine weighs on both sides alike.
    const rounds = 4;
    const slice = seconds / rounds;
    let rawSum = 0;
    let ok = 0;
    let non2xx = 0;
    const p50: number[] = [];
    const p99: number[] = [];
    for (let r = 0; r < rounds; r++) {
      rawSum += await rawArgon(slice, connections, stored);
      const http = await run(slice);
      non2xx += http.non2xx + http.errors;
      ok += http.requests.total - http.non2xx - http.errors;
      p50.push(http.latency.p50);
      p99.push(http.latency.p99);
    }
    // Where the time goes: the same HTTP path with a near-free hash (m = 64 KiB, t = 1) on the same database,
    // CPU of this process (server + load generator) and of PostgreSQL per sign-in, outside argon2id.
    const cheap = await overheadPerSignIn(pg, dbKind, seconds / 4, connections);
    const raw = rawSum / rounds;
    const httpRate = ok / seconds;
    const ratio = httpRate / raw;
    const http = { latency: { p50: Math.max(...p50), p99: Math.max(...p99) } };
    const cpus = (await import('node:os')).availableParallelism();
    console.log(
      `outside argon2id, per sign-in: ${cheap.nodeMs.toFixed(2)} ms CPU in this process, ${cheap.pgMs.toFixed(2)} ms in PostgreSQL (${cheap.rate.toFixed(0)} sign-ins/s with a near-free hash); one hash costs ~${((1000 * cpus) / raw).toFixed(1)} ms of CPU here`,
    );
    console.log(
      `raw argon2id verify: ${raw.toFixed(1)}/s; HTTP sign-ins: ${httpRate.toFixed(1)}/s (worst round p50 ${http.latency.p50} ms, p99 ${http.latency.p99} ms, non-2xx ${non2xx})`,
    );
    return report(
      'login',
      {
        db: dbKind,
        connections,
        seconds,
        load_avg_1m: (await import('node:os')).loadavg()[0]!,
        argon2_per_s: raw,
        signins_per_s: httpRate,
        p50_ms: http.latency.p50,
        p99_ms: http.latency.p99,
        non2xx,
        argon2_cpu_ms: (1000 * cpus) / raw,
        overhead_node_cpu_ms: cheap.nodeMs,
        overhead_pg_cpu_ms: cheap.pgMs,
      },
      ratio,
      '>=',
      0.85,
      non2xx === 0,
    );
  } finally {
    await backend.close();
    pg?.stop();
  }
}
