/** Which card is this, from its ATR (shared/reference/cps-card.md §1.4; Vitale ATRs from pcsc-tools' list). */
import type { CardKind } from '../../domain/card';
import { fromHex, toHex, type Bytes } from '../bytes';

const CPS3 = [
  // Cryptolib compares this one byte for byte.
  '3BAC00402A001225006480000310009000',
  '3BAC00402A001225006480820212009000',
];
const CPS4 = [
  '3B9B188001001225006480040100009044',
  '3B9B188001001225006480000401009044',
  '3BDC18FF00001225006480000401009000',
];
/** CPS3 mask (OpenSC): compare only where the mask is FF. */
const CPS3_MASKED = {
  atr: fromHex('3BAC00402A001225006480000310009000'),
  mask: fromHex('FF00000000FFFFFFFFFFFF000000FFFFFF'),
};
const VITALE = [/^3B751300004[0-9A-F]09EA9000$/, /^3F6525..(2[2C]|52)09[F6][9A]9000$/];

export function identifyAtr(atr: Bytes): CardKind {
  const h = toHex(atr);
  if (CPS3.includes(h)) return 'cps3';
  if (CPS4.includes(h)) return 'cps4';
  if (VITALE.some((re) => re.test(h))) return 'vitale';
  if (
    atr.length === CPS3_MASKED.atr.length &&
    atr.every((b, i) => (b & CPS3_MASKED.mask[i]!) === (CPS3_MASKED.atr[i]! & CPS3_MASKED.mask[i]!))
  )
    return 'cps3';
  // A contactless CPS3 (3B8F8001…) has no PIN and cannot sign a sign-in: it stays 'unknown'.
  return 'unknown';
}

export const isCps = (k: CardKind) => k === 'cps3' || k === 'cps4';
