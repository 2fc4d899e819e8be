/**
 * Insert and pull virtual cards, for a person trying the app (and the demo):
 *   npm run card -- insert --holder "Claire MARTIN" [--reader 0] [--profile cps3|cps4|vitale|garbage] [--pin 1234]
 *   npm run card -- remove [--reader 0 | --all]
 *   npm run card -- status
 *   npm run card -- holders
 * `insert` leaves a detached process holding the card in vpcd's reader N until `remove`. The reader: VIGIE_VPCD_PORT+N
 * when set; else the demo's private reader when the app runs in demo mode (/run/vigie-pcscd-demo-<port>); else
 * the system pcscd's vpcd (35963+N). Host VIGIE_VPCD_HOST or 127.0.0.2. Its pid/status file is under ./.vigie/
 * (or VIGIE_CARD_STATE_DIR).
 * pcscd must run with the vpcd driver: `scripts/pcscd-test.sh start` starts a private one.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HOLDERS, resolveHolder } from './holders';
import { repoRoot } from './pki';
import type { ChildOptions } from './vpcd/child';

const stateDir = process.env.VIGIE_CARD_STATE_DIR ?? join(repoRoot, '.vigie');
const statusFile = (reader: number) => join(stateDir, `card-reader${reader}.json`);
const logFile = (reader: number) => join(stateDir, `card-reader${reader}.log`);
const childPath = fileURLToPath(new URL('./vpcd/child.ts', import.meta.url));

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    holder: { type: 'string' },
    reader: { type: 'string', default: '0' },
    profile: { type: 'string', default: 'cps3' },
    pin: { type: 'string' },
    'tries-left': { type: 'string' },
    all: { type: 'boolean', default: false },
  },
});

/** The vpcd base port: explicit, else a running demo pcscd of the app (npm start in demo mode), else Debian's. */
function basePort(): { port: number; where: string } {
  if (process.env.VIGIE_VPCD_PORT)
    return { port: Number(process.env.VIGIE_VPCD_PORT), where: 'VIGIE_VPCD_PORT' };
  try {
    for (const d of readdirSync('/run')) {
      const m = /^vigie-pcscd-demo-(\d+)$/.exec(d);
      const pidFile = join('/run', d, 'pcscd.pid.outer');
      if (m && existsSync(pidFile) && alive(Number(readFileSync(pidFile, 'utf8'))))
        return { port: Number(m[1]), where: "the app's demo reader" };
    }
  } catch {
    /* no /run: not Linux */
  }
  return { port: 35963, where: 'the system pcscd (vpcd)' };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function current(reader: number): { pid: number; card: string } | undefined {
  const f = statusFile(reader);
  if (!existsSync(f)) return undefined;
  const s = JSON.parse(readFileSync(f, 'utf8')) as { pid: number; card: string };
  if (!alive(s.pid)) {
    rmSync(f, { force: true });
    return undefined;
  }
  return s;
}

async function remove(reader: number): Promise<boolean> {
  const s = current(reader);
  if (!s) return false;
  process.kill(s.pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(s.pid); i++) await new Promise((r) => setTimeout(r, 20));
  rmSync(statusFile(reader), { force: true });
  console.log(`reader ${reader}: card removed (${s.card})`);
  return true;
}

async function insert() {
  const reader = Number(values.reader);
  const profile = values.profile as ChildOptions['profile'];
  if (!['cps3', 'cps4', 'vitale', 'garbage'].includes(profile ?? ''))
    throw new Error(`unknown profile ${profile}`);
  if (profile === 'cps3' || profile === 'cps4') {
    if (!values.holder) throw new Error('--holder <name or national id> is needed (npm run card -- holders)');
    resolveHolder(values.holder); // fail fast on a bad custom holder
  }
  await remove(reader);
  mkdirSync(stateDir, { recursive: true });
  const base = basePort();
  const o: ChildOptions = {
    profile,
    holder: values.holder,
    reader,
    port: base.port + reader,
    ...(values.pin ? { pin: values.pin } : {}),
    ...(values['tries-left'] ? { pinTriesLeft: Number(values['tries-left']) } : {}),
    statusFile: statusFile(reader),
  };
  const log = openSync(logFile(reader), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', childPath, JSON.stringify(o)], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  for (let i = 0; i < 250; i++) {
    const s = current(reader);
    if (s) {
      const codes =
        profile === 'cps3' || profile === 'cps4' ? `; PIN ${values.pin ?? '1234'}, PUK 12345678` : '';
      console.log(
        `reader ${reader}: ${s.card} inserted in ${base.where}, port ${base.port + reader} (pid ${s.pid}${codes})`,
      );
      return;
    }
    if (child.exitCode !== null) throw new Error(`the virtual card stopped; see ${logFile(reader)}`);
    await new Promise((r) => setTimeout(r, 40));
  }
  console.log(
    `reader ${reader}: the card waits for the reader (pid ${child.pid}). Is pcscd running with vpcd? ` +
      '`sudo scripts/pcscd-test.sh start` starts one.',
  );
}

async function main() {
  const cmd = positionals[0];
  if (cmd === 'insert') return insert();
  if (cmd === 'remove') {
    const readers = values.all
      ? readdirSync(stateDir)
          .flatMap((f) => /^card-reader(\d+)\.json$/.exec(f)?.[1] ?? [])
          .map(Number)
      : [Number(values.reader)];
    let any = false;
    for (const r of readers) any = (await remove(r)) || any;
    if (!any) console.log('no virtual card to remove');
    return;
  }
  if (cmd === 'status') {
    for (const r of [0, 1]) console.log(`reader ${r}: ${current(r)?.card ?? 'empty'}`);
    return;
  }
  if (cmd === 'holders') {
    for (const h of HOLDERS)
      console.log(
        `${h.nationalId}  ${h.firstName} ${h.lastName}  ${h.profession}${h.revoked ? '  (revoked)' : ''}`,
      );
    console.log('custom: --holder "Prénom NOM" or --holder "Prénom NOM:899700012399"');
    return;
  }
  console.log(
    'usage: npm run card -- insert --holder <name|national id> [--reader N] [--profile cps3|cps4|vitale|garbage]\n       npm run card -- remove [--reader N | --all] | status | holders',
  );
  process.exitCode = cmd ? 2 : 0;
}

main().catch((e: unknown) => {
  console.error(`card: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
