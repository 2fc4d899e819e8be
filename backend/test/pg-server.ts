/**
 * Starts a throw-away PostgreSQL server (Debian's 15, no systemd) in a temporary folder, as the `postgres`
 * user when run as root (initdb refuses root). Used by the test suite's global setup and the benches.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgServer {
  url: string;
  dir: string;
  stop(): void;
}

function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error('PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN)');
  return join(base, versions[0]!, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function pgUid(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function run(bin: string, args: string[], asPostgres: boolean) {
  const r = asPostgres
    ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' })
    : spawnSync(bin, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} failed: ${r.stderr || r.stdout}`);
}

export async function startPgServer(
  /** `statements`: pg_stat_statements loaded, for a bench that says which statements its time goes to. */
  opts: { fsync?: boolean; sharedBuffers?: string; statements?: boolean } = {},
): Promise<PgServer> {
  const bin = binDir();
  const owner = pgUid();
  const dir = mkdtempSync(join(tmpdir(), 'vigie-pg-'));
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const data = join(dir, 'data');
  run(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'],
    owner !== null,
  );
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    `-c fsync=${opts.fsync === true ? 'on' : 'off'}`,
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    `-c shared_buffers=${opts.sharedBuffers ?? '128MB'}`,
    ...(opts.statements ? ['-c shared_preload_libraries=pg_stat_statements'] : []),
  ].join(' ');
  run(
    join(bin, 'pg_ctl'),
    ['-D', data, '-o', settings, '-l', join(dir, 'log'), '-w', 'start'],
    owner !== null,
  );
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], owner !== null);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
