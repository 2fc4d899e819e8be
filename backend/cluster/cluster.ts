/**
 * Several backend instances behind HAProxy on this machine, all on loopback: a PostgreSQL server (started here
 * unless given), N instances (./instance.ts, child processes) on one database, and HAProxy (Debian's package)
 * in front, terminating TLS with a certificate made for the run, balancing round-robin, checking `/ready`.
 * `npm run backend:cluster` (./cli.ts), the cross-instance suite and `npm run bench -- load --cluster` start it.
 *
 * The proxy reaches the instances from its own loopback address (PROXY_SOURCE): it is the only address the
 * instances trust for X-Forwarded-For (TRUST_PROXY), so a client on any other address cannot choose its own.
 * Connections that never reached an instance are retried on another one (nothing was sent); a request that
 * reached an instance which then died is retried only when it is a GET or HEAD: a POST is never sent twice. It ends
 * with the proxy's 502 (a JSON body: UNAVAILABLE, retryable) when it was the first request of its connection; on a
 * kept-alive connection HAProxy closes the connection without an answer instead (its keep-alive convention, so that
 * a client may try again), which the workstation core reads as BACKEND_UNREACHABLE, retryable too.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate, openDatabase } from '../db/connect';
import { startPgServer, type PgServer } from '../test/pg-server';
import { haproxyBinary, PROXY_SOURCE, startProxy } from './haproxy';
import type { InstanceTuning } from './instance';
import { freePort, spawnProc, stopProc, waitFor, type Proc } from './processes';

export { haproxyBinary, PROXY_SOURCE, startProxy, type Proxy } from './haproxy';
export { freePort, stopProc, type Proc } from './processes';

const instanceScript = fileURLToPath(new URL('./instance.ts', import.meta.url));

export interface ClusterOptions {
  instances?: number;
  /** A PostgreSQL database URL; without it a server is started in a temporary folder and stopped with the cluster. */
  database?: string;
  /** Where the instances send mail (SMTP on 127.0.0.1); else `.eml` files in `outboxDir`, else nowhere. */
  smtpPort?: number;
  outboxDir?: string;
  /** More environment for every instance (CARD_TRUST_PEM, PSC_ISSUER, LETTERS_DIR, …: see ./instance.ts). */
  env?: Record<string, string>;
  tuning?: InstanceTuning;
  /** The proxy's port (default: a free one). */
  port?: number;
  /** Echo the instances' and the proxy's output here (default: kept, shown on a failed start). */
  onOutput?: (line: string) => void;
}

export interface ClusterInstance {
  name: string;
  /** Direct URL (loopback; tests and benches only: in production only the proxy reaches it). */
  url: string;
  pid: number;
  alive(): boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface Cluster {
  /** `https://127.0.0.1:<port>`: the proxy. */
  url: string;
  /** The proxy's certificate (self-signed for the run): what the workstation core must trust. */
  certPem: string;
  databaseUrl: string;
  /** The events key the instances share (a tool in another process appends and verifies chains with it). */
  eventsKeyFile: string;
  instances: ClusterInstance[];
  /** HAProxy's view of each instance: `UP`, `DOWN`, … (its stats socket). */
  serverStates(): Promise<Record<string, string>>;
  output(): string;
  stop(): Promise<void>;
}
export async function startCluster(o: ClusterOptions = {}): Promise<Cluster> {
  const haproxy = haproxyBinary();
  if ('missing' in haproxy) throw new Error(haproxy.missing);
  const n = o.instances ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'vigie-cluster-'));
  let log = '';
  const onLine = (s: string) => {
    log += s;
    o.onOutput?.(s);
  };
  let pgServer: PgServer | null = null;
  const procs: Proc[] = [];
  let proxy: Proc | null = null;
  const stop = async () => {
    try {
      if (proxy) await stopProc(proxy);
      await Promise.all(procs.map((p) => stopProc(p)));
    } finally {
      try {
        pgServer?.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  };
  try {
    let databaseUrl = o.database;
    if (!databaseUrl) {
      pgServer = await startPgServer();
      const c = new pg.Client({ connectionString: pgServer.url });
      await c.connect();
      await c.query('create database vigie_cluster');
      await c.end();
      databaseUrl = pgServer.url.replace(/\/postgres$/, '/vigie_cluster');
    }
    // Migrate once before the instances start (each would wait on the migration lock otherwise).
    const opened = await openDatabase(databaseUrl, { poolSize: 1 });
    try {
      await migrate(opened.db);
    } finally {
      await opened.close();
    }
    const keyFile = join(dir, 'events.key');
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });

    const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
    const instances: ClusterInstance[] = [];
    await Promise.all(
      ports.map(async (port, i) => {
        const name = `i${i + 1}`;
        let out = '';
        const p = spawnProc(
          process.execPath,
          ['--import', 'tsx', instanceScript],
          {
            ...process.env,
            DATABASE_URL: databaseUrl,
            PORT: String(port),
            HOST: '127.0.0.1',
            TRUST_PROXY: PROXY_SOURCE,
            EVENTS_KEY_FILE: keyFile,
            ...(o.smtpPort ? { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(o.smtpPort) } : {}),
            ...(o.outboxDir ? { MAIL_OUTBOX: o.outboxDir } : {}),
            VIGIE_INSTANCE_TUNING: JSON.stringify(o.tuning ?? {}),
            ...o.env,
          },
          (s) => {
            out += s;
            onLine(s.replace(/^/gm, `[${name}] `));
          },
        );
        procs.push(p);
        await waitFor(
          `instance ${name}`,
          () => out.includes('VIGIE-INSTANCE-READY'),
          60_000,
          () => out,
        );
        instances[i] = {
          name,
          url: `http://127.0.0.1:${port}`,
          pid: p.child.pid!,
          alive: () => p.child.exitCode === null && p.child.signalCode === null,
          kill: (signal = 'SIGTERM') => stopProc(p, signal),
        };
      }),
    );

    const started = await startProxy({
      dir,
      ...(o.port ? { port: o.port } : {}),
      servers: instances.map((i, k) => ({ name: i.name, port: ports[k]! })),
      onLine,
    });
    proxy = started.proc;
    const { url, certPem, serverStates } = started;
    return {
      url,
      certPem,
      databaseUrl,
      eventsKeyFile: keyFile,
      instances,
      serverStates,
      output: () => log,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
