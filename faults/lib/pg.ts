/** The throw-away PostgreSQL 15 server of backend/test/pg-server.ts, plus the stop / start / restart a fault needs. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startPgServer, type PgServer } from '../../backend/test/pg-server';

function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const v = readdirSync(base)
    .filter((d) => existsSync(join(base, d, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return join(base, v[0]!, 'bin');
}

function pgCtl(dir: string, args: string[]) {
  const bin = join(binDir(), 'pg_ctl');
  const all = ['-D', join(dir, 'data'), '-l', join(dir, 'log'), ...args];
  const asPg = process.getuid?.() === 0;
  const r = asPg
    ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...all], { encoding: 'utf8', timeout: 60_000 })
    : spawnSync(bin, all, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`pg_ctl ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

export interface ControlledPg extends PgServer {
  /** Immediate stop (as a crash: no checkpoint), the server stays down. */
  crash(): void;
  /** Starts it again with the same settings (postmaster.opts). */
  start(): void;
  /** Immediate stop then start: a restart under load. */
  restart(): void;
}

/**
 * Durable settings, as in production: fsync on and synchronous_commit on. (The test server of
 * backend/test/pg-server.ts turns synchronous_commit off for speed; with it off, an immediate stop loses
 * the last acknowledged commits: this suite saw 3 of 116 acknowledged sign-ins vanish that way.)
 */
export async function startControlledPg(): Promise<ControlledPg> {
  const s = await startPgServer({ fsync: true });
  // Its command line says synchronous_commit=off (command-line settings beat ALTER SYSTEM): start it again
  // with durable ones; later restarts reuse these (postmaster.opts).
  const port = new URL(s.url).port;
  pgCtl(s.dir, ['-m', 'fast', '-w', 'stop']);
  pgCtl(s.dir, [
    '-w',
    '-o',
    `-p ${port} -k ${s.dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200`,
    'start',
  ]);
  return {
    ...s,
    crash: () => pgCtl(s.dir, ['-m', 'immediate', '-w', 'stop']),
    start: () => pgCtl(s.dir, ['-w', 'restart']),
    restart: () => pgCtl(s.dir, ['-m', 'immediate', '-w', 'restart']),
  };
}

export function createDatabase(adminUrl: string, name: string): string {
  execFileSync(
    process.execPath,
    [
      '-e',
      `const pg=require('pg');const c=new pg.Client({connectionString:${JSON.stringify(adminUrl)}});c.connect().then(()=>c.query('create database ${name}')).then(()=>c.end())`,
    ],
    { cwd: process.cwd() },
  );
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}
