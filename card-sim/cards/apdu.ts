/**
 * The card's reading of a command APDU (ISO 7816-4 short form) and the status words it answers with.
 * Written from the card's side: card-sim shares no APDU code with card/ (ARCHITECTURE.md §4).
 */
import { cat, type Bytes } from '../ber';

/** The instructions a CPS3/CPS4 understands, by name. */
export const INS = {
  SELECT: 0xa4,
  READ_BINARY: 0xb0,
  GET_RESPONSE: 0xc0,
  GET_DATA: 0xcb,
  VERIFY: 0x20,
  CHANGE_REFERENCE_DATA: 0x24,
  RESET_RETRY_COUNTER: 0x2c,
  MANAGE_SECURITY_ENVIRONMENT: 0x22,
  PERFORM_SECURITY_OPERATION: 0x2a,
  INTERNAL_AUTHENTICATE: 0x88,
} as const;

export const SW = {
  OK: 0x9000,
  EOF_BEFORE_LE: 0x6282,
  WRONG_LENGTH: 0x6700,
  CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURITY: 0x6982,
  BLOCKED: 0x6983,
  CONDITIONS: 0x6985,
  NO_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6a86,
  REF_NOT_FOUND: 0x6a88,
  OFFSET: 0x6b00,
  INS: 0x6d00,
  CLA: 0x6e00,
} as const;

/** 63Cx: a wrong secret, x tries left. */
export const triesLeftSw = (n: number) => 0x63c0 | (n & 0x0f);
/** 61xx: xx bytes wait for GET RESPONSE (00 = 256 or more). */
export const moreDataSw = (n: number) => 0x6100 | (n >= 256 ? 0 : n);

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Bytes;
  /** Expected length (1..256); undefined for cases 1 and 3. */
  le?: number;
  /** Logical channel, from the CLA's two low bits. */
  channel: number;
  /** CLA bit 0x10: more blocks of this command follow. */
  chained: boolean;
}

/** The four short cases: header; header Le; header Lc data; header Lc data Le. A malformed APDU is 6700. */
export function parseCommand(apdu: Bytes): CommandApdu | number {
  if (apdu.length < 4) return SW.WRONG_LENGTH;
  const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
  let data: Bytes = new Uint8Array(0);
  let le: number | undefined;
  if (apdu.length === 5) le = apdu[4] || 256;
  else if (apdu.length > 5) {
    const lc = apdu[4]!;
    if (apdu.length !== 5 + lc && apdu.length !== 6 + lc) return SW.WRONG_LENGTH;
    data = apdu.subarray(5, 5 + lc);
    if (apdu.length === 6 + lc) le = apdu[5 + lc] || 256;
  }
  if ((cla & 0xe0) !== 0) return SW.CLA;
  return { cla, ins, p1, p2, data, le, channel: cla & 0x03, chained: (cla & 0x10) !== 0 };
}

export const respond = (sw: number, data?: Bytes): Bytes =>
  cat(data ?? new Uint8Array(0), [sw >> 8, sw & 0xff]);
