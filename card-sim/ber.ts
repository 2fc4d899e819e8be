/**
 * The card's own BER-TLV writer and reader. Written from the card's side on purpose: card-sim shares no
 * encoding or parsing code with card/ (ARCHITECTURE.md §4), so a bug in one codec cannot hide in both.
 */
export type Bytes = Uint8Array;

export const hex = (b: Bytes): string => Buffer.from(b).toString('hex').toUpperCase();
export const unhex = (s: string): Bytes => new Uint8Array(Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex'));
export const cat = (...parts: (Bytes | number[])[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
export const same = (a: Bytes, b: Bytes) => a.length === b.length && a.every((x, i) => x === b[i]);

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 0xff];
  throw new Error('TLV too long');
}

/** One TLV; `tag` is given as its encoded bytes (e.g. 0xbf8101 → [0xbf, 0x81, 0x01]). */
export function tlv(tag: number, ...value: (Bytes | number[])[]): Bytes {
  const tagBytes: number[] = [];
  let t = tag;
  do {
    tagBytes.unshift(t & 0xff);
    t = Math.floor(t / 256);
  } while (t > 0);
  const v = cat(...value);
  return cat(tagBytes, lengthBytes(v.length), v);
}

/** Reads the TLVs of a command data field (flat, first level): tag number → value. */
export function readTlvs(data: Bytes): Map<number, Bytes> {
  const out = new Map<number, Bytes>();
  let i = 0;
  while (i < data.length) {
    let tag = data[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      let b: number;
      do {
        b = data[i++]!;
        tag = tag * 256 + b;
      } while (b & 0x80 && i < data.length);
    }
    let len = data[i++]!;
    if (len === 0x81) len = data[i++]!;
    else if (len === 0x82) {
      len = (data[i]! << 8) | data[i + 1]!;
      i += 2;
    }
    if (i + len > data.length) throw new Error('bad TLV');
    out.set(tag, data.subarray(i, i + len));
    i += len;
  }
  return out;
}

// ASN.1 DER helpers for the PKCS#15 files the card carries.
export const derSeq = (...items: Bytes[]) => tlv(0x30, ...items);
export const derOctets = (b: Bytes | number[]) => tlv(0x04, b);
export const derUtf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
export const derNull = () => tlv(0x05);
export const derBool = (v: boolean) => tlv(0x01, [v ? 0xff : 0x00]);
export const derGeneralizedTime = (s: string) => tlv(0x18, new TextEncoder().encode(s));

/** INTEGER, two's complement, shortest form (non-negative values). */
export function derInt(n: number): Bytes {
  const out: number[] = [];
  let v = n;
  do {
    out.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (out[0]! & 0x80) out.unshift(0);
  return tlv(0x02, out);
}

/** ENUMERATED, small values. */
export const derEnum = (n: number) => tlv(0x0a, [n]);

/** A named-bit-list BIT STRING in DER: bit 0 is the first octet's high bit, trailing zero bits left out. */
export function derNamedBits(...bits: number[]): Bytes {
  if (bits.length === 0) return tlv(0x03, [0x00]);
  const last = Math.max(...bits);
  const octets = new Array<number>((last >> 3) + 1).fill(0);
  for (const b of bits) octets[b >> 3]! |= 0x80 >> (b & 7);
  return tlv(0x03, [7 - (last & 7)], octets);
}

/**
 * The flags BIT STRING as a real CPS3 writes it in its AODF and CDF: one content octet, non-zero, so no bit
 * at all and a non-zero "unused bits" count, which DER forbids (cps3-real-traces.md A5). The exact octet was
 * not published; 07 is this card's guess. Strict parsers fail on it; OpenSC reads it in lax mode.
 */
export const nonDerEmptyBits = () => tlv(0x03, [0x07]);

export function derOid(oid: string): Bytes {
  const parts = oid.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const b: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      b.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...b);
  }
  return tlv(0x06, out);
}
