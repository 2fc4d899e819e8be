/** The card CLI as a person uses it: insert a card into the virtual reader, see it in PC/SC, pull it out. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as pcsc from 'smartcard';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from './pki';

const run = promisify(execFile);
const skip = inject('pcscSkip');
if (skip) console.warn(`[card-pcsc] card CLI tests skipped: ${skip}`);

const env = { ...process.env, VIGIE_CARD_STATE_DIR: mkdtempSync(join(tmpdir(), 'vigie-card-cli-')) };
const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(repoRoot, 'card-sim', 'cli.ts'), ...args], {
    env,
    cwd: repoRoot,
  });

async function atrOf(readerIndex: number, want: 'present' | 'empty') {
  const ctx = new pcsc.Context();
  try {
    for (let i = 0; i < 100; i++) {
      const r = ctx.listReaders()[readerIndex]!;
      const s = (await ctx.waitForChange([{ name: r.name, state: 0, changed: false, atr: null }], 0))![0]!;
      const present = (s.state & pcsc.SCARD_STATE_PRESENT) !== 0;
      if (present === (want === 'present')) return s.atr ? s.atr.toString('hex').toUpperCase() : null;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`reader ${readerIndex} never became ${want}`);
  } finally {
    ctx.close();
  }
}

describe.skipIf(!!skip)('npm run card', () => {
  it('insert --holder puts a CPS3 in the reader until remove pulls it out', async () => {
    const out = await cli('insert', '--holder', 'Claire MARTIN', '--reader', '1');
    expect(out.stdout).toMatch(/reader 1: CPS3 CLAIRE MARTIN \(899700012345\) inserted/);
    expect(await atrOf(1, 'present')).toBe('3BAC00402A001225006480000310009000');
    expect((await cli('status')).stdout).toMatch(/reader 1: CPS3 CLAIRE MARTIN/);
    expect((await cli('remove', '--reader', '1')).stdout).toMatch(/reader 1: card removed/);
    expect(await atrOf(1, 'empty')).toBeNull();
  });

  it('accepts a national id, a CPS4 or a Vitale profile, and a custom holder', async () => {
    expect((await cli('insert', '--holder', '899700067890', '--profile', 'cps4')).stdout).toMatch(
      /CPS4 JULIEN PETIT/,
    );
    expect(await atrOf(0, 'present')).toBe('3B9B188001001225006480040100009044');
    expect((await cli('insert', '--holder', 'Zoé DURAND:899700055555')).stdout).toMatch(
      /CPS3 ZOE DURAND \(899700055555\)/,
    );
    expect((await cli('insert', '--profile', 'vitale', '--reader', '1')).stdout).toMatch(/Vitale/);
    expect(await atrOf(1, 'present')).toBe('3B751300004409EA9000');
    await cli('remove', '--all');
    expect(await atrOf(0, 'empty')).toBeNull();
    expect(await atrOf(1, 'empty')).toBeNull();
  });

  it('refuses a CPS without a holder, with a message that says what to type', async () => {
    await expect(cli('insert')).rejects.toMatchObject({ stderr: expect.stringMatching(/--holder/) });
  });
});
