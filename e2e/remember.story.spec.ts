import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../backend/demo/people';
import { expect, test as base } from './fixtures';
import { signInWithPassword } from './stories';

// a story starts a web host with its embedded backend and virtual reader (twice here): slow on a shared machine
base.describe.configure({ timeout: 240_000 });

const LABEL = 'Rester connecté si Vigie redémarre (4 h au plus)';
const hasKeyringTools = ['dbus-daemon', 'gnome-keyring-daemon'].every(
  (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0,
);

/** A private D-Bus session with an unlocked gnome-keyring (a real Secret Service) for the web host to use. */
async function startKeyring(): Promise<{ address: string; stop(): Promise<void> }> {
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

const withKeyring = base.extend({
  // eslint-disable-next-line no-empty-pattern
  vigieEnv: async ({}, use) => {
    const keyring = await startKeyring();
    await use({ DBUS_SESSION_BUS_ADDRESS: keyring.address });
    await keyring.stop();
  },
});

/** Story: Sophie asks to stay signed in; Vigie restarts and she is still in; once she signs out, a restart asks again. */
withKeyring('stay signed in if Vigie restarts, until signing out', async ({ app, vigie }) => {
  withKeyring.skip(
    !hasKeyringTools,
    'dbus-daemon or gnome-keyring-daemon is not installed: no Secret Service to keep the session in',
  );
  const sophie = DEMO_PEOPLE.accountantSoon;
  await app.getByRole('tab', { name: 'Identifiant et mot de passe' }).click();
  const remember = app.getByRole('checkbox', { name: LABEL });
  await expect(remember).toBeEnabled({ timeout: 20_000 });
  await expect(remember).not.toBeChecked();
  await app.getByText(LABEL).click();
  await expect(remember).toBeChecked();
  await signInWithPassword(app, sophie.identifier, DEMO_PASSWORD);
  await expect(app.getByTestId('who')).toContainText('Sophie BERNARD', { timeout: 20_000 });

  // Vigie quits and starts again: no sign-in asked.
  await vigie.restart();
  await app.goto(vigie.url);
  await expect(app.getByTestId('who')).toContainText('Sophie BERNARD', { timeout: 20_000 });
  await expect(app.getByTestId('sign-out')).toBeVisible();

  // She signs out: the next start shows the sign-in screen.
  await app.getByTestId('sign-out').click();
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion');
  await vigie.restart();
  await app.goto(vigie.url);
  await expect(app.getByRole('heading', { level: 1 })).toHaveText('Connexion', { timeout: 20_000 });
  await expect(app.getByTestId('sign-out')).toHaveCount(0);
  expect(vigie.logs()).not.toMatch(/Bearer|"token":"/);
});

const withoutKeyring = base.extend({
  vigieEnv: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/vigie-bus' },
});

/** Story: on a workstation without a keychain, the choice is shown disabled with the reason; the sign-in works. */
withoutKeyring('without a keychain, staying signed in is not offered, calmly', async ({ app }) => {
  await app.getByRole('tab', { name: 'Identifiant et mot de passe' }).click();
  await expect(app.getByRole('checkbox', { name: LABEL })).toBeDisabled({ timeout: 20_000 });
  await expect(app.getByTestId('remember-unavailable')).toHaveText(
    'Le trousseau du système n’est pas disponible : Vigie ne peut pas garder votre session après sa fermeture.',
  );
  await signInWithPassword(app, DEMO_PEOPLE.accountantSoon.identifier, DEMO_PASSWORD);
  await expect(app.getByTestId('who')).toContainText('Sophie BERNARD', { timeout: 20_000 });
});
