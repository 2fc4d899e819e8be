/**
 * card/ against what real CPS3/CPx cards answered (card-sim/fixtures/real/*.apdu, one [REAL] exchange or
 * short sequence of shared/reference/cps3-real-traces.md each). A strict replayer plays the card: card/ must
 * send exactly the bytes the real middleware sent, and read from the answers what the table in card/README says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createReplayer } from '../../card-sim/replay';
import { fromHex, toHex } from '../bytes';
import { CardChannel } from '../channel';
import { Cps3Profile } from './cps';
import { getDataCommand, parseChvDocp, parseEfAtr, readEf, select } from './ias-ecc';

const dir = fileURLToPath(new URL('../../card-sim/fixtures/real/', import.meta.url));
const fixture = (name: string) => readFileSync(`${dir}${name}.apdu`, 'utf8');
const AID_IAS = fromHex('E828BD080F8025000001FF0010');

/** What card/ does with each trace, and what it must find in it. */
const reads: Record<string, (ch: CardChannel) => Promise<void>> = {
  'a1-select-mf': async (ch) => {
    expect(await select(ch, { fid: fromHex('3F00') })).toBeUndefined();
  },
  'a1-ef-atr': async (ch) => {
    const fcp = await select(ch, { path: fromHex('2F01') }, 'fcp');
    expect(fcp).toEqual({
      size: 57,
      descriptor: 0x01,
      fid: fromHex('2F01'),
      sfi: 0x1d,
      contactAcl: fromHex('7B45FFFFFF4500'),
      contactlessAcl: fromHex('7BFFFFFFFFFF00'),
      lifeCycle: 0x05,
    });
    const atr = parseEfAtr(await ch.readBinary(fcp!.size));
    expect(atr).toMatchObject({
      cardServiceData: 0xb8,
      preIssuing: { icManufacturer: 0x04, icType: 0xb0, osVersion: 0xec, iasEccVersion: 0xc1 },
      capabilities: fromHex('940180'),
      mfAid: fromHex('8025000001FF0100'),
      buffers: { send: 260, sendSm: 260, receive: 256, receiveSm: 256 },
      allocationScheme: '1.3.162.15480.2',
      status: 0x9000,
    });
  },
  'a1-select-mf-aid': async (ch) => {
    expect(await select(ch, { aid: fromHex('8025000001FF0100') }, 'fci')).toBeUndefined();
  },
  'a1-ef-dir-fcp': async (ch) => {
    expect(await select(ch, { path: fromHex('2F00') }, 'fcp')).toMatchObject({
      size: 101,
      sfi: 0x1e,
      fid: fromHex('2F00'),
      lifeCycle: 0x05,
    });
  },
  'a2-ef-sn-icc': async (ch) => {
    // ANS's check: FCP size 12, issuer 80 25 00 00 01; the serial leaves the Luhn digit and its F out.
    expect(await new Cps3Profile(ch).readSerial()).toBe('99213845');
  },
  'a2-ef-actua-absent': async (ch) => {
    for (let i = 0; i < 2; i++)
      await expect(select(ch, { path: fromHex('3F00D010') }, 'fcp')).rejects.toMatchObject({
        code: 'CARD_FILE_NOT_FOUND',
        sw: 0x6a82,
      });
  },
  'a2-select-df-0001': async (ch) => {
    expect(await select(ch, { path: fromHex('3F000001') })).toBeUndefined();
  },
  'a2-pin-counter': async (ch) => {
    expect(await new Cps3Profile(ch).pinTriesLeft()).toBe(3);
  },
  'a3-se-get-data': async (ch) => {
    await expect(ch.send(getDataCommand(0x7b, 0x05, 0x7b))).rejects.toMatchObject({
      code: 'CARD_FILE_NOT_FOUND',
      sw: 0x6a88,
    });
    // P2=04 asks for the FCP; the MF gives none, and that is not an error.
    expect(await select(ch, { path: fromHex('3F00') }, 'fcp')).toBeUndefined();
  },
  'a4-aid-p2': async (ch) => {
    await expect(select(ch, { aid: AID_IAS }, 'fci')).rejects.toMatchObject({
      code: 'CARD_PROTOCOL',
      sw: 0x6a86,
    });
    await select(ch, { aid: AID_IAS }); // what Cps3Profile sends to open the application
  },
  'a4-fid-p2-00': async (ch) => {
    await expect(select(ch, { fid: fromHex('A001'), under: 'current' }, 'fci')).rejects.toMatchObject({
      code: 'CARD_PROTOCOL',
      sw: 0x6a86,
    });
  },
  'a4-relative-ef-dir': async (ch) => {
    await expect(readEf(ch, { path: fromHex('2F00') })).rejects.toMatchObject({
      code: 'CARD_FILE_NOT_FOUND',
      sw: 0x6a82,
    });
  },
};

describe('real CPS3 traces through card/', () => {
  it('every fixture has its reading here, and every reading its fixture', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.apdu'))
      .map((f) => f.replace(/\.apdu$/, ''));
    expect(files.sort()).toEqual(Object.keys(reads).sort());
    for (const f of files) expect(fixture(f)).toMatch(/^# source: \S+/m);
  });

  it.each(Object.keys(reads))('%s: card/ sends the traced bytes and reads the answers', async (name) => {
    const replayer = createReplayer(fixture(name));
    expect(toHex(replayer.atr)).toBe('3BAC00402A001225006480000310009000');
    await reads[name]!(new CardChannel(replayer));
    replayer.assertDone();
  });

  it('the DOCP of the real PIN: 3 tries of 3, no usage counter, contact rules F3 00 00 13 FF 00', () => {
    const docp = fromHex('7016BF810112A0109A01039B0103A1088C06F3000013FF00');
    expect(parseChvDocp(docp, 0x01)).toEqual({ maxTries: 3, triesLeft: 3, acl: fromHex('F3000013FF00') });
    // The same answer does not count as the unblocking code's (class and reference are checked).
    expect(() => parseChvDocp(docp, 0x02)).toThrow(/illisible/);
  });
});
