/**
 * The card path through the real stack: pcscd + vsmartcard-vpcd + a virtual card in a child process, the card
 * process (card/process/main.ts) and its supervisor. What a person at the counter would notice.
 */
import { createVerify, X509Certificate } from 'node:crypto';
import * as pcsc from 'smartcard';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CardState } from '../../../domain/card';
import { loadTestPki } from '../../../card-sim/pki';
import { pcscd } from '../../../card-sim/testing/pcscd';
import { startVirtualCard, type VirtualCardProcess } from '../../../card-sim/vpcd/spawn';
import { CardService } from './card-service';

const skip = inject('pcscSkip');
if (skip) console.warn(`[card-pcsc] card-service integration tests skipped: ${skip}`);

const holderName = (s: CardState) => {
  const h = s.readers.find((r) => r.name === s.activeReader)?.card?.holder;
  return h ? `${h.firstName} ${h.lastName}` : undefined;
};
const presentWith = (name: string) => (s: CardState) => s.status === 'present' && holderName(s) === name;
const challenge = () => new Uint8Array(Array.from({ length: 32 }, (_, i) => (i * 37 + Date.now()) & 0xff));

describe.skipIf(!!skip)('card service through pcscd + vpcd', () => {
  let svc: CardService;
  const cards: VirtualCardProcess[] = [];
  const insert = async (o: Parameters<typeof startVirtualCard>[0]) => {
    const c = await startVirtualCard(o);
    cards.push(c);
    return c;
  };

  beforeAll(async () => {
    svc = new CardService({
      env: { ...process.env, VIGIE_CARD_TEST_HOOKS: '1' },
      pingIntervalMs: 500,
      pingTimeoutMs: 2000,
    });
    await svc.start();
    await svc.waitForState((s) => s.status === 'empty');
  });

  afterEach(async () => {
    await Promise.all(cards.splice(0).map((c) => c.stop()));
    await svc.waitForState((s) => s.status === 'empty' || s.status === 'no-reader', 15_000);
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('shows the holder as soon as the card is in, then tries left before any PIN', async () => {
    await insert({ holder: 'Claire MARTIN' });
    const s = await svc.waitForState(presentWith('CLAIRE MARTIN'));
    const reader = s.readers.find((r) => r.name === s.activeReader)!;
    expect(reader.card).toMatchObject({
      kind: 'cps3',
      serial: '99012345',
      holder: { nationalId: '899700012345', profession: 'Pharmacien' },
    });
    expect(s.pinTriesLeft).toBe(3);
    // A CPS lasts 3 years: the certificate's end of validity is shown, so the UI can warn before it ends.
    const years = (Date.parse(reader.card!.certNotAfter!) - Date.now()) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(2.5);
    expect(await svc.readHolder()).toEqual({
      ok: true,
      value: {
        nationalId: '899700012345',
        lastName: 'MARTIN',
        firstName: 'CLAIRE',
        profession: 'Pharmacien',
      },
    });
  });

  it('signs the server challenge after the PIN; the signature verifies with the certificate, which chains to the test root', async () => {
    await insert({ holder: 'Julien PETIT' });
    await svc.waitForState(presentWith('JULIEN PETIT'));
    const c = challenge();
    const r = await svc.verifyPinAndSign('1234', c);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const cert = new X509Certificate(Buffer.from(r.value.certificate));
    expect(createVerify('sha256').update(c).verify(cert.publicKey, Buffer.from(r.value.signature))).toBe(
      true,
    );
    expect(
      createVerify('sha256')
        .update(challenge().map((b) => b ^ 1))
        .verify(cert.publicKey, Buffer.from(r.value.signature)),
    ).toBe(false);
    const pki = await loadTestPki();
    expect(cert.verify(new X509Certificate(pki.intermediatePem).publicKey)).toBe(true);
    expect(JSON.stringify(r)).not.toContain('1234');
  });

  it('three wrong PINs: tries left 2, 1, then CARD_PIN_BLOCKED (not an account block); the PUK unblocks', async () => {
    await insert({ holder: 'Claire MARTIN' });
    await svc.waitForState(presentWith('CLAIRE MARTIN'));
    const seen: (number | null)[] = [];
    for (const pin of ['0000', '1111']) {
      const r = await svc.verifyPinAndSign(pin, challenge());
      expect(r).toMatchObject({ ok: false, code: 'CARD_PIN_WRONG' });
      seen.push(svc.getState().pinTriesLeft);
    }
    const third = await svc.verifyPinAndSign('2222', challenge());
    expect(third).toMatchObject({ ok: false, code: 'CARD_PIN_BLOCKED' });
    expect(seen).toEqual([2, 1]);
    expect(svc.getState().pinTriesLeft).toBe(0);
    // Even the right PIN is refused now, and the code says the card (not the account) is blocked.
    expect(await svc.verifyPinAndSign('1234', challenge())).toMatchObject({
      ok: false,
      code: 'CARD_PIN_BLOCKED',
    });
    expect(await svc.getPinTriesLeft()).toEqual({ ok: true, value: 0 });
    expect(await svc.unblockPin('87654321', '4321')).toMatchObject({ ok: false, code: 'CARD_PUK_WRONG' });
    expect(await svc.unblockPin('12345678', '4321')).toEqual({ ok: true, value: { pinTriesLeft: 3 } });
    expect(svc.getState().pinTriesLeft).toBe(3);
    expect((await svc.verifyPinAndSign('4321', challenge())).ok).toBe(true);
  });

  it('pulling the card in the middle of a READ BINARY gives a clean CARD_REMOVED and the state "empty"', async () => {
    const card = await insert({ holder: 'Claire MARTIN' });
    await svc.waitForState(presentWith('CLAIRE MARTIN'));
    card.pullAtRead(3); // EF.SN.ICC, ODF, then the card leaves during the CDF/certificate reads
    const r = await svc.readIdentity({ fresh: true });
    expect(r).toMatchObject({ ok: false, code: 'CARD_REMOVED' });
    await svc.waitForState((s) => s.status === 'empty');
    expect(await svc.readHolder()).toMatchObject({ ok: false, code: 'CARD_ABSENT' });
    // Put back, it is read again.
    await card.insert();
    await svc.waitForState(presentWith('CLAIRE MARTIN'));
  });

  it('pcscd killed then restarted: "no PC/SC service", then the card is back without restarting anything', async () => {
    await insert({ holder: 'Claire MARTIN' });
    await svc.waitForState(presentWith('CLAIRE MARTIN'));
    const pid = svc.pid;
    const restarts = svc.restartCount;
    await pcscd.kill();
    await svc.waitForState((s) => s.status === 'no-service');
    expect(await svc.readHolder()).toMatchObject({ ok: false, code: 'PCSC_UNAVAILABLE' });
    await pcscd.start();
    await svc.waitForState(presentWith('CLAIRE MARTIN'), 20_000);
    expect(svc.pid).toBe(pid);
    expect(svc.restartCount).toBe(restarts);
    expect((await svc.verifyPinAndSign('1234', challenge())).ok).toBe(true);
  });

  it('no reader at all: "no reader"; the reader back: the card is read again', async () => {
    await insert({ holder: 'Julien PETIT' });
    await svc.waitForState(presentWith('JULIEN PETIT'));
    await pcscd.restartWithoutReaders();
    await svc.waitForState((s) => s.status === 'no-reader', 20_000);
    expect(await svc.readHolder()).toMatchObject({ ok: false, code: 'READER_NONE' });
    await pcscd.restart();
    await svc.waitForState(presentWith('JULIEN PETIT'), 20_000);
  });

  it('another application holding the card exclusively: "busy", then usable again when it lets go', async () => {
    await insert({ holder: 'Claire MARTIN' });
    await svc.waitForState(presentWith('CLAIRE MARTIN'));
    const ctx = new pcsc.Context();
    let other: Awaited<ReturnType<ReturnType<typeof ctx.listReaders>[number]['connect']>> | undefined;
    try {
      const reader = ctx.listReaders().find((r) => r.name === svc.getState().activeReader)!;
      // The card process lets go of the card shortly after its last operation.
      for (let i = 0; i < 50 && !other; i++) {
        try {
          other = await reader.connect(
            pcsc.SCARD_SHARE_EXCLUSIVE,
            pcsc.SCARD_PROTOCOL_T0 | pcsc.SCARD_PROTOCOL_T1,
          );
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect(other).toBeDefined();
      await svc.waitForState((s) => s.status === 'busy');
      expect(await svc.verifyPinAndSign('1234', challenge())).toMatchObject({ ok: false, code: 'CARD_BUSY' });
    } finally {
      other?.disconnect(pcsc.SCARD_LEAVE_CARD);
      ctx.close();
    }
    await svc.waitForState((s) => s.status === 'present');
    expect((await svc.verifyPinAndSign('1234', challenge())).ok).toBe(true);
  });

  it('another application resets the card: the next sign-in verifies the PIN again and works', async () => {
    await insert({ holder: 'Claire MARTIN' });
    await svc.waitForState(presentWith('CLAIRE MARTIN'));
    expect((await svc.verifyPinAndSign('1234', challenge())).ok).toBe(true);
    const ctx = new pcsc.Context();
    try {
      const reader = ctx.listReaders().find((r) => r.name === svc.getState().activeReader)!;
      const other = await reader.connect(
        pcsc.SCARD_SHARE_SHARED,
        pcsc.SCARD_PROTOCOL_T0 | pcsc.SCARD_PROTOCOL_T1,
      );
      other.disconnect(pcsc.SCARD_RESET_CARD);
    } finally {
      ctx.close();
    }
    const r = await svc.verifyPinAndSign('1234', challenge());
    expect(r.ok).toBe(true);
    expect(svc.getState().status).toBe('present');
  });

  it('a request cancelled while another runs never reaches the card', async () => {
    await insert({ holder: 'Claire MARTIN' });
    await svc.waitForState(presentWith('CLAIRE MARTIN'));
    const ac = new AbortController();
    const first = svc.readIdentity({ fresh: true });
    const second = svc.verifyPinAndSign('0000', challenge(), { signal: ac.signal });
    ac.abort();
    expect((await first).ok).toBe(true);
    expect(await second).toMatchObject({ ok: false, code: 'CANCELLED' });
    // The wrong PIN was never presented.
    expect(await svc.getPinTriesLeft()).toEqual({ ok: true, value: 3 });
  });

  it('a CPS4 works the same way (logical channel 1, raw RSA on a host-padded block)', async () => {
    await insert({ holder: 'Julien PETIT', profile: 'cps4' });
    const s = await svc.waitForState(presentWith('JULIEN PETIT'));
    expect(s.readers.find((r) => r.name === s.activeReader)?.card?.kind).toBe('cps4');
    expect(s.pinTriesLeft).toBe(3);
    const c = challenge();
    expect(await svc.verifyPinAndSign('9999', c)).toMatchObject({
      ok: false,
      code: 'CARD_PIN_WRONG',
      triesLeft: 2,
    });
    const r = await svc.verifyPinAndSign('1234', c);
    expect(r.ok).toBe(true);
    if (r.ok) {
      const cert = new X509Certificate(Buffer.from(r.value.certificate));
      expect(createVerify('sha256').update(c).verify(cert.publicKey, Buffer.from(r.value.signature))).toBe(
        true,
      );
    }
  });

  it('two-slot reader: the CPS is picked and the Vitale card ignored, whichever slot holds which', async () => {
    await insert({ profile: 'vitale', reader: 0 });
    let s = await svc.waitForState((x) => x.readers[0]?.card?.kind === 'vitale');
    expect(s.status).toBe('empty');
    expect(s.activeReader).toBeNull();
    expect(await svc.readHolder()).toMatchObject({ ok: false, code: 'CARD_ABSENT' });
    await insert({ holder: 'Julien PETIT', reader: 1 });
    s = await svc.waitForState(presentWith('JULIEN PETIT'));
    expect(s.activeReader).toBe(s.readers[1]!.name);
    expect((await svc.verifyPinAndSign('1234', challenge())).ok).toBe(true);
  });

  it('an unknown card that answers garbage is reported as unknown, and nothing is asked of it', async () => {
    await insert({ profile: 'garbage' });
    const s = await svc.waitForState((x) => x.status === 'present');
    expect(s.readers.find((r) => r.name === s.activeReader)?.card?.kind).toBe('unknown');
    expect(await svc.readHolder()).toMatchObject({ ok: false, code: 'CARD_NOT_CPS' });
  });

  it('the card process dies or hangs: the supervisor starts it again and the card is back', async () => {
    await insert({ holder: 'Claire MARTIN' });
    await svc.waitForState(presentWith('CLAIRE MARTIN'));
    const before = svc.restartCount;
    svc.debug('crash');
    await svc.waitForState((s) => s.status === 'starting');
    await svc.waitForState(presentWith('CLAIRE MARTIN'), 20_000);
    expect(svc.restartCount).toBe(before + 1);
    svc.debug('hang');
    const pending = svc.readHolder({ fresh: true });
    expect(await pending).toMatchObject({ ok: false, code: 'CARD_PROCESS_DOWN' });
    await svc.waitForState(presentWith('CLAIRE MARTIN'), 20_000);
    expect(svc.restartCount).toBe(before + 2);
    expect((await svc.verifyPinAndSign('1234', challenge())).ok).toBe(true);
  });
});
