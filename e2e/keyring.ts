import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from './fixtures';

export const hasKeyringTools = ['dbus-daemon', 'gnome-keyring-daemon'].every(
  (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0,
);

/** A private D-Bus session with an unlocked gnome-keyring (a real Secret Service) for the web host to use. */
export async function startKeyring(): Promise<{ address: string; stop(): Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), 'vigie-e2e-keyring-'));
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    bus.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    bus.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code})`)));
  });
  // --unlock reads the (empty) password on stdin; --foreground keeps it our child, to stop it by its id.
  const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    env: { ...process.env, HOME: home, DBUS_SESSION_BUS_ADDRESS: address },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  keyring.stdin!.end('\n');
  await new Promise<void>((resolve) => {
    keyring.stdout!.once('data', () => resolve());
    setTimeout(resolve, 3000);
  });
  const stopOne = async (c: ChildProcess) => {
    if (c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  };
  return {
    address,
    async stop() {
      await stopOne(keyring);
      await stopOne(bus);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Stories whose web host has a real Secret Service (a private gnome-keyring), started and stopped per test. */
export const withKeyring = base.extend({
  // eslint-disable-next-line no-empty-pattern
  vigieEnv: async ({}, use) => {
    const keyring = await startKeyring();
    await use({ DBUS_SESSION_BUS_ADDRESS: keyring.address });
    await keyring.stop();
  },
});
