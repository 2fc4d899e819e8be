/**
 * `npm run simulate -- [--pharmacies 1000] [--years 2] [--seed N] [--db postgres|pglite] [--baseline] [--no-baseline]`
 *
 * --db postgres uses DATABASE_URL (an admin URL: a database is created for each run and dropped after).
 * --keep-followed-statuses: a product variant (workstations keep the statuses of every account they follow).
 * --reminder-days 60,30,14,7,3,1 / --mail-reminder-days 60,30,7,1: product variants (other reminder offsets).
 * --baseline runs the baseline alone; by default the Vigie run is followed by the baseline for the comparison.
 */
import { parseArgs } from 'node:util';
import { InvariantError } from './model/engine';
import { simulate } from './simulate';

const { values } = parseArgs({
  options: {
    pharmacies: { type: 'string', default: '1000' },
    years: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    db: { type: 'string', default: 'pglite' },
    baseline: { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    'keep-followed-statuses': { type: 'boolean', default: false },
    'reminder-days': { type: 'string' },
    'mail-reminder-days': { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    [
      'npm run simulate -- [options]',
      '  --pharmacies N        pharmacies in the population (default 1000)',
      '  --years N             simulated years (default 2)',
      '  --seed N              the seed: the same seed draws the same population and events (default 1)',
      '  --db pglite|postgres  embedded PGlite (default) or the PostgreSQL server of DATABASE_URL',
      '  --baseline            the baseline alone: the same population with no reminders (amelipro rules only)',
      '  --no-baseline         the Vigie run alone',
      '  --reminder-days L     a product variant: app reminder offsets, e.g. 60,30,14,7,3,1',
      '  --mail-reminder-days L  a product variant: mail reminder offsets, e.g. 60,30,7,1',
      '  --out DIR             where to write report.html and figures.json (default artifacts/simulation/<run>)',
      'A run of 1,000 pharmacies over 2 years takes hours on 2 cores; sim/README.md gives measured costs.',
    ].join('\n'),
  );
  process.exit(0);
}
const db = values.db === 'postgres' ? 'postgres' : 'pglite';
let started = Date.now();
let last = 0;
let label = '';
const bar = (p: { label: string; day: number; days: number; date: string }) => {
  const now = Date.now();
  if (p.label !== label) {
    // A new run (Vigie, then the baseline): its own elapsed time and estimate.
    label = p.label;
    started = now;
  }
  if (now - last < 500 && p.day < p.days) return;
  last = now;
  const f = p.day / p.days;
  const width = 30;
  const done = Math.round(f * width);
  const elapsed = (now - started) / 1000;
  const left = f > 0 ? (elapsed / f) * (1 - f) : 0;
  process.stderr.write(
    `\r${p.label.padEnd(8)} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.date} ${(f * 100).toFixed(0).padStart(3)}%  ${elapsed.toFixed(0)} s, ~${left.toFixed(0)} s left   `,
  );
  if (p.day >= p.days) process.stderr.write('\n');
};

try {
  const r = await simulate({
    pharmacies: Number(values.pharmacies),
    years: Number(values.years),
    seed: Number(values.seed),
    db,
    baseline: values.baseline,
    withBaseline: !values['no-baseline'],
    keepFollowedStatuses: values['keep-followed-statuses'],
    ...(values['reminder-days'] ? { reminderDays: values['reminder-days'].split(',').map(Number) } : {}),
    ...(values['mail-reminder-days']
      ? { mailReminderDays: values['mail-reminder-days'].split(',').map(Number) }
      : {}),
    outDir: values.out,
    onProgress: bar,
  });
  for (const f of [r.vigie, r.baseline]) {
    if (!f) continue;
    console.log(
      `${f.label}: ${f.population.accounts} accounts, surprise blocks ${f.blocks.surprise} (fewer than 3 reminders: ${f.blocks.surpriseFewerThan3Reminders}), not needed ${f.blocks.notNeeded}, by strangers ${f.blocks.byStranger}, lock-outs ${f.strangers.lockouts}, accountants the grace end met without a factor ${f.graceLockouts}, median days blocked ${f.unblock.medianDaysBlocked ?? '—'} (kept out ${f.unblock.medianDaysKeptOut ?? '—'}), mails/account/year ${f.mails.perAccountYear}, ${(f.runtimeMs / 1000).toFixed(0)} s (${f.pharmacyDaysPerSecond} pharmacy-days/s)`,
    );
  }
  console.log(`report: ${r.dir}/report.html`);
  process.exit(0);
} catch (e) {
  process.stderr.write('\n');
  if (e instanceof InvariantError) console.error(e.message);
  else console.error(e);
  process.exit(1);
}
