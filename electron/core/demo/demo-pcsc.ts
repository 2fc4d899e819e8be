import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LogFn } from '../context';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the demo's virtual reader listens, and how the card process reaches the demo's pcscd. */
export interface DemoPcsc {
  readonly env: NodeJS.ProcessEnv;
  readonly vpcdPort: number;
  stop(): Promise<void>;
}

/**
 * Demo mode on a machine without a card reader: a private pcscd with the vsmartcard virtual reader, started by
 * the project's script (root only; the tests use the same script on other ports). Returns null, with the reason
 * logged, when it cannot run: the app then uses the system's PC/SC service as usual.
 */
export async function startDemoPcsc(
  log: LogFn,
  port = Number(process.env.VIGIE_DEMO_VPCD_PORT ?? 35983),
): Promise<DemoPcsc | null> {
  const dir = process.env.VIGIE_DEMO_PCSCD_DIR ?? `/run/vigie-pcscd-demo-${port}`;
  const env = { ...process.env, VIGIE_PCSCD_DIR: dir, VIGIE_VPCD_PORT: String(port) };
  const script = join(ROOT, 'scripts', 'pcscd-test.sh');
  try {
    const { stdout } = await run('bash', [script, 'start'], { env });
    const sock = /PCSCLITE_CSOCK_NAME=(\S+)/.exec(stdout)?.[1];
    if (!sock) throw new Error('no socket reported');
    log('info', 'demo PC/SC service started', { port });
    return {
      env: { PCSCLITE_CSOCK_NAME: sock, VIGIE_VPCD_PORT: String(port) },
      vpcdPort: port,
      stop: async () => {
        await run('bash', [script, 'stop'], { env }).catch(() => undefined);
      },
    };
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr?.trim();
    log('warn', 'demo PC/SC service not started; using the system PC/SC service', {
      reason: stderr || String(e),
    });
    return null;
  }
}
