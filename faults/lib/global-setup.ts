/**
 * Global setup of the faults project: a private pcscd + vpcd (own folder and ports, so it never meets the
 * card-pcsc project's one), handed to the test files through `inject` (they set their own process.env).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { loadTestPki, repoRoot } from '../../card-sim/pki';
import { pcscdUnavailable } from '../../card-sim/testing/pcscd';

declare module 'vitest' {
  export interface ProvidedContext {
    faultsPcsc: { skip: string; dir: string; port: string; sock: string };
  }
}

const run = promisify(execFile);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

export default async function setup(project: TestProject) {
  const why = await pcscdUnavailable();
  if (why) {
    if (process.env.CI && process.env.CI !== 'false')
      throw new Error(`CI: the card fault tests cannot run: ${why}`);
    project.provide('faultsPcsc', { skip: why, dir: '', port: '', sock: '' });
    return;
  }
  await loadTestPki();
  let port = 0;
  for (let i = 0; i < 50 && !port; i++) {
    const p = 46000 + Math.floor(Math.random() * 5000) * 2;
    if ((await portFree(p)) && (await portFree(p + 1))) port = p;
  }
  if (!port) throw new Error('no free TCP port pair for vpcd');
  const dir = `/run/vigie-pcscd-faults-${process.pid}`;
  const env = {
    ...process.env,
    VIGIE_PCSCD_DIR: dir,
    VIGIE_VPCD_PORT: String(port),
    PCSCLITE_CSOCK_NAME: `${dir}/pcscd.comm`,
  };
  const script = join(repoRoot, 'scripts', 'pcscd-test.sh');
  // One retry: the script takes a shared lock on the quickack route with other pcscd instances.
  await run('bash', [script, 'start'], { env }).catch(async () => {
    await new Promise((r) => setTimeout(r, 1000));
    await run('bash', ['-x', script, 'start'], { env }).catch((e: { stderr?: string; stdout?: string }) => {
      throw new Error(
        `pcscd-test.sh start failed twice:\n${e.stdout ?? ''}\n${(e.stderr ?? '').slice(-3000)}`,
      );
    });
  });
  project.provide('faultsPcsc', { skip: '', dir, port: String(port), sock: `${dir}/pcscd.comm` });
  return async () => {
    await run('bash', [script, 'stop'], { env }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
}
