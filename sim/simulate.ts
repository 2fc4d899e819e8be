/**
 * The whole measurement: the Vigie run, then the baseline (same population and seed, no reminders), then the
 * report in `artifacts/simulation/<run>/` (report.html + figures.json).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createBackend } from '../backend/app';
import { PARAMS } from './population';
import { renderReport } from './report/html';
import type { RunFigures } from './report/figures';
import { machine, runOnce, type SimOptions } from './run';

export const ASSUMPTIONS = [
  'Passwords are hashed with a near-free argon2id (m = 8 KiB, t = 1) in the simulation only; production uses m = 19 MiB, t = 2. Rate limits are off and the refusal floor is 0 ms (backend options), so that simulated hours do not wait for real seconds; the throttles and the suspicious-activity rules stay on.',
  `People who use their account often (holders and staff with a card) are simulated with one sign-in every ${PARAMS.frequentSignInEveryWeeks} working weeks: their clock never nears the 6-month deadline unless they are away for months (long leave). The cost of the run sits in the rare users (accountants, administrative delegates).`,
  'A reminder counts as delivered only when its owner would see it: an OS notification from the workstation’s own reminder scheduler (electron/core, planning with domain/reminders) when the owner sits at that workstation at that moment; the app’s banner when the owner opens Vigie there (30 % of days at a workstation); an e-mail when the owner reads it (mailboxes read daily, weekly, or never; on holiday read with probability 0.3). A reminder shown to someone else (the holder at the counter, say) is not delivered.',
  'A workstation’s scheduler knows the statuses it fetched while someone was signed in on it (a read-only status call); otherwise it plans from the last known statuses, as the real one does.',
  'The scheduler is evaluated twice a day (09:00 and 15:00) on each workstation that is on; jobs (sweep, reminders, mail) run at 06:00 and the mail job again at 20:00.',
  'A surprise block is an inactivity block of an account whose owner later tried to sign in, or still works with the pharmacy at the end of the run (would have). Blocks of accounts whose owner left are counted apart and never "fixed".',
  'Unblocks take the first way open to the person: the card (or e-CPS through the Pro Santé Connect sandbox when the card is expired and e-CPS was activated), the security key (if recorded and remembered), else a postal code whose letter arrives 2–5 working days later and is read from the PDF.',
  'Cards are virtual CPS cards issued by the test PKI’s intermediate with the simulated dates; a challenge is signed as a CPS3 does. Workstations are not registered (no Ed25519 key): sessions are bound by workstation id only.',
  'Strangers use other addresses and workstation ids than the owners; their campaigns happen at random moments, half of them just before a sign-in of the owner, to catch lock-outs.',
  'All population parameters, with the reason for each value, are in sim/population.ts.',
];

export interface SimulateOptions extends SimOptions {
  /** Run the baseline too (default true; `--baseline` alone runs only the baseline). */
  withBaseline: boolean;
  outDir?: string;
  /** A fresh database URL for each run (tests: a copy of the run's migrated PGlite folder). */
  newDatabase?: () => Promise<string>;
}

export interface SimulateResult {
  dir: string;
  vigie: RunFigures | null;
  baseline: RunFigures | null;
}

export async function simulate(o: SimulateOptions): Promise<SimulateResult> {
  const started = Date.now();
  // PGlite: migrate one data folder once, and give each run its own copy (initdb + migrations take seconds).
  const template = o.db === 'pglite' && !o.databaseUrl && !o.newDatabase ? await migratedPglite() : null;
  const url = async () => (o.newDatabase ? o.newDatabase() : template ? template.copy() : o.databaseUrl);
  try {
    const vigie = o.baseline ? null : await runOnce({ ...o, databaseUrl: await url(), baseline: false });
    const baseline =
      o.baseline || o.withBaseline ? await runOnce({ ...o, databaseUrl: await url(), baseline: true }) : null;
    return write(o, started, vigie, baseline);
  } finally {
    template?.remove();
  }
}

async function migratedPglite() {
  const root = mkdtempSync(join(tmpdir(), 'vigie-sim-pglite-'));
  const b = await createBackend({
    database: `pglite:${join(root, 'template')}`,
    logLevel: 'silent',
    jobs: { autoStart: false },
  });
  await b.close();
  let n = 0;
  return {
    copy() {
      const dir = join(root, `run-${n++}`);
      cpSync(join(root, 'template'), dir, { recursive: true });
      return `pglite:${dir}`;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

function write(
  o: SimulateOptions,
  started: number,
  vigie: RunFigures | null,
  baseline: RunFigures | null,
): SimulateResult {
  const name = `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-p${o.pharmacies}-y${o.years}-s${o.seed}-${o.db}`;
  const dir = resolve(o.outDir ?? join('artifacts', 'simulation'), name);
  mkdirSync(dir, { recursive: true });
  const report = {
    createdAt: new Date().toISOString(),
    totalRuntimeMs: Date.now() - started,
    machine: machine(),
    assumptions: ASSUMPTIONS,
    vigie,
    baseline,
  };
  writeFileSync(join(dir, 'figures.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'report.html'), renderReport(report));
  return { dir, vigie, baseline };
}
