import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** The Electronegativity gate of `npm test` (scripts/electronegativity.mjs): passes on our shell, fails on a bad one. */
const run = promisify(execFile);
const script = join(process.cwd(), 'scripts/electronegativity.mjs');

describe('Electronegativity gate', () => {
  it('our shell has no finding of MEDIUM severity or higher', async () => {
    const { stdout } = await run(process.execPath, [script], { timeout: 60_000 });
    expect(stdout).toContain('no finding of MEDIUM or higher');
  }, 60_000);

  it('a window with Node integration, no isolation and no sandbox fails the gate', async () => {
    const err = await run(
      process.execPath,
      [script, '--shell', join(import.meta.dirname, 'fixtures/insecure-shell')],
      { timeout: 60_000 },
    ).catch((e: { code: number; stdout: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    const out = (err as { stdout: string }).stdout;
    for (const id of ['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'WEB_SECURITY_JS_CHECK'])
      expect(out).toMatch(new RegExp(`FAIL ${id}`));
  }, 60_000);
});
