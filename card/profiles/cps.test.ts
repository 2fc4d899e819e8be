/** Both profiles against the in-process virtual card (card-sim: the card's own reading of the spec). */
import { createVerify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCard } from '../../card-sim/cards/make';
import { inProcessReader, type InProcessReader } from '../../card-sim/in-process';
import { loadTestPki } from '../../card-sim/pki';
import { toHex } from '../bytes';
import { CardChannel } from '../channel';
import { identifyAtr } from './detect';
import { profileFor, type CpsProfile } from './cps';

const challenge = new Uint8Array(32).map((_, i) => i * 7);

async function setup(profile: 'cps3' | 'cps4', quirks: { answer61?: boolean; answer6C?: boolean } = {}) {
  const reader = inProcessReader(await makeCard({ profile, holder: 'Claire MARTIN', ...quirks }));
  const kind = identifyAtr(reader.atr);
  expect(kind).toBe(profile);
  return { reader, card: profileFor(profile, new CardChannel(reader)) };
}

const verifies = (sig: Uint8Array, certDer: Uint8Array, data = challenge) =>
  createVerify('sha256')
    .update(data)
    .verify(new X509Certificate(Buffer.from(certDer)).publicKey, Buffer.from(sig));

beforeAll(async () => {
  await loadTestPki();
}, 60_000);

describe.each(['cps3', 'cps4'] as const)('%s profile', (profile) => {
  it.each([{}, { answer61: true }, { answer6C: true }])(
    'reads serial, holder and certificate without PIN %o',
    async (quirks) => {
      const { card, reader } = await setup(profile, quirks);
      const id = await card.readIdentity();
      expect(id).toMatchObject({
        kind: profile,
        // A CPS3's serial is its chip serial (EF.SN.ICC without the Luhn digit); the CPS4's is the card number.
        serial: profile === 'cps3' ? '99012345' : '2900012345',
        holder: {
          nationalId: '899700012345',
          lastName: 'MARTIN',
          firstName: 'CLAIRE',
          profession: 'Pharmacien',
        },
      });
      const pki = await loadTestPki();
      expect(new X509Certificate(Buffer.from(id.certificate)).raw).toEqual(
        new X509Certificate(pki.holders['899700012345']!.authCertPem).raw,
      );
      // No READ BINARY asks for more than 0xE7 bytes.
      for (const { command } of reader.log.filter((e) => e.command[1] === 0xb0))
        expect(command[4]).toBeLessThanOrEqual(0xe7);
      expect(await card.pinTriesLeft()).toBe(3);
    },
  );

  it('counts wrong PINs down to blocked, refuses the right one then, and the PUK gives a new PIN', async () => {
    const { card } = await setup(profile);
    await expect(card.verifyPinAndSign('0000', challenge)).rejects.toMatchObject({
      code: 'CARD_PIN_WRONG',
      triesLeft: 2,
    });
    expect(await card.pinTriesLeft()).toBe(2);
    await expect(card.verifyPinAndSign('0001', challenge)).rejects.toMatchObject({
      code: 'CARD_PIN_WRONG',
      triesLeft: 1,
    });
    await expect(card.verifyPinAndSign('0002', challenge)).rejects.toMatchObject({
      code: 'CARD_PIN_BLOCKED',
      triesLeft: 0,
    });
    await expect(card.verifyPinAndSign('1234', challenge)).rejects.toMatchObject({
      code: 'CARD_PIN_BLOCKED',
    });
    expect(await card.pinTriesLeft()).toBe(0);
    // The unblocking code has 10 tries of its own.
    await expect(card.unblockPin('00000000', '5678')).rejects.toMatchObject({
      code: 'CARD_PUK_WRONG',
      triesLeft: 9,
    });
    await card.unblockPin('12345678', '5678');
    expect(await card.pinTriesLeft()).toBe(3);
    const id = await card.readIdentity();
    expect(verifies(await card.verifyPinAndSign('5678', challenge), id.certificate)).toBe(true);
  });

  it('a right PIN resets the counter; the signature is a standard RSA PKCS#1 v1.5 SHA-256 one', async () => {
    const { card } = await setup(profile);
    const id = await card.readIdentity();
    await expect(card.verifyPinAndSign('9999', challenge)).rejects.toMatchObject({ triesLeft: 2 });
    const sig = await card.verifyPinAndSign('1234', challenge);
    expect(sig.length).toBe(256);
    expect(verifies(sig, id.certificate)).toBe(true);
    expect(
      verifies(
        sig,
        id.certificate,
        challenge.map((b) => b ^ 0x80),
      ),
    ).toBe(false);
    expect(await card.pinTriesLeft()).toBe(3);
  });

  it('checks the PIN and PUK format without spending a try', async () => {
    const { card, reader } = await setup(profile);
    const before = reader.log.length;
    await expect(card.verifyPinAndSign('12a4', challenge)).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
    await expect(card.verifyPinAndSign('123', challenge)).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
    await expect(card.unblockPin('1234567', '1234')).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
    expect(reader.log.length).toBe(before);
  });

  it('after a reset by another application the PIN state is gone and the operation reports CARD_RESET', async () => {
    const { card, reader } = await setup(profile);
    await card.verifyPinAndSign('1234', challenge);
    reader.resetByOther();
    await expect(card.readIdentity()).rejects.toMatchObject({ code: 'CARD_RESET' });
    // The engine reconnects and runs the operation again; here the next call goes through on its own.
    expect((await card.readIdentity()).holder.lastName).toBe('MARTIN');
  });
});

