/**
 * One simulation run: a fresh backend (PGlite in memory, or a new database on a PostgreSQL server), the SMTP sink,
 * the PSC sandbox, the simulated PKI; the engine; then the figures. `simulate()` runs Vigie and, unless told
 * otherwise, the baseline (same seed, no reminders), and writes the report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createBackend } from '../backend/app';
import { addParisDays } from '../domain/policy';
import { startPscSandbox } from './internals';
import { MailSink } from './mail-sink';
import { createSimPki } from './pki';
import { PARAMS } from './population';
import { Calendar } from './model/calendar';
import { Engine } from './model/engine';
import { figuresOf, type RunFigures } from './report/figures';

export interface SimOptions {
  pharmacies: number;
  years: number;
  seed: number;
  /**
   * `pglite` (in memory, or the PGlite folder `databaseUrl` names) or `postgres` (needs `databaseUrl`: an admin URL;
   * a new database is created and dropped after).
   */
  db: 'pglite' | 'postgres';
  databaseUrl?: string;
  baseline: boolean;
  /** Product variant: workstations keep the statuses of every account they follow (see the engine). */
  keepFollowedStatuses?: boolean;
  /** Product variant: other reminder offsets (days before the block) for the app and for the mails. */
  reminderDays?: number[];
  mailReminderDays?: number[];
  onProgress?: (p: { label: string; day: number; days: number; date: string }) => void;
}

async function databaseFor(o: SimOptions): Promise<{ url: string; drop(): Promise<void> }> {
  if (o.db === 'pglite') return { url: o.databaseUrl ?? 'pglite:memory', drop: async () => {} };
  const admin = o.databaseUrl ?? process.env.DATABASE_URL;
  if (!admin) throw new Error('--db postgres needs DATABASE_URL (an admin URL of a PostgreSQL server)');
  const name = `vigie_sim_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const url = admin.replace(/\/[^/?]*(\?.*)?$/, `/${name}$1`);
  return {
    url,
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}

export async function runOnce(o: SimOptions): Promise<RunFigures> {
  const started = Date.now();
  const start = new Date(PARAMS.start);
  const days = Math.round(o.years * 365);
  const cal = new Calendar(start, -PARAMS.warmupDays, days - 1);
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-sim-'));
  const sink = new MailSink();
  await sink.start();
  let t = cal.at(cal.first, 0);
  const clock = { now: () => new Date(t), set: (x: Date) => (t = new Date(x)) };
  const pki = await createSimPki(join(tmp, 'pki'), {
    from: addParisDays(start, cal.first - 2),
    to: addParisDays(start, days + 60),
  });
  if (pki.intermediateNotBefore > cal.at(cal.first, 0))
    throw new Error(
      `the test PKI's intermediate is valid from ${pki.intermediateNotBefore.toISOString()}: move PARAMS.start`,
    );
  const db = await databaseFor(o);
  const label = o.baseline ? 'baseline' : 'vigie';
  const engine = new Engine({
    seed: o.seed,
    pharmacies: o.pharmacies,
    years: o.years,
    baseline: o.baseline,
    sink,
    pki,
    lettersDir: tmp,
    clock,
    cal,
    keepFollowedStatuses: o.keepFollowedStatuses ?? false,
    ...(o.reminderDays ? { reminderDays: o.reminderDays } : {}),
    onDay: (d) =>
      o.onProgress?.({
        label,
        day: d - cal.first + 1,
        days: cal.last - cal.first + 1,
        date: clock.now().toISOString().slice(0, 10),
      }),
  });
  const people = engine.world.people
    .filter((p) => p.nationalId && p.ecps)
    .map((p) => ({
      nationalId: p.nationalId!,
      givenName: p.firstName.toUpperCase(),
      familyName: p.lastName,
      ecps: true,
    }));
  const psc = await startPscSandbox({ people });
  const backend = await createBackend({
    database: db.url,
    clock,
    logLevel: 'silent',
    mailer: {
      kind: 'smtp',
      host: '127.0.0.1',
      port: sink.port,
      ignoreTLS: true,
      from: 'Vigie <no-reply@vigie.invalid>',
    },
    jobs: { autoStart: false },
    rateLimit: false,
    failureFloorMs: 0,
    config: {
      // The simulation only: a near-free argon2id (m = 8 KiB, t = 1). The report says so.
      argon2: { memoryCost: 8, timeCost: 1, parallelism: 1 },
      ...(o.reminderDays ? { reminderDays: o.reminderDays } : {}),
      ...(o.mailReminderDays ? { mailReminderDays: o.mailReminderDays } : {}),
      ...(o.baseline ? { reminderDays: [], mailReminderDays: [] } : {}),
    },
    signin: {
      cardAuth: { trustPemFiles: pki.trustPemFiles, crlFiles: pki.crlFiles },
      ecps: {
        issuer: psc.issuer,
        clientId: psc.clientId,
        clientSecret: psc.clientSecret,
        pollIntervalMs: 20,
        forcePollInterval: true,
        allowInsecure: true,
      },
      lettersDir: tmp,
    },
  });
  engine.attach(backend, psc);
  try {
    await engine.run();
    engine.closeBlocks();
    const chains = await engine.verifyChains();
    if (chains.failed.length > 0)
      throw new Error(`hash chains that do not verify: ${chains.failed.join('; ')}`);
    return figuresOf(engine, {
      label,
      options: o,
      cal,
      chains,
      runtimeMs: Date.now() - started,
      sinkTotal: sink.total,
    });
  } finally {
    await backend.close();
    await psc.close();
    await sink.close();
    await db.drop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

export const machine = () => ({
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  node: process.version,
});
