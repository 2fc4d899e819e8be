import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
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

/** The virtual reader's first port when nothing else holds it (it listens on this port and the next). */
export const DEMO_VPCD_PORT = 35983;

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(true)));
  });

/**
 * The first pair of free ports from `from`: a second Vigie in demo mode (or a test run) on this machine already holds
 * 35983–35984, and a virtual reader that cannot listen shows no reader at all.
 */
export async function freeVpcdPort(from = DEMO_VPCD_PORT, pairs = 20): Promise<number> {
  for (let port = from; port < from + 2 * pairs; port += 2)
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  return from;
}

/**
 * Demo mode on a machine without a card reader: a private pcscd with the vsmartcard virtual reader, started by
 * the project's script (root only; the tests use the same script on other ports). Returns null, with the reason
 * logged, when it cannot run: the app then uses the system's PC/SC service as usual. `VIGIE_DEMO_VPCD_PORT` fixes
 * the port; otherwise the first free pair from 35983 is taken.
 */
export async function startDemoPcsc(log: LogFn, port?: number): Promise<DemoPcsc | null> {
  port ??= process.env.VIGIE_DEMO_VPCD_PORT ? Number(process.env.VIGIE_DEMO_VPCD_PORT) : await freeVpcdPort();
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
