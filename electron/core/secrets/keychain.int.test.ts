import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../core';
import { openSettings } from '../settings/settings-store';
import { openWorkstation, verifyRegistration } from '../workstation/identity';
import { createSecretStore } from './secret-store';
import { realPart } from '../../../scripts/real-parts';

/**
 * Against a real Secret Service (gnome-keyring in a private D-Bus session: scripts/with-keyring.sh sets
 * VIGIE_SECRET_SERVICE=1). Each "restart" is a new Node process on the same user-data folder and keychain.
 */
const run = promisify(execFile);
const child = join(import.meta.dirname, 'vault-child.fixture.ts');
const hasSecretService = realPart(
  process.env.VIGIE_SECRET_SERVICE === '1',
  'no Secret Service on the session bus (run under scripts/with-keyring.sh, as npm test does)',
);
const service = `fr.vigie.test.${process.pid}`;
let dir: string;

async function restartAnd(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', child, args[0]!, dir, service, ...args.slice(1)],
    { env, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-keychain-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasSecretService)('keychain (gnome-keyring, real Secret Service)', () => {
  it('a remembered token is read back after a restart of the core, and deleted on sign-out', async () => {
    const core = createCore({ mode: 'browser', userDataDir: dir, appVersion: '0.0.0-test' });
    const vault = core.workstation.tokens;
    expect(await vault.keychain()).toEqual({ available: true });
    expect(await vault.remember('acc-1', 'rt-Zq8x-secret')).toEqual({ remembered: true });

    // Nothing secret in the settings file: only the account id.
    const file = readFileSync(join(dir, 'settings.json'), 'utf8');
    expect(file).toContain('acc-1');
    expect(file).not.toContain('rt-Zq8x-secret');

    // A new process, a new core on the same user-data folder: the token is there.
    expect(await restartAnd(['core-recall', 'acc-1'])).toEqual({ token: 'rt-Zq8x-secret' });
    // Sign-out in that core…
    expect(await restartAnd(['core-forget', 'acc-1'])).toEqual({ forgotten: true });
    // …removes it from the keychain itself, not only from the list, and the next start finds nothing.
    expect(await core.workstation.secrets.get('refresh-token:acc-1')).toBeNull();
    expect(await restartAnd(['core-recall', 'acc-1'])).toEqual({ token: null });
  });

  it('the workstation key pair survives a restart: same id, same public key, private key only in the keychain', async () => {
    const first = await restartAnd(['workstation']);
    const again = await restartAnd(['workstation']);
    expect(again).toMatchObject({ id: first.id, publicKey: first.publicKey, canSign: true });
    const file = readFileSync(join(dir, 'settings.json'), 'utf8');
    expect(file).toContain(String(first.publicKey));
    expect(file).not.toMatch(/PRIVATE KEY|MC4CAQAwBQYDK2Vw/); // PEM label, or the PKCS#8 Ed25519 DER prefix

    const settings = openSettings(dir);
    settings.updateWorkstationSettings({ workstationLabel: 'Poste comptoir 1' });
    const ws = await openWorkstation(settings, createSecretStore({ service }));
    const req = ws.registrationRequest('challenge-123');
    expect(req).toMatchObject({
      workstationId: first.id,
      label: 'Poste comptoir 1',
      challenge: 'challenge-123',
    });
    expect(verifyRegistration(req)).toBe(true);
    expect(verifyRegistration({ ...req, label: 'Poste pirate' })).toBe(false);

    // Revoked by the backend: the next start makes a new identity to register again.
    ws.markRevoked(new Date());
    const after = await restartAnd(['workstation']);
    expect(after.id).not.toBe(first.id);
    expect(after).toMatchObject({ registeredAt: null, revokedAt: null, canSign: true });
  });
});

describe('without a Secret Service', () => {
  const noBus = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/vigie-bus' };

  it('the app says KEYCHAIN_UNAVAILABLE and keeps working without "remember me"', async () => {
    const r = await restartAnd(['core-no-keychain-session', 'acc-2', 'rt-never-stored'], noBus);
    expect(r.keychain).toMatchObject({ available: false });
    expect(r.remember).toMatchObject({ remembered: false, code: 'KEYCHAIN_UNAVAILABLE' });
    expect(r.recall).toBeNull();
    // The workstation still has an id and a label (events still name it) but cannot sign.
    expect(r.workstation).toMatchObject({ canSign: false, label: 'Poste comptoir 1' });
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain('rt-never-stored');
  });
});
