/**
 * A small run of the simulation (20 pharmacies, one year, PGlite), Vigie then the baseline: the run itself checks
 * the invariants every simulated day (it stops on the first broken one); here, the report and its figures.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../backend/test/harness';
import type { RunFigures } from './report/figures';
import { simulate, type SimulateResult } from './simulate';

const PHARMACIES = Number(process.env.VIGIE_SIM_PHARMACIES ?? 20);
let result: SimulateResult | null = null;

afterAll(() => {
  if (result) rmSync(result.dir, { recursive: true, force: true });
});

describe('the promise, measured (small run)', () => {
  it(`runs ${PHARMACIES} pharmacies over a year with Vigie and without, every invariant holding every day`, async () => {
    result = await simulate({
      pharmacies: PHARMACIES,
      years: 1,
      seed: 20270607,
      db: 'pglite',
      baseline: false,
      withBaseline: true,
      outDir: join('.tmp', 'sim-test'),
      newDatabase: testDatabaseUrl,
    });
    const json = JSON.parse(readFileSync(join(result.dir, 'figures.json'), 'utf8')) as {
      vigie: RunFigures;
      baseline: RunFigures;
      assumptions: string[];
      machine: { cpus: number };
    };
    const { vigie, baseline } = json;
    for (const f of [vigie, baseline]) {
      expect(f.population.pharmacies).toBe(PHARMACIES);
      expect(f.population.byKind.holder).toBe(PHARMACIES);
      expect(f.population.byKind.password_delegate).toBeGreaterThanOrEqual(PHARMACIES);
      expect(f.signIns).toBeGreaterThan(PHARMACIES * 10);
      // Every hash chain verifies at the end, checked through the API by each holder.
      expect(f.chains.failed).toEqual([]);
      expect(f.chains.verified).toBeGreaterThan(0);
      // Strangers: goal 0 blocks and 0 lock-outs.
      expect(f.strangers.campaigns).toBeGreaterThan(0);
      expect(f.blocks.byStranger).toBe(0);
      expect(f.strangers.lockouts).toBe(0);
      expect(Object.keys(f.surprisePerMonth).length).toBeGreaterThanOrEqual(12);
      expect(f.mails.perAccountYear).toBeGreaterThan(0);
    }
    // Same population and seed: the baseline has no reminder at all, and at least as many surprise blocks.
    expect(baseline.population).toEqual(vigie.population);
    expect(baseline.mails.byKind.reminder).toBe(0);
    expect(vigie.mails.byKind.reminder).toBeGreaterThan(0);
    expect(baseline.blocks.surprise).toBeGreaterThan(0);
    expect(vigie.blocks.surprise).toBeLessThan(baseline.blocks.surprise);
    // Every surprise block with Vigie has its story: what was delivered, and what was missed.
    expect(vigie.stories).toHaveLength(vigie.blocks.surprise);
    for (const s of vigie.stories)
      expect(s.remindersDelivered).toBe(new Set(s.delivered.map((d) => d.days)).size);
    expect(json.assumptions.join(' ')).toContain('near-free argon2id');
    // The report opens offline: inline SVG, no script, nothing fetched.
    const html = readFileSync(join(result.dir, 'report.html'), 'utf8');
    expect(existsSync(join(result.dir, 'report.html'))).toBe(true);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org)/);
  });
});
