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
export const derOctets = (b: Bytes) => tlv(0x04, b);
export const derUtf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
export const derInt = (n: number) => tlv(0x02, [n]);
export const derBool = (v: boolean) => tlv(0x01, [v ? 0xff : 0x00]);
export const derBits = (bits: number) => tlv(0x03, [0x07, bits]);
