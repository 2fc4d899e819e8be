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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';
import pg from 'pg';
import { migrate, openDatabase } from '../db/connect';
import { startPgServer, type PgServer } from '../test/pg-server';
import type { InstanceTuning } from './instance';

/** The loopback address HAProxy connects to the instances from: the only one they trust as a proxy. */
export const PROXY_SOURCE = '127.0.0.2';

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

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Where HAProxy is, or why it cannot run here. */
export function haproxyBinary(): { path: string } | { missing: string } {
  for (const p of [process.env.HAPROXY_BIN, '/usr/sbin/haproxy', '/usr/bin/haproxy']) {
    if (!p) continue;
    const r = spawnSync(p, ['-v'], { encoding: 'utf8' });
    if (r.status === 0) return { path: p };
  }
  return { missing: 'HAProxy is not installed (apt-get install haproxy, or scripts/setup-system.sh test)' };
}

/** A self-signed certificate for 127.0.0.1 and localhost (openssl), valid two days. */
function makeCertificate(dir: string): { certPem: string; keyPem: string } {
  const key = join(dir, 'proxy.key');
  const cert = join(dir, 'proxy.crt');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=vigie-cluster-test',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl could not make the proxy's certificate: ${r.stderr}`);
  return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

const ERROR_BODY = JSON.stringify({
  code: 'UNAVAILABLE',
  message: 'Service momentanément indisponible : réessayez dans un instant.',
  retryable: true,
});
const errorFile = (status: number, reason: string) =>
  [
    `HTTP/1.1 ${status} ${reason}`,
    'content-type: application/json; charset=utf-8',
    'cache-control: no-store',
    'connection: close',
    '',
    ERROR_BODY,
  ].join('\r\n');

export function haproxyConfig(o: {
  dir: string;
  port: number;
  servers: { name: string; port: number }[];
}): string {
  return `global
  maxconn 4096
  stats socket ${join(o.dir, 'haproxy.sock')} mode 600 level admin

defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
  timeout queue 5s
  # A connection that failed never reached an instance: try another one. A request that reached one is tried
  # again only when it is idempotent (see disable-l7-retry below).
  retries 2
  retry-on conn-failure empty-response response-timeout
  option redispatch 1
  # Appends the client's address to X-Forwarded-For; the instances trust this proxy's address only.
  option forwardfor

frontend vigie
  bind 127.0.0.1:${o.port} ssl crt ${join(o.dir, 'proxy.pem')} alpn http/1.1
  http-request disable-l7-retry unless METH_GET || METH_HEAD
  default_backend instances

backend instances
  balance roundrobin
  source ${PROXY_SOURCE}
  option httpchk GET /ready
  http-check expect status 200
  http-response set-header x-vigie-instance %[srv_name]
  errorfile 502 ${join(o.dir, '502.http')}
  errorfile 503 ${join(o.dir, '503.http')}
  errorfile 504 ${join(o.dir, '504.http')}
  # Out after 3 failed checks (about 3 s), back after 2; a check may take 2 s, so a loaded machine's slow answer is
  # not taken for a dead instance (a dead one refuses connections at once, and those are tried elsewhere).
  timeout check 2s
  default-server check inter 1s fall 3 rise 2
${o.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port}`).join('\n')}
`;
}

export interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
}

function spawnProc(
  cmd: string,
  args: string[],
  env: Record<string, string | undefined>,
  onLine: (s: string) => void,
): Proc {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (b: Buffer) => onLine(b.toString()));
  child.stderr!.on('data', (b: Buffer) => onLine(b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, exited };
}

export async function stopProc(p: Proc, signal: NodeJS.Signals = 'SIGTERM', graceMs = 8000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const t = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(t);
}

async function waitFor(
  what: string,
  fn: () => Promise<boolean> | boolean,
  timeoutMs: number,
  log: () => string,
) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > until) throw new Error(`${what} not ready in ${timeoutMs} ms:\n${log().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends one command to HAProxy's stats socket and returns its answer. */
async function haproxyCommand(socket: string, command: string): Promise<string> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve, reject) => {
    const c = createConnection(socket);
    let out = '';
    c.on('data', (b) => (out += b.toString()));
    c.on('end', () => resolve(out));
    c.on('error', reject);
    c.write(`${command}\n`);
  });
}

export interface Proxy {
  url: string;
  certPem: string;
  proc: Proc;
  /** HAProxy's view of each server: `UP`, `DOWN`, … (its stats socket). */
  serverStates(): Promise<Record<string, string>>;
}

/**
 * HAProxy in front of `servers` (loopback ports), with a certificate made for the run, its files in `dir`; resolves
 * once every server is up and `/ready` answers through it.
 */
export async function startProxy(o: {
  dir: string;
  port?: number;
  servers: { name: string; port: number }[];
  onLine: (s: string) => void;
}): Promise<Proxy> {
  const haproxy = haproxyBinary();
  if ('missing' in haproxy) throw new Error(haproxy.missing);
  const { certPem, keyPem } = makeCertificate(o.dir);
  writeFileSync(join(o.dir, 'proxy.pem'), `${certPem}${keyPem}`, { mode: 0o600 });
  for (const [s, r] of [
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
    [504, 'Gateway Timeout'],
  ] as const)
    writeFileSync(join(o.dir, `${s}.http`), errorFile(s, r));
  const port = o.port ?? (await freePort());
  const cfg = join(o.dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig({ dir: o.dir, port, servers: o.servers }));
  const check = spawnSync(haproxy.path, ['-c', '-q', '-f', cfg], { encoding: 'utf8' });
  if (check.status !== 0)
    throw new Error(`haproxy refused its configuration: ${check.stderr}${check.stdout}`);
  let log = '';
  const proc = spawnProc(haproxy.path, ['-db', '-f', cfg], process.env, (s) => {
    log += s;
    o.onLine(s.replace(/^/gm, '[haproxy] '));
  });
  const url = `https://127.0.0.1:${port}`;
  const socket = join(o.dir, 'haproxy.sock');
  const serverStates = async () => {
    const csv = await haproxyCommand(socket, 'show stat');
    const states: Record<string, string> = {};
    for (const line of csv.split('\n')) {
      const f = line.split(',');
      if (f[0] === 'instances' && f[1] && f[1] !== 'BACKEND') states[f[1]] = f[17] ?? '';
    }
    return states;
  };
  const agent = new Agent({ connect: { ca: certPem } });
  try {
    await waitFor(
      'HAProxy with every server up',
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`haproxy exited:\n${log.slice(-4000)}`);
        try {
          const states = await serverStates();
          if (o.servers.some((sv) => states[sv.name] !== 'UP')) return false;
          const r = await undiciFetch(`${url}/ready`, { dispatcher: agent });
          return r.status === 200;
        } catch {
          return false;
        }
      },
      30_000,
      () => log,
    );
  } catch (e) {
    await stopProc(proc);
    throw e;
  } finally {
    await agent.close();
  }
  return { url, certPem, proc, serverStates };
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
