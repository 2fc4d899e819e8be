/**
 * HAProxy in front of the instances: where its binary is, the run's certificate, its configuration (round-robin,
 * `/ready` checks, no retry of a request that reached an instance unless it is a GET or HEAD, JSON error bodies)
 * and its stats socket.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { freePort, spawnProc, stopProc, waitFor, type Proc } from './processes';

/** The loopback address HAProxy connects to the instances from: the only one they trust as a proxy. */
export const PROXY_SOURCE = '127.0.0.2';

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
