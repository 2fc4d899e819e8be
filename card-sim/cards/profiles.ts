/**
 * One object per card model: what differs between a CPS3 (IAS-ECC, contact) and a CPS4 (NXP ChipDoc) — ATR,
 * applications and how they are selected, logical channels, key references, the files of the PKCS#15
 * application, and the security operations they offer. The card itself (./cps.ts) asks its profile.
 */
import { cat, unhex, type Bytes } from '../ber';
import { SW } from './apdu';
import { ACL, df, ef, type CardFile } from './files';
import { AID_IAS, AID_IAS_CL, aodf, cdf, efDir, LABEL, odf, prkdf, tokenInfo } from './pkcs15';
import { PIN_REF, PIN_STORED_LENGTH } from './secrets';

/** EF.ATR of a real CPS3, with its leading 80 (cps3-real-traces.md A1). */
export const EF_ATR_CPS3 = unhex(
  '80 43 01 B8 46 04 04 B0 EC C1 47 03 94 01 80 4F 08 80 25 00 00 01 FF 01 00 E0 10 02 02 01 04 02 02 01 04 02 02 01 00 02 02 01 00 78 08 06 06 2B 81 22 F8 78 02 82 02 90 00',
);
export const AID_MF = unhex('8025000001FF0100');
export const AID_CPS4_CHIPDOC = AID_MF;
export const AID_CPS4_CPS2TER = unhex('8025000001FF0002');
export const AID_ISD = unhex('A0000001510000');
const ISSUER = [0x80, 0x25, 0x00, 0x00, 0x01];

export interface CardIdentity {
  /** The 10-digit card number (the TokenInfo label's). */
  cardNumber: string;
  /** The chip serial in EF.SN.ICC after the issuer number. */
  chipSerial: string;
  authCert: Bytes;
  signCert: Bytes;
}

export interface SecurityKeys {
  /** The authentication key: INTERNAL AUTHENTICATE (CPS3) or raw RSA through decipher (CPS4). */
  auth: number;
  sign: number;
}

export interface CardProfile {
  readonly kind: 'cps3' | 'cps4';
  readonly atr: Bytes;
  readonly keys: SecurityKeys;
  /** The file tree, built from the holder's data. */
  files(id: CardIdentity): { mf: CardFile; application: CardFile };
  /** Whether a command may run on this logical channel now; a status word when not. */
  channelRule(channel: number, ins: number, isSelect: boolean, channelOpen: boolean): number | undefined;
  /**
   * SELECT by AID on `channel`: the DF to make current (with `fcp` when its FCP is to be returned), a bare
   * status word, or the refusal.
   */
  selectAid(
    aid: Bytes,
    p2: number,
    channel: number,
    tree: { mf: CardFile; application: CardFile },
  ): { dir?: CardFile; sw: number; opensChannel?: boolean; fcp?: boolean };
  /** INTERNAL AUTHENTICATE (the card pads) or only the raw RSA of a host-padded block through PSO DECIPHER. */
  readonly authentication: 'internal-authenticate' | 'raw-decipher';
  /** PSO DECIPHER data starts with the padding indicator 81. */
  readonly decipherIndicator: boolean;
  /** PSO CDS signs the hash computed by PSO HASH (CPS3) or the hash sent with it (CPS4). */
  readonly hashOnCard: boolean;
  /** GET DATA on the CHV, key and SE objects (IAS-ECC). */
  readonly sdoGetData: boolean;
  /** The MSE SET the card accepts: the environment it sets, or a status word. */
  mse(
    p1: number,
    p2: number,
    t: Map<number, Bytes>,
  ): { template: 'at' | 'dst' | 'ht' | 'ct'; alg?: number; key?: number } | number;
}

function bcd(digits: string): number[] {
  return [...unhex(digits.length % 2 ? `${digits}F` : digits)];
}

/** The Luhn check digit of a PAN (ISO 7812), as the real EF.SN.ICC carries it before its F. */
export function luhn(digits: string): number {
  let sum = 0;
  [...digits].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return (10 - (sum % 10)) % 10;
}

const u8 = (...b: number[]) => Uint8Array.from(b);

