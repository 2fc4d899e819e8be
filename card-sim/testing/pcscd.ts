/**
 * Test helpers around scripts/pcscd-test.sh: a private pcscd with the vpcd reader (see the script for why).
 * The global setup (./global-setup.ts) starts one per test run on free ports; tests stop and start it again
 * to check that the app recovers.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../pki';

const run = promisify(execFile);
const script = join(repoRoot, 'scripts', 'pcscd-test.sh');

export interface PcscdEnv {
  VIGIE_PCSCD_DIR: string;
  VIGIE_VPCD_PORT: string;
  PCSCLITE_CSOCK_NAME: string;
}

/** Why pcscd tests cannot run here, or undefined when they can. */
export async function pcscdUnavailable(): Promise<string | undefined> {
  try {
    await run('bash', [script, 'check']);
    return undefined;
  } catch (e) {
    const out = (e as { stdout?: string }).stdout?.trim();
    return out || String(e);
  }
}

async function call(
  cmd: 'start' | 'stop' | 'restart' | 'status',
  env: Partial<PcscdEnv> & { VIGIE_VPCD_READERS?: string } = {},
) {
  const r = await run('bash', [script, cmd], { env: { ...process.env, ...env } });
  return r.stdout;
}

const current = (): PcscdEnv => ({
  VIGIE_PCSCD_DIR: process.env.VIGIE_PCSCD_DIR ?? '/run/vigie-pcscd',
  VIGIE_VPCD_PORT: process.env.VIGIE_VPCD_PORT ?? '35963',
  PCSCLITE_CSOCK_NAME: process.env.PCSCLITE_CSOCK_NAME ?? '/run/vigie-pcscd/pcscd.comm',
});

/** Control of the pcscd this process's environment points at. */
export const pcscd = {
  env: current,
  start: () => call('start', current()),
  stop: () => call('stop', current()),
  restart: () => call('restart', current()),
  /** pcscd again, but with no reader at all (as if the only reader were unplugged). */
  restartWithoutReaders: () => call('restart', { ...current(), VIGIE_VPCD_READERS: '0' }),
  /** Kills pcscd the hard way (no clean shutdown), as a crash would. */
  async kill() {
    const pid = (await call('status', current())).match(/pid (\d+)/)?.[1];
    if (pid) process.kill(Number(pid), 'SIGKILL');
    await call('stop', current()).catch(() => undefined);
  },
};
