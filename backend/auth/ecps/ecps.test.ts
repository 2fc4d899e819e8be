import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcpsClient, bindingMessageFor } from './client';
import { startPscSandbox, type PscSandbox } from './sandbox';

const CLAIRE = { nationalId: '899700012345', givenName: 'CLAIRE', familyName: 'MARTIN' };
const JULIEN = { nationalId: '899700067890', givenName: 'JULIEN', familyName: 'PETIT', ecps: false };

let psc: PscSandbox;
let client: EcpsClient;

beforeAll(async () => {
  psc = await startPscSandbox({ people: [CLAIRE, JULIEN], requestTtlS: 2 });
  client = await EcpsClient.connect({
    issuer: psc.issuer,
    clientId: psc.clientId,
    clientSecret: psc.clientSecret,
    pollIntervalMs: 50,
    allowInsecure: true,
  });
});
afterAll(async () => {
  client?.close();
  await psc?.close();
});

describe('e-CPS sign-in through the PSC sandbox (real oidc-provider, real openid-client, CIBA poll mode)', () => {
  it('the phone sees a PSC-shaped request; once approved the backend gets the verified national id and exercices', async () => {
    const message = bindingMessageFor();
    expect(message).toMatch(/^Vigie \d{4}$/);
    const tx = await client.startEcps(CLAIRE.nationalId, message);
    expect(client.status(tx.id)).toMatchObject({ status: 'pending', bindingMessage: message });
    const req = await psc.waitForPending((r) => r.nationalId === CLAIRE.nationalId);
    expect(req).toMatchObject({
      bindingMessage: message,
      channel: 'MOBILE',
      acrValues: 'eidas1',
      scope: 'openid scope_all',
    });
    await new Promise((r) => setTimeout(r, 150)); // a few polls answered authorization_pending
    expect(client.status(tx.id)?.status).toBe('pending');
    await psc.approve(req.authReqId);
    const out = await tx.result;
    expect(out).toMatchObject({
      status: 'approved',
      nationalId: CLAIRE.nationalId,
      familyName: 'MARTIN',
      acr: 'eidas1',
    });
    if (out.status === 'approved')
      expect(out.exercices[0]).toMatchObject({ codeProfession: '21', nomDexercice: 'MARTIN' });
    expect(client.status(tx.id)?.status).toBe('approved');
    expect(psc.pending()).toHaveLength(0);
  });

  it('reports a refusal on the phone, with its message', async () => {
    const tx = await client.startEcps(CLAIRE.nationalId, 'Vigie 0001');
    const req = await psc.waitForPending((r) => r.bindingMessage === 'Vigie 0001');
    await psc.refuse(req.authReqId, "Je n'ai pas demandé cette connexion.");
    expect(await tx.result).toEqual({ status: 'refused', message: "Je n'ai pas demandé cette connexion." });
  });

  it('reports an expired request when nobody answers on the phone', async () => {
    const tx = await client.startEcps(CLAIRE.nationalId, 'Vigie 0002');
    expect(tx.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(2000);
    expect(await tx.result).toEqual({ status: 'expired' });
  }, 10_000);

  it('refuses at once a holder without e-CPS, and says so for an unknown national id', async () => {
    const tx = await client.startEcps(JULIEN.nationalId, 'Vigie 0003');
    expect(await tx.result).toMatchObject({ status: 'refused', message: expect.stringContaining('e-CPS') });
    await expect(client.startEcps('899700000000', 'Vigie 0004')).rejects.toMatchObject({
      code: 'ECPS_REFUSED',
    });
  });

  it('stops polling when the user cancels on the workstation', async () => {
    const tx = await client.startEcps(CLAIRE.nationalId, 'Vigie 0005');
    client.cancel(tx.id);
    expect(await tx.result).toEqual({ status: 'cancelled' });
  });

  it('has a phone page and JSON endpoints for the demo and for tests in another process', async () => {
    const tx = await client.startEcps(CLAIRE.nationalId, 'Vigie 0007');
    await psc.waitForPending((r) => r.bindingMessage === 'Vigie 0007');
    const page = await (await fetch(psc.phoneUrl)).text();
    expect(page).toContain('CLAIRE MARTIN');
    expect(page).toContain('Vigie 0007');
    const list = (await (await fetch(`${psc.phoneUrl}/pending.json`)).json()) as Array<{
      authReqId: string;
      bindingMessage: string;
    }>;
    const mine = list.find((r) => r.bindingMessage === 'Vigie 0007')!;
    const r = await fetch(`${psc.phoneUrl}/approve/${mine.authReqId}`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(await r.json()).toEqual({ ok: true });
    expect(await tx.result).toMatchObject({ status: 'approved', nationalId: CLAIRE.nationalId });
    expect(
      (
        await fetch(`${psc.phoneUrl}/refuse/${mine.authReqId}`, {
          method: 'POST',
          headers: { accept: 'application/json' },
        })
      ).status,
    ).toBe(404);
  });

  it("connects through PSC's own discovery URL (…/.well-known/wallet-openid-configuration)", async () => {
    const c = await EcpsClient.connect({
      issuer: `${psc.issuer}/.well-known/wallet-openid-configuration`,
      clientId: psc.clientId,
      clientSecret: psc.clientSecret,
      pollIntervalMs: 50,
      allowInsecure: true,
    });
    const tx = await c.startEcps(CLAIRE.nationalId, 'Vigie 0008');
    await psc.approve((await psc.waitForPending((r) => r.bindingMessage === 'Vigie 0008')).authReqId);
    expect(await tx.result).toMatchObject({ status: 'approved', nationalId: CLAIRE.nationalId });
  });

  it('refuses a client without the right secret', async () => {
    const bad = await EcpsClient.connect({
      issuer: psc.issuer,
      clientId: psc.clientId,
      clientSecret: 'wrong',
      allowInsecure: true,
    });
    await expect(bad.startEcps(CLAIRE.nationalId, 'Vigie 0006')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });
});