/** CPS3: IAS-ECC on the basic channel; files as traced on a real card where they were (A1, A2, A5). */
export const CPS3: CardProfile = {
  kind: 'cps3',
  atr: unhex('3BAC00402A001225006480000310009000'),
  keys: { auth: 0x82, sign: 0x81 },
  authentication: 'internal-authenticate',
  decipherIndicator: true,
  hashOnCard: true,
  sdoGetData: true,
  files(id) {
    // EF.SN.ICC: 5A 0A, the PAN: issuer 80 25 00 00 01, the 8-digit chip serial, its Luhn digit and F.
    const pan = `8025000001${id.chipSerial}`;
    const snIcc = cat([0x5a, 0x0a], ISSUER, bcd(id.chipSerial), [(luhn(pan) << 4) | 0x0f]);
    const keyId = (n: number) => cat(AID_IAS, [n]);
    const application = df(
      0x0001,
      [
        ef(
          0x5031,
          odf({ prkdf: unhex('3F0000017002'), cdf: unhex('3F0000017005'), aodf: unhex('3F0000017001') }),
        ),
        ef(
          0x5032,
          tokenInfo({
            serial: snIcc.subarray(4),
            label: `CPS3v3-${id.cardNumber}`,
            manufacturer: 'ASIP SANTE',
            lastUpdate: '20100316110000Z',
          }),
        ),
        ef(0x7001, aodf({ pinRef: PIN_REF, minLength: 4, storedLength: PIN_STORED_LENGTH, padChar: 0xff })),
        ef(
          0x7002,
          prkdf([
            {
              label: LABEL.SIGN_KEY,
              id: keyId(1),
              usage: [9],
              keyRef: 0x81,
              aid: AID_IAS,
              modulusBits: 2048,
            },
            {
              label: LABEL.AUTH_KEY,
              id: keyId(2),
              usage: [1, 2],
              keyRef: 0x82,
              aid: AID_IAS,
              modulusBits: 2048,
            },
          ]),
        ),
        ef(
          0x7005,
          cdf([
            { label: LABEL.AUTH_CERT, id: keyId(2), path: u8(0xc0, 0x01) },
            { label: LABEL.SIGN_CERT, id: keyId(1), path: u8(0xc0, 0x02) },
          ]),
        ),
        ef(0xc001, id.authCert),
        ef(0xc002, id.signCert),
        ef(0xd120, new TextEncoder().encode('SITUATION 01: OFFICINE TEST'), { pinProtected: true }),
      ],
      AID_IAS,
    );
    const mf = df(
      0x3f00,
      [
        ef(0x2f00, efDir(), { sfi: 0x1e, contactless: ACL.READ_ONLY }),
        ef(0x2f01, EF_ATR_CPS3, { sfi: 0x1d, contactless: ACL.READ_ONLY }),
        ef(0xd003, snIcc, { sfi: 0x1c, contact: ACL.READ_ONLY, contactless: ACL.READ_ONLY }),
        // No EF_ACTUA (D010) before the card's first update, as on the traced card.
        application,
        df(0x0002, [], AID_IAS_CL),
      ],
      AID_MF,
    );
    return { mf, application };
  },
  channelRule: (channel) => (channel === 0 ? undefined : SW.CHANNEL_NOT_SUPPORTED),
  selectAid(aid, p2, _channel, tree) {
    const same = (a: Bytes, b: Bytes) => a.length === b.length && a.every((x, i) => x === b[i]);
    // The MF by its AID answers a bare 9000 whatever P2 asks (A1, A4).
    if (same(aid, AID_MF)) return { dir: tree.mf, sw: SW.OK };
    const dir = [tree.application, ...tree.mf.children].find(
      (c) => c.kind === 'df' && c.aid && same(c.aid, aid),
    );
    if (!dir) return { sw: SW.NOT_FOUND };
    // The IAS applications refuse P2=00 (A4); the answer to P2=04 was never published: a bare 9000 here.
    if (p2 === 0x00) return { sw: SW.WRONG_P1P2 };
    return { dir, sw: SW.OK };
  },
  mse(p1, p2, t) {
    const alg = t.get(0x80)?.[0];
    const key = t.get(0x84)?.[0];
    if (p1 !== 0x41) return SW.WRONG_P1P2;
    if (p2 === 0xa4) return alg === 0x02 && key === 0x82 ? { template: 'at', alg, key } : SW.WRONG_DATA;
    if (p2 === 0xb6)
      return (alg === 0x12 || alg === 0x42) && key === 0x81 ? { template: 'dst', alg, key } : SW.WRONG_DATA;
    if (p2 === 0xaa) return alg === 0x10 || alg === 0x40 ? { template: 'ht', alg } : SW.WRONG_DATA;
    if (p2 === 0xb8) return alg === 0x1a && key === 0x82 ? { template: 'ct', alg, key } : SW.WRONG_DATA;
    return SW.WRONG_P1P2;
  },
};

