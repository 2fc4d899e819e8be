/** The virtual CPS from the card's side, with raw APDUs: what cps-card.md §8 asks of an emulated card. */
import { beforeAll, describe, expect, it } from 'vitest';
import { hex, unhex } from '../ber';
import { loadTestPki } from '../pki';
import { makeCard } from './make';
import type { VirtualCard } from './types';

let card: VirtualCard;
const tx = (h: string) => hex(card.process(unhex(h)));
const sw = (h: string) => tx(h).slice(-4);
const PIN_1234 = '31323334FFFFFFFF';

beforeAll(async () => {
  await loadTestPki();
}, 60_000);

describe('virtual CPS3', () => {
  beforeAll(async () => {
    card = await makeCard({ profile: 'cps3', holder: 'Claire MARTIN' });
  });

  it('has the exact CPS3 ATR', () => {
    expect(hex(card.atr)).toBe('3BAC00402A001225006480000310009000');
  });

  it('answers SELECT variants like a CPx: AID with 0C ok and 00 refused, paths need 3F00, FCP on P2=04', () => {
    card.reset();
    expect(sw('00A4040C0DE828BD080F8025000001FF0010')).toBe('9000');
    expect(sw('00A404000DE828BD080F8025000001FF0010')).toBe('6A86');
    expect(sw('00A4040C0DE828BD080F8025000001FF0099')).toBe('6A82');
    expect(sw('00A40904022F00')).toBe('6A82');
    const fcp = tx('00A40904043F002F00');
    expect(fcp.startsWith('62')).toBe(true);
    expect(fcp).toMatch(/83022F00.*9000$/);
    expect(tx('00A4090C043F002F00')).toBe('9000');
  });

  it('EF.SN.ICC starts with the issuer prefix; EF.ATR keeps its stray leading 80', () => {
    card.reset();
    expect(sw('00A4090C043F00D003')).toBe('9000');
    expect(tx('00B000000C')).toBe('5A0A802500000129000123459000');
    expect(sw('00A4090C043F002F01')).toBe('9000');
    expect(tx('00B0000001')).toBe('809000');
  });

  it('READ BINARY: offset and Le, 6282 at the end, 6B00 past it, 6986 with no EF selected', () => {
    card.reset();
    expect(sw('00B0000010')).toBe('6986');
    sw('00A4090C043F00D003');
    expect(tx('00B0000A10')).toBe('2345' + '6282');
    expect(sw('00B0000D01')).toBe('6B00');
  });

  it('protects situation files until the PIN is verified', () => {
    card.reset();
    expect(sw('00A4090C063F000001D120')).toBe('9000');
    expect(sw('00B0000010')).toBe('6982');
    expect(sw(`0020000108${PIN_1234}`)).toBe('9000');
    expect(sw('00B0000010')).toBe('9000');
  });

  it('GET DATA on the CHV SDO answers 9A/9B/9D from the MF and 6A88 elsewhere', () => {
    card.reset();
    sw('00A4040C0DE828BD080F8025000001FF0010');
    expect(sw('00CB3FFF0A4D087006BF810102A08000')).toBe('6A88');
    sw('00A4000C023F00');
    expect(tx('00CB3FFF0A4D087006BF810102A08000')).toBe('700FBF81010BA0099A01039B01039D0101' + '9000');
  });

  it('PIN: 63C2, 63C1, 63C0 then 6983; empty VERIFY reports; PUK with its own counter unblocks', () => {
    card.reset();
    expect(sw('002000010831313131FFFFFFFF')).toBe('63C2');
    expect(sw('00200001')).toBe('63C2');
    expect(sw('002000010831313131FFFFFFFF')).toBe('63C1');
    expect(sw('002000010831313131FFFFFFFF')).toBe('63C0');
    expect(sw(`0020000108${PIN_1234}`)).toBe('6983');
    expect(sw('00200001')).toBe('6983');
    // Wrong PUK: its own counter.
    expect(sw('002C000110' + '3030303030303030' + '35363738FFFFFFFF')).toBe('63C2');
    expect(sw('002C000110' + '3132333435363738' + '35363738FFFFFFFF')).toBe('9000');
    expect(sw('002000010835363738FFFFFFFF')).toBe('9000');
    expect(sw('00200001')).toBe('9000');
  });

  it('loses the PIN state on reset (another application, or the card pulled out)', () => {
    card.reset();
    expect(sw('002000010835363738FFFFFFFF')).toBe('9000');
    card.reset();
    expect(sw('00200001')).toBe('63C3');
  });

  it('signs with INTERNAL AUTHENTICATE only after VERIFY and MSE SET AT, at most 40 % of the modulus', () => {
    card.reset();
    const data = '3031300D060960864801650304020105000420' + '00'.repeat(32);
    expect(sw(`0088000033${data}00`)).toBe('6982');
    sw('002000010835363738FFFFFFFF');
    expect(sw(`0088000033${data}00`)).toBe('6985');
    expect(sw('002241A406800102840181')).toBe('6A80');
    expect(sw('002241A406800102840182')).toBe('9000');
    expect(sw(`0088000067${'00'.repeat(103)}00`)).toBe('6700');
    const r = tx(`0088000033${data}00`);
    expect(r.length).toBe(2 * 258);
    expect(r.endsWith('9000')).toBe(true);
  });

  it('rejects unknown instructions and classes with the ISO words', () => {
    expect(sw('00FE0000')).toBe('6D00');
    expect(sw('80A4000C023F00')).toBe('6E00');
  });
});

describe('virtual CPS3 quirks and CPS4', () => {
  it('with answer61, data comes through GET RESPONSE in pieces', async () => {
    card = await makeCard({ profile: 'cps3', answer61: true });
    sw('00A4090C043F00D003');
    expect(tx('00B000000C')).toBe('610C');
    expect(tx('00C0000005')).toBe('5A0A802500' + '6107');
    expect(tx('00C0000007')).toBe('00012900012345' + '9000');
  });

  it('with answer6C, an overshooting Le gets 6Cxx', async () => {
    card = await makeCard({ profile: 'cps3', answer6C: true });
    sw('00A4090C043F00D003');
    expect(tx('00B00000E7')).toBe('6C0C');
  });

  it('CPS4: its ATR, channel 1 for ChipDoc, 6985 until ChipDoc is selected, empty VERIFY for tries', async () => {
    card = await makeCard({ profile: 'cps4' });
    expect(hex(card.atr)).toBe('3B9B188001001225006480040100009044');
    expect(sw('01200001')).toBe('6985');
    expect(sw('00A4040C07A0000001510000')).toBe('9000');
    expect(sw('00A4040C088025000001FF0002')).toBe('9000');
    expect(sw('01A4040C088025000001FF0100')).toBe('9000');
    expect(sw('01200001')).toBe('63C3');
  });

  it('a Vitale-like card has a Vitale ATR and no CPS application', async () => {
    card = await makeCard({ profile: 'vitale' });
    expect(hex(card.atr)).toBe('3B751300004409EA9000');
    expect(sw('00A4040C0DE828BD080F8025000001FF0010')).toBe('6A82');
  });
});
