import { unhex, type Bytes } from '../ber';
import type { VirtualCard } from './types';

/** A Vitale-like card (the patient's card in the other slot): a known ATR, no CPS application. */
export class VirtualVitale implements VirtualCard {
  readonly name = 'Vitale 2';
  readonly atr = unhex('3B7513000044 09EA9000');
  reset() {}
  process(apdu: Bytes): Bytes {
    if (apdu[1] === 0xa4) return unhex('6A82');
    return unhex('6D00');
  }
}

/** A card with an unknown ATR that answers garbage: short, random, or no status word at all. */
export class VirtualGarbage implements VirtualCard {
  readonly name = 'Garbage';
  readonly atr = unhex('3B021450');
  private n = 0;
  reset() {
    this.n = 0;
  }
  process(_apdu: Bytes): Bytes {
    this.n++;
    const variants = [unhex('6F00'), unhex('42'), unhex('DEADBEEF'), unhex('6E00')];
    return variants[this.n % variants.length]!;
  }
}
