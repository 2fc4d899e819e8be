import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../../backend/demo/people';
import { HEADER_WORKSTATION } from '../../../domain/backend-api';
import { createCore, type Core } from '../core';
import { createDemo } from '../demo';
import { realPart } from '../../../scripts/real-parts';

/**
 * Workstation registration end to end in the core: the embedded backend (PGlite, demo pharmacy) in the user-data
 * folder, and the workstation key in a real Secret Service (gnome-keyring in a private D-Bus session, through
 * scripts/with-keyring.sh). The renderer API is called as the UI calls it.
 */
const hasSecretService = realPart(
  process.env.VIGIE_SECRET_SERVICE === '1',
  'no Secret Service on the session bus (run under scripts/with-keyring.sh, as npm test does)',
);
const holder = DEMO_PEOPLE.holder;
let dir: string;
const open: Core[] = [];

async function startCore(): Promise<Core> {
  const core = createCore({
    mode: 'browser',
    userDataDir: dir,
    appVersion: '0.0.0-test',
    demo: createDemo(() => null),
  });
  open.push(core);
  await core.start();
  return core;
}
const call = async <T>(core: Core, channel: string, req?: unknown): Promise<T> => {
  const r = await core.dispatcher.invoke(channel, req, { transport: 'direct' });
  if (!r.ok) throw new Error(`${channel}: ${r.code}`);
  return r.value as T;
};
interface ThisWs {
  id: string;
  label: string;
  hasKey: boolean;
  registeredAt: string | null;
  labelPending: boolean;
  revokedAt: string | null;
  keychain: { available: boolean };
}
interface PharmacyWs {
  id: string;
  label: string;
  registeredAt: string | null;
  current: boolean;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-wsreg-'));
});
afterEach(async () => {
  for (const core of open.splice(0)) await core.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasSecretService)('workstation registration (embedded backend, real gnome-keyring)', () => {
  it('registers the key at start, registers a new label, and the holder sees it registered', async () => {
    const core = await startCore();
    const first = await call<ThisWs>(core, 'settings.workstation');
    expect(first).toMatchObject({
      hasKey: true,
      keychain: { available: true },
      revokedAt: null,
      labelPending: false,
    });
    expect(first.registeredAt).not.toBeNull();

    await call(core, 'settings.update', { workstationLabel: 'Poste comptoir 1' });
    const renamed = await call<ThisWs>(core, 'settings.workstation');
    expect(renamed).toMatchObject({ label: 'Poste comptoir 1', labelPending: false });
    // The settings file holds the public half only.
    const settings = readFileSync(join(dir, 'settings.json'), 'utf8');
    expect(settings).toContain(first.id);
    expect(settings).not.toMatch(/PRIVATE|pkcs8/i);

    // Signed in through the core: the request carried the workstation's proof.
    const signedIn = await call<{ status: string }>(core, 'session.signInWithPassword', {
      identifier: holder.identifier,
      password: DEMO_PASSWORD,
    });
    expect(signedIn.status).toBe('signed-in');
    // Another computer claiming this workstation's id, without its key, is refused.
    const { address } = await call<{ address: string }>(core, 'backend.getStatus');
    const spoof = await fetch(`http://${address}/v1/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [HEADER_WORKSTATION]: first.id },
      body: JSON.stringify({ identifier: holder.identifier, password: DEMO_PASSWORD }),
    });
    expect(spoof.status).toBe(401);
    expect(((await spoof.json()) as { code: string }).code).toBe('WORKSTATION_PROOF_INVALID');
    const { workstations } = await call<{ workstations: PharmacyWs[] }>(core, 'accounts.listWorkstations');
    const mine = workstations.find((w) => w.current);
    expect(mine).toMatchObject({ id: first.id, label: 'Poste comptoir 1' });
    expect(mine!.registeredAt).not.toBeNull();
    // The holder cannot withdraw the workstation in use.
    const self = await core.dispatcher.invoke(
      'accounts.revokeWorkstation',
      { id: first.id },
      { transport: 'direct' },
    );
    expect(self).toMatchObject({ ok: false, code: 'CONFLICT' });
  });

  it('keeps its identity across a restart (same id, same key, still registered)', async () => {
    const a = await startCore();
    const before = await call<ThisWs>(a, 'settings.workstation');
    await a.stop();
    open.splice(0);
    const b = await startCore();
    const after = await call<ThisWs>(b, 'settings.workstation');
    expect(after).toMatchObject({ id: before.id, hasKey: true, registeredAt: before.registeredAt });
  });
});
