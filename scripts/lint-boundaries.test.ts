import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The folder boundaries of ARCHITECTURE.md §3 are a lint rule: prove it fails where it must. */
const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
}

describe('lint: folder boundaries', () => {
  it('fails when domain/ imports electron', async () => {
    expect(
      await boundaryErrors('domain/probe.ts', "import { app } from 'electron';\nexport const x = app;\n"),
    ).toHaveLength(1);
  });

  it('fails when domain/ imports node:fs or another folder of the project', async () => {
    expect(
      await boundaryErrors(
        'domain/probe.ts',
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        'domain/probe.ts',
        "import { createCore } from '../electron/core/core';\nexport const x = createCore;\n",
      ),
    ).toHaveLength(1);
  });

  it('fails when renderer/ imports electron/core, backend/, card/ or a Node module', async () => {
    const probe = 'renderer/src/probe.ts';
    expect(
      await boundaryErrors(
        probe,
        "import { createCore } from '../../electron/core/core';\nexport const x = createCore;\n",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(probe, "import { join } from 'node:path';\nexport const x = join;\n"),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(probe, "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"),
    ).toHaveLength(1);
  });

  it('fails when electron/core imports electron', async () => {
    expect(
      await boundaryErrors(
        'electron/core/probe.ts',
        "import { app } from 'electron';\nexport const x = app;\n",
      ),
    ).toHaveLength(1);
  });

  it('fails when card-sim/ imports card/ (the emulator shares no codec with the driver)', async () => {
    expect(
      await boundaryErrors('card-sim/probe.ts', "import * as c from '../card/index';\nexport const x = c;\n"),
    ).toHaveLength(1);
  });

  it('production code reaches no test code: card-sim only from the demo modules', async () => {
    const spawn = (up: string) =>
      `import { startVirtualCard } from '${up}card-sim/vpcd/spawn';\nexport const x = startVirtualCard;\n`;
    expect(await boundaryErrors('electron/core/probe.ts', spawn('../../'))).toHaveLength(1);
    expect(await boundaryErrors('electron/core/handlers/probe.ts', spawn('../../../'))).toHaveLength(1);
    expect(await boundaryErrors('electron/core/demo/probe.ts', spawn('../../../'))).toEqual([]);
    expect(await boundaryErrors('backend/auth/probe.ts', spawn('../../'))).toHaveLength(1);
    expect(await boundaryErrors('backend/demo/probe.ts', spawn('../../'))).toEqual([]);
    expect(await boundaryErrors('backend/test/probe.ts', spawn('../../'))).toEqual([]);
  });

  it('only the composition root plugs in the core demo module', async () => {
    const demo = (up: string) => `import { createDemo } from '${up}demo';\nexport const x = createDemo;\n`;
    expect(await boundaryErrors('electron/core/index.ts', demo('./'))).toEqual([]);
    expect(await boundaryErrors('electron/core/core.ts', demo('./'))).toHaveLength(1);
    expect(await boundaryErrors('electron/core/handlers/probe.ts', demo('../'))).toHaveLength(1);
  });

  it('lets tests wire real parts across folders, but not shipped code', async () => {
    const code = "import { loadTestPki } from '../card-sim/pki';\nexport const x = loadTestPki;\n";
    expect(await boundaryErrors('backend/probe.int.test.ts', code)).toEqual([]);
    expect(await boundaryErrors('backend/probe.ts', code)).toHaveLength(1);
  });

  it('accepts the allowed directions', async () => {
    expect(
      await boundaryErrors(
        'renderer/src/probe.ts',
        "import { ok } from '../../domain/result';\nexport const x = ok;\n",
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors(
        'electron/main/probe.ts',
        "import { app } from 'electron';\nimport { createCore } from '../core/core';\nexport const x = [app, createCore];\n",
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors('domain/probe.ts', "import { z } from 'zod';\nexport const x = z;\n"),
    ).toEqual([]);
  });
});