describe('profile-specific APDUs', () => {
  const first = (r: InProcessReader, ins: number) => r.log.find((e) => e.command[1] === ins)!;

  it("CPS3: ANS's sequence: EF.SN.ICC with its FCP, application by AID with P2=0C, full paths, GET DATA from the MF", async () => {
    const { card, reader } = await setup('cps3');
    await card.readIdentity();
    await card.pinTriesLeft();
    const hexes = reader.log.map((e) => toHex(e.command));
    expect(hexes.slice(0, 3)).toEqual(['00A40904043F00D003', '00C0000027', '00B000000C']);
    expect(hexes).toContain('00A4040C0DE828BD080F8025000001FF0010');
    expect(hexes).toContain('00A40904063F0000015031');
    expect(hexes.slice(-3)).toEqual(['00A4090C023F00', '00CB3FFF0A4D087006BF810102A080', '00C0000018']);
    expect(toHex(first(reader, 0xcb).response)).toBe('6118');
    // No select asks for the FCI (P2=00), which a CPx refuses.
    expect(reader.log.filter((e) => e.command[1] === 0xa4).every((e) => e.command[3] !== 0x00)).toBe(true);
  });

  it('CPS3: MSE SET AT with key 82, then INTERNAL AUTHENTICATE of the SHA-256 DigestInfo', async () => {
    const { card, reader } = await setup('cps3');
    await card.verifyPinAndSign('1234', challenge);
    expect(toHex(first(reader, 0x22).command)).toBe('002241A406800102840182');
    const ia = first(reader, 0x88).command;
    expect(toHex(ia.subarray(0, 5))).toBe('0088000033');
    expect(toHex(ia.subarray(5, 24))).toBe('3031300D060960864801650304020105000420');
  });

  it('CPS4: ChipDoc on logical channel 1, tries from an empty VERIFY, chained raw RSA on a host-padded block', async () => {
    const { card, reader } = await setup('cps4');
    await card.readIdentity();
    await card.pinTriesLeft();
    await card.verifyPinAndSign('1234', challenge);
    const hexes = reader.log.map((e) => toHex(e.command));
    expect(hexes).toContain('01A4040C088025000001FF0100');
    expect(hexes).toContain('01200001');
    expect(hexes).toContain('012241B803830120');
    const chained = reader.log.filter((e) => e.command[1] === 0x2a).map((e) => e.command);
    expect(chained[0]![0]).toBe(0x11); // chaining bit on channel 1
    expect(chained.at(-1)![0]).toBe(0x01);
    expect(toHex(chained[0]!.subarray(5, 8))).toBe('0001FF'); // the host-built PKCS#1 type 1 block
  });

  it('CPS4: a card that lost its applet selection (69 85) is selected again and the command retried', async () => {
    const { card, reader } = await setup('cps4');
    await card.readIdentity();
    reader.resetByOther();
    await expect(card.pinTriesLeft()).rejects.toMatchObject({ code: 'CARD_RESET' });
    // Channel 1 is closed after the reset: the card answers 6985, the profile re-selects and gets its answer.
    expect(await card.pinTriesLeft()).toBe(3);
    expect(reader.log.some((e) => toHex(e.response) === '6985')).toBe(true);
  });
});

describe('other cards', () => {
  it('a Vitale card and a garbage card are recognised from their ATR alone', async () => {
    expect(identifyAtr(inProcessReader(await makeCard({ profile: 'vitale' })).atr)).toBe('vitale');
    expect(identifyAtr(inProcessReader(await makeCard({ profile: 'garbage' })).atr)).toBe('unknown');
  });
  it('a card answering garbage to a CPS profile gets CARD_PROTOCOL, not a crash', async () => {
    const reader = inProcessReader(await makeCard({ profile: 'garbage' }));
    const p: CpsProfile = profileFor('cps3', new CardChannel(reader));
    await expect(p.readIdentity()).rejects.toMatchObject({
      code: expect.stringMatching(/CARD_PROTOCOL|CARD_NOT_CPS|CARD_FILE_NOT_FOUND/),
    });
  });
});