/** CPS4: the ChipDoc applet on logical channel 1, as ANS's driver (card-cps4.c) expects it. No real trace. */
export const CPS4: CardProfile = {
  kind: 'cps4',
  atr: unhex('3B9B188001001225006480040100009044'),
  keys: { auth: 0x20, sign: 0x10 },
  authentication: 'raw-decipher',
  decipherIndicator: false,
  hashOnCard: false,
  sdoGetData: false,
  files(id) {
    const application = df(
      0x0001,
      [
        ef(0x5031, odf({ prkdf: u8(0x70, 0x02), cdf: u8(0x70, 0x05), aodf: u8(0x70, 0x01) })),
        ef(
          0x5032,
          tokenInfo({
            serial: unhex(id.cardNumber),
            label: `CPS4v1-${id.cardNumber}`,
            manufacturer: 'ASIP SANTE',
            lastUpdate: '20250301080000Z',
          }),
        ),
        ef(0x7001, aodf({ pinRef: PIN_REF, minLength: 4, storedLength: PIN_STORED_LENGTH, padChar: 0xff })),
        ef(
          0x7002,
          prkdf([
            { label: LABEL.AUTH_KEY, id: u8(0x20), usage: [1, 2], keyRef: 0x20, modulusBits: 2048 },
            { label: LABEL.SIGN_KEY, id: u8(0x10), usage: [9], keyRef: 0x10, modulusBits: 2048 },
          ]),
        ),
        ef(
          0x7005,
          cdf([
            { label: LABEL.AUTH_CERT, id: u8(0x20), path: u8(0xc0, 0x01) },
            { label: LABEL.SIGN_CERT, id: u8(0x10), path: u8(0xc0, 0x02) },
          ]),
        ),
        ef(0xc001, id.authCert),
        ef(0xc002, id.signCert),
        ef(0xd120, new TextEncoder().encode('SITUATION 01: OFFICINE TEST'), { pinProtected: true }),
      ],
      AID_CPS4_CHIPDOC,
    );
    // EF.SN.ICC is still 3F00/D003, 12 bytes, issuer prefix first (card-cps4.c); then the 10-digit card number.
    const mf = df(0x3f00, [
      ef(0xd003, cat([0x5a, 0x0a], ISSUER, bcd(id.cardNumber)), { sfi: 0x1c, contact: ACL.READ_ONLY }),
      application,
    ]);
    return { mf, application };
  },
  channelRule(channel, _ins, isSelect, channelOpen) {
    // Channel 0 keeps the ISD and CPS2ter selections of the reselect sequence; ChipDoc answers on channel 1,
    // opened by a SELECT there.
    if (channel === 0) return isSelect ? undefined : SW.CONDITIONS;
    if (channel === 1) return channelOpen || isSelect ? undefined : SW.CONDITIONS;
    return SW.CHANNEL_NOT_SUPPORTED;
  },
  selectAid(aid, p2, channel, tree) {
    const same = (a: Bytes, b: Bytes) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (same(aid, AID_ISD)) return { sw: SW.OK, opensChannel: channel === 1 };
    if (channel === 0 && same(aid, AID_CPS4_CPS2TER)) return { sw: SW.OK };
    if (channel === 1 && same(aid, AID_CPS4_CHIPDOC)) {
      if (p2 === 0x00) return { sw: SW.WRONG_P1P2 };
      return { dir: tree.application, sw: SW.OK, opensChannel: true, fcp: p2 === 0x04 };
    }
    return { sw: SW.NOT_FOUND };
  },
  mse(p1, p2, t) {
    if (p1 === 0x81 && p2 === 0xb6) {
      const a = t.get(0x91);
      return a && a.length === 2 ? { template: 'dst', alg: a[0]!, key: a[1]! & 0x7f } : SW.WRONG_DATA;
    }
    if (p1 === 0x41 && p2 === 0xb8)
      return t.get(0x83)?.[0] === 0x20 ? { template: 'ct', key: 0x20 } : SW.WRONG_DATA;
    return SW.WRONG_P1P2;
  },
};

export const PROFILES = { cps3: CPS3, cps4: CPS4 } as const;
