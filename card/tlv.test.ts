import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tlv as simTlv } from '../card-sim/ber';
import { fromHex } from './bytes';
import { findTlv, parseTlvs } from './tlv';

describe('BER-TLV reader', () => {
  it('reads the PIN counter template a CPS3 returns to GET DATA', () => {
    const data = fromHex('70 0F BF8101 0B A0 09 9A0103 9B0102 9D0101'.replace(/ /g, ''));
    expect(findTlv(data, 0x9b)?.value).toEqual(new Uint8Array([2]));
    expect(findTlv(data, 0xbf8101)?.constructed).toBe(true);
  });
  it('reads long lengths and skips padding', () => {
    const long = new Uint8Array(300).fill(7);
    const buf = new Uint8Array([0x00, 0xff, 0x04, 0x82, 0x01, 0x2c, ...long]);
    expect(parseTlvs(buf)).toEqual([{ tag: 0x04, constructed: false, value: long }]);
  });
  it('refuses truncated input with CARD_PROTOCOL rather than reading past the end', () => {
    for (const h of ['04', '0405 0102', '1F', '0483', '04820100']) {
      expect(() => parseTlvs(fromHex(h.replace(/ /g, '')))).toThrow(
        expect.objectContaining({ code: 'CARD_PROTOCOL' }),
      );
    }
  });
  // The card-sim writes TLVs with its own code; the driver reads them with its own. Both must agree.
  it('reads back whatever the card-side writer writes', () => {
    const tags = fc.constantFrom(0x04, 0x0c, 0x5a, 0x80, 0x9b, 0x30, 0x62, 0xa1, 0xbf8101, 0x5f20);
    fc.assert(
      fc.property(fc.array(fc.tuple(tags, fc.uint8Array({ maxLength: 400 })), { maxLength: 5 }), (items) => {
        const buf = new Uint8Array(items.flatMap(([t, v]) => [...simTlv(t, v)]));
        const parsed = parseTlvs(buf);
        expect(parsed.map((p) => [p.tag, p.value])).toEqual(items.map(([t, v]) => [t, v]));
      }),
    );
  });
});
