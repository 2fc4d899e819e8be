/**
 * The profiles against recorded APDU exchanges (card-sim/fixtures/*.apdu, "=> command" / "<= response").
 * The fixtures were recorded from the virtual card; `UPDATE_CARD_FIXTURES=1` records them again.
 * The replayer fails on any APDU the record does not expect, and on recorded APDUs left over: a change in the
 * driver's sequence shows up here first.
 */
import { createVerify, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeCard } from '../../card-sim/cards/make';
import { inProcessReader } from '../../card-sim/in-process';
import { createReplayer, formatRecord, parseRecord } from '../../card-sim/replay';
import { CardChannel, type CardTransport } from '../channel';
import { profileFor, type CpsProfile } from './cps';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../card-sim/fixtures/${name}.apdu`, import.meta.url));
const CHALLENGE = new Uint8Array(32).map((_, i) => 0xa0 ^ i);

type Flow = (p: CpsProfile) => Promise<unknown>;
const flows: { name: string; profile: 'cps3' | 'cps4'; quirks?: { answer61?: boolean }; flow: Flow }[] = [
  {
    name: 'cps3-identity',
    profile: 'cps3',
    flow: async (p) => [await p.readIdentity(), await p.pinTriesLeft()],
  },
  {
    name: 'cps3-identity-t0',
    profile: 'cps3',
    quirks: { answer61: true },
    flow: async (p) => [await p.readIdentity(), await p.pinTriesLeft()],
  },
  {
    name: 'cps3-sign',
    profile: 'cps3',
    flow: async (p) => {
      const id = await p.readIdentity();
      const wrong = await p
        .verifyPinAndSign('0000', CHALLENGE)
        .catch((e: { code: string; triesLeft: number }) => [e.code, e.triesLeft]);
      return [id, wrong, await p.verifyPinAndSign('1234', CHALLENGE)];
    },
  },
  {
    name: 'cps4-identity',
    profile: 'cps4',
    flow: async (p) => [await p.readIdentity(), await p.pinTriesLeft()],
  },
  {
    name: 'cps4-sign',
    profile: 'cps4',
    flow: async (p) => {
      const id = await p.readIdentity();
      const wrong = await p
        .verifyPinAndSign('0000', CHALLENGE)
        .catch((e: { code: string; triesLeft: number }) => [e.code, e.triesLeft]);
      return [id, wrong, await p.verifyPinAndSign('1234', CHALLENGE)];
    },
  },
];

async function record(f: (typeof flows)[number]) {
  const reader = inProcessReader(
    await makeCard({ profile: f.profile, holder: 'Claire MARTIN', ...f.quirks }),
  );
  await f.flow(profileFor(f.profile, new CardChannel(reader)));
  writeFileSync(
    fixture(f.name),
    formatRecord(reader.log, reader.atr, `${f.name}: recorded from card-sim (Claire MARTIN, PIN 1234)`),
  );
}

describe('recorded APDU fixtures', () => {
  it.each(flows)('$name replays exactly, with the same holder and a signature that verifies', async (f) => {
    if (process.env.UPDATE_CARD_FIXTURES === '1' || !existsSync(fixture(f.name))) await record(f);
    const replayer = createReplayer(readFileSync(fixture(f.name), 'utf8'));
    const out = (await f.flow(profileFor(f.profile, new CardChannel(replayer)))) as unknown[];
    replayer.assertDone();
    const id = out[0] as Awaited<ReturnType<CpsProfile['readIdentity']>>;
    expect(id.holder).toEqual({
      nationalId: '899700012345',
      lastName: 'MARTIN',
      firstName: 'CLAIRE',
      profession: 'Pharmacien',
    });
    if (out.length === 3) {
      expect(out[1]).toEqual(['CARD_PIN_WRONG', 2]);
      const cert = new X509Certificate(Buffer.from(id.certificate));
      expect(
        createVerify('sha256')
          .update(CHALLENGE)
          .verify(cert.publicKey, Buffer.from(out[2] as Uint8Array)),
      ).toBe(true);
    } else expect(out[1]).toBe(3);
  });

  it('the replayer fails on an unexpected APDU, and on APDUs left over', async () => {
    const text = readFileSync(fixture('cps3-identity'), 'utf8');
    const replayer = createReplayer(text);
    const p = profileFor('cps4', new CardChannel(replayer)); // the wrong profile sends other APDUs
    await expect(p.readIdentity()).rejects.toMatchObject({
      code: 'CARD_PROTOCOL',
      message: expect.stringMatching(/record expects/),
    });
    const partial = createReplayer(text);
    await profileFor('cps3', new CardChannel(partial)).readIdentity();
    expect(() => partial.assertDone()).toThrow(/left over/);
  });

  it('the record format is the plain "=> / <=" text, with the ATR in a comment', () => {
    const r = parseRecord('# atr: 3BAC00402A001225006480000310009000\n=> 00A4000C023F00\n<= 9000\n');
    expect(r.exchanges).toHaveLength(1);
    expect(r.atr?.length).toBe(17);
    expect(() => parseRecord('<= 9000')).toThrow();
    expect(() => parseRecord('=> 00\n=> 00')).toThrow();
  });

  it('a transport that drops the status word is a protocol error, not a crash', async () => {
    const broken: CardTransport = { atr: new Uint8Array(0), transmit: async () => new Uint8Array([0x90]) };
    await expect(profileFor('cps3', new CardChannel(broken)).readIdentity()).rejects.toMatchObject({
      code: 'CARD_PROTOCOL',
    });
  });
});
