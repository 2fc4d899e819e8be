/**
 * The card's secrets (IAS-ECC CHV objects): the cardholder PIN (CHV 01, 3 tries) and the unblocking code
 * (CHV 02, 10 tries and 100 uses), with their DOCP as GET DATA returns it (cps3-real-traces.md A2, A5).
 */
import { same, tlv, type Bytes } from '../ber';
import { SW, triesLeftSw } from './apdu';

export class Secret {
  private value: Bytes;
  constructor(
    readonly ref: number,
    value: Bytes,
    readonly maxTries: number,
    public triesLeft: number,
    /** IAS-ECC access rules of the object (8C): AMB then the SCBs CHANGE, VERIFY, RESET, PUT DATA, GET DATA. */
    private readonly acl: readonly number[],
    /** Uses left, for a code that wears out (the unblocking code); undefined for no limit. */
    public usesLeft?: number,
  ) {
    this.value = new Uint8Array(value);
  }

  get blocked() {
    return this.triesLeft === 0 || this.usesLeft === 0;
  }

  /** Checks a candidate: 9000 (counter back to the maximum, one use spent), 63Cx, or 6983 once blocked. */
  present(candidate: Bytes): number {
    if (this.blocked) return SW.BLOCKED;
    if (!same(candidate, this.value)) {
      this.triesLeft--;
      return triesLeftSw(this.triesLeft);
    }
    this.triesLeft = this.maxTries;
    if (this.usesLeft !== undefined) this.usesLeft--;
    return SW.OK;
  }

  /** VERIFY with no data: where the counter stands. */
  status(verified: boolean): number {
    if (this.blocked) return SW.BLOCKED;
    return verified ? SW.OK : triesLeftSw(this.triesLeft);
  }

  replace(value: Bytes) {
    this.value = new Uint8Array(value);
    this.triesLeft = this.maxTries;
  }

  /** The SDO with its DOCP (A0): 9A maximum, 9B tries left, 9D uses left when counted, A1 { 8C rules }. */
  docp(): Bytes {
    const uses = this.usesLeft === undefined ? [] : [tlv(0x9d, [this.usesLeft >> 8, this.usesLeft & 0xff])];
    const body = tlv(
      0xa0,
      tlv(0x9a, [this.maxTries]),
      tlv(0x9b, [this.triesLeft]),
      ...uses,
      tlv(0xa1, tlv(0x8c, this.acl as number[])),
    );
    return tlv(0x70, tlv(0xbf8100 | this.ref, body));
  }
}

export const PIN_REF = 0x01;
export const PUK_REF = 0x02;
/** VERIFY data: the ASCII PIN padded with FF to 8 bytes (the AODF says so). */
export const PIN_STORED_LENGTH = 8;

export function padPin(pin: string): Bytes {
  const b = new Uint8Array(PIN_STORED_LENGTH).fill(0xff);
  b.set(new TextEncoder().encode(pin));
  return b;
}

/** A new PIN as CHANGE / RESET RETRY COUNTER carry it: 4 to 8 digits, FF-padded to 8 bytes. */
export function validNewPin(b: Bytes): boolean {
  if (b.length !== PIN_STORED_LENGTH) return false;
  return /^\d{4,8}$/.test(
    Buffer.from(b)
      .toString('latin1')
      .replace(/\xff+$/, ''),
  );
}

export function makeSecrets(o: { pin: string; puk: string; pinTriesLeft?: number }) {
  return {
    // Contact rules of the real CHV 01: CHANGE and VERIFY always, RESET through SE#3, PUT DATA never, GET DATA always.
    pin: new Secret(PIN_REF, padPin(o.pin), 3, o.pinTriesLeft ?? 3, [0xf3, 0x00, 0x00, 0x13, 0xff, 0x00]),
    // CHV 02: VERIFY only; CHANGE and RESET never.
    puk: new Secret(
      PUK_REF,
      new TextEncoder().encode(o.puk),
      10,
      10,
      [0xf3, 0xff, 0x00, 0xff, 0xff, 0x00],
      100,
    ),
  };
}
