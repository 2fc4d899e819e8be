import { describe, expect, it } from 'vitest';
import { CardStatusError, encodeCommand, parseResponse, swCode, swError } from './apdu';
import { toHex } from './bytes';

describe('APDU encoding', () => {
  it('writes the four short cases', () => {
    expect(toHex(encodeCommand({ cla: 0, ins: 0x2c, p1: 3, p2: 1 }))).toBe('002C0301');
    expect(toHex(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 0xe7 }))).toBe('00B00000E7');
    expect(toHex(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).toBe('00B0000000');
    expect(
      toHex(encodeCommand({ cla: 0, ins: 0xa4, p1: 9, p2: 0x0c, data: new Uint8Array([0x3f, 0, 0xd0, 3]) })),
    ).toBe('00A4090C043F00D003');
    expect(
      toHex(encodeCommand({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: new Uint8Array([1, 2]), le: 256 })),
    ).toBe('00880000020102' + '00');
  });
  it('refuses what a short APDU cannot carry', () => {
    expect(() => encodeCommand({ cla: 0, ins: 0x2a, p1: 0x80, p2: 0x86, data: new Uint8Array(256) })).toThrow(
      /chaining/,
    );
    expect(() => encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 0 })).toThrow();
  });
  it('splits data and status word, and refuses a response without one', () => {
    expect(parseResponse(new Uint8Array([1, 2, 0x90, 0]))).toEqual({
      data: new Uint8Array([1, 2]),
      sw: 0x9000,
    });
    expect(() => parseResponse(new Uint8Array([0x90]))).toThrow(
      expect.objectContaining({ code: 'CARD_PROTOCOL' }),
    );
  });
});

describe('status words → stable codes', () => {
  it.each([
    [0x63c2, 'pin', 'CARD_PIN_WRONG', 2],
    [0x63c1, 'pin', 'CARD_PIN_WRONG', 1],
    [0x63c0, 'pin', 'CARD_PIN_BLOCKED', 0],
    [0x6983, 'pin', 'CARD_PIN_BLOCKED', 0],
    [0x63c2, 'puk', 'CARD_PUK_WRONG', 2],
    [0x6983, 'puk', 'CARD_PUK_BLOCKED', 0],
  ] as const)('%s about the %s → %s (%s left)', (sw, what, code, left) => {
    const e = swError(sw, what);
    expect(e).toBeInstanceOf(CardStatusError);
    expect(e.code).toBe(code);
    expect(e.triesLeft).toBe(left);
  });
  it.each([
    [0x6982, 'CARD_SECURITY_NOT_SATISFIED'],
    [0x6a82, 'CARD_FILE_NOT_FOUND'],
    [0x6a88, 'CARD_FILE_NOT_FOUND'],
    [0x6985, 'CARD_PROTOCOL'],
    [0x6a86, 'CARD_PROTOCOL'],
    [0x6d00, 'CARD_PROTOCOL'],
    [0x6e00, 'CARD_PROTOCOL'],
    [0x6700, 'CARD_PROTOCOL'],
  ] as const)('%s → %s', (sw, code) => {
    expect(swCode(sw)).toBe(code);
  });
  it('says the PIN is blocked in words the counter can show, with the status word for support', () => {
    expect(swError(0x6983, 'pin').message).toMatch(/bloqué.*PUK.*6983/);
  });
});
