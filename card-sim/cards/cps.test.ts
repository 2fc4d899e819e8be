/** The virtual CPS from the card's side, with raw APDUs: what cps-card.md §8 asks of an emulated card. */
import { beforeAll, describe, expect, it } from 'vitest';
import { hex, unhex } from '../ber';
import { EF_ATR_CPS3 } from './cps';
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

  /** A command whose answer comes over T=0: 61xx, then GET RESPONSE; returns data ‖ SW. */
  const t0 = (h: string) => {
    const first = tx(h);
    expect(first).toMatch(/^61[0-9A-F]{2}$/);
    return tx(`00C00000${first.slice(2)}`);
  };

  it('answers SELECT variants like a CPx: AID with 0C ok and 00 refused, paths from the current DF, FCP through 61xx', () => {
    card.reset();
    expect(sw('00A4040C0DE828BD080F8025000001FF0010')).toBe('9000');
    expect(sw('00A404000DE828BD080F8025000001FF0010')).toBe('6A86');
    expect(sw('00A4040C0DE828BD080F8025000001FF0099')).toBe('6A82');
    expect(sw('00A40904022F00')).toBe('6A82');
    expect(tx('00A40904043F002F00')).toBe('6127');
    expect(tx('00C0000027')).toMatch(/^62258002006582010183022F008801F0A112.*8A01059000$/);
    expect(tx('00A4090C043F002F00')).toBe('9000');
    expect(tx('00A40904023F00')).toBe('9000'); // the MF: no FCP even with P2=04
    expect(sw('00A40200025031')).toBe('6A86'); // P2=00 on a FID
    // A DF's FCP: descriptor 38, its name, access rules.
    expect(t0('00A40904043F000001')).toMatch(/^62..82013883020001840DE828BD080F8025000001FF0010A112.*9000$/);
  });

  it('EF.SN.ICC: 12 bytes, issuer prefix, the chip serial, its Luhn digit and F; EF.ATR is the real one, leading 80 included', () => {
    card.reset();
    expect(sw('00A4090C043F00D003')).toBe('9000');
    // 80 25 00 00 01 | 99 01 23 45 | Luhn(802500000199012345) = 4, then F
    expect(tx('00B000000C')).toBe('5A0A8025000001990123454F9000');
    expect(sw('00A4090C043F002F01')).toBe('9000');
    expect(tx('00B0000039')).toBe(hex(EF_ATR_CPS3) + '9000');
    // By SFI, as OpenSC reads it.
    expect(tx('00B09C000C')).toBe('5A0A8025000001990123454F9000');
  });

  it('READ BINARY: offset and Le, 6282 at the end, 6B00 past it, 6986 with no EF selected', () => {
    card.reset();
    expect(sw('00B0000010')).toBe('6986');
    sw('00A4090C043F00D003');
    expect(tx('00B0000A10')).toBe('454F' + '6282');
    expect(sw('00B0000D01')).toBe('6B00');
  });

  it('GET DATA on the CHV objects: the real PIN DOCP from the MF, the unblocking code with 10 tries and 100 uses, 6A88 elsewhere', () => {
    card.reset();
    sw('00A4040C0DE828BD080F8025000001FF0010');
    expect(sw('00CB3FFF0A4D087006BF810102A080')).toBe('6A88');
    sw('00A4090C023F00');
    expect(t0('00CB3FFF0A4D087006BF810102A080')).toBe(
      '7016BF810112A0109A01039B0103A1088C06F3000013FF00' + '9000',
    );
    expect(t0('00CB3FFF0A4D087006BF810202A080')).toBe(
      '701ABF810216A0149A010A9B010A9D020064A1088C06F3FF00FFFF00' + '9000',
    );
    // The CHV public-data form (7F41) is refused with a P1-P2 error, on which OpenSC falls back to the DOCP.
    expect(sw('00CB3FFF0B4D097007BF8101037F4180')).toBe('6A86');
  });

  it('PIN: 63C2, 63C1, 63C0 then 6983; empty VERIFY reports; the unblocking code, 10 tries of its own, unblocks', () => {
    card.reset();
    expect(sw('002000010831313131FFFFFFFF')).toBe('63C2');
    expect(sw('00200001')).toBe('63C2');
    expect(sw('002000010831313131FFFFFFFF')).toBe('63C1');
    expect(sw('002000010831313131FFFFFFFF')).toBe('63C0');
    expect(sw(`0020000108${PIN_1234}`)).toBe('6983');
    expect(sw('00200001')).toBe('6983');
    expect(sw('002C000110' + '3030303030303030' + '35363738FFFFFFFF')).toBe('63C9');
    expect(sw('002C000110' + '3132333435363738' + '35363738FFFFFFFF')).toBe('9000');
    expect(sw('002000010835363738FFFFFFFF')).toBe('9000');
    expect(sw('00200001')).toBe('9000');
    // The wrong try was forgotten by the right one; one use of 100 spent.
    sw('00A4090C023F00');
    expect(t0('00CB3FFF0A4D087006BF810202A080')).toContain('9B010A9D020063');
  });

  it('loses the PIN state on reset (another application, or the card pulled out)', () => {
    card.reset();
    expect(sw('002000010835363738FFFFFFFF')).toBe('9000');
    card.reset();
    expect(sw('00200001')).toBe('63C3');
  });

  it('authenticates with INTERNAL AUTHENTICATE only after VERIFY and MSE SET AT (either TLV order), ≤ 40 % of the modulus', () => {
    card.reset();
    const data = '3031300D060960864801650304020105000420' + '00'.repeat(32);
    expect(sw(`0088000033${data}00`)).toBe('6982');
    sw('002000010835363738FFFFFFFF');
    expect(sw(`0088000033${data}00`)).toBe('6985');
    expect(sw('002241A406800102840181')).toBe('6A80');
    expect(sw('002241A406840182800102')).toBe('9000'); // OpenSC's order
    expect(sw('002241A406800102840182')).toBe('9000'); // ANS's order
    expect(sw(`0088000067${'00'.repeat(103)}00`)).toBe('6700');
    expect(tx(`0088000033${data}00`)).toBe('6100');
    const r = tx('00C0000000');
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
    expect(tx('00C0000007')).toBe('0001990123454F' + '9000');
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
