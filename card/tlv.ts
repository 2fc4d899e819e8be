/** BER-TLV reader (ISO 7816-4 data objects and the DER of PKCS#15 files). Hand-written, small, total. */
import { AppError } from '../domain/result';
import type { Bytes } from './bytes';

export interface Tlv {
  /** Tag as a number of its bytes, e.g. 0xBF8101. */
  tag: number;
  constructed: boolean;
  value: Bytes;
}

function fail(why: string): never {
  throw new AppError('CARD_PROTOCOL', `Réponse de la carte mal formée (TLV : ${why}).`);
}

export function parseTlvs(buf: Bytes): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < buf.length) {
    // Padding between objects (00 or FF) is allowed by ISO 7816-4.
    if (buf[i] === 0x00 || buf[i] === 0xff) {
      i++;
      continue;
    }
    const first = buf[i++]!;
    let tag = first;
    if ((first & 0x1f) === 0x1f) {
      let b: number;
      let n = 0;
      do {
        if (i >= buf.length) fail('tag tronqué');
        b = buf[i++]!;
        tag = tag * 256 + b;
        if (++n > 3) fail('tag trop long');
      } while (b & 0x80);
    }
    if (i >= buf.length) fail('longueur absente');
    let len = buf[i++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 3 || i + n > buf.length) fail('longueur invalide');
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + buf[i++]!;
    }
    if (i + len > buf.length) fail('valeur tronquée');
    out.push({ tag, constructed: (first & 0x20) !== 0, value: buf.subarray(i, i + len) });
    i += len;
  }
  return out;
}

/** First object with `tag`, searching constructed objects depth-first. */
export function findTlv(buf: Bytes, tag: number): Tlv | undefined {
  for (const t of parseTlvs(buf)) {
    if (t.tag === tag) return t;
    if (t.constructed) {
      const inner = findTlv(t.value, tag);
      if (inner) return inner;
    }
  }
  return undefined;
}
