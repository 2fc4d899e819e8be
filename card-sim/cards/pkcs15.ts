/**
 * What the card stores in its IAS application: EF.DIR, and the PKCS#15 files (ISO 7816-15 / PKCS#15 v1.1)
 * ODF, TokenInfo, AODF, PrKDF, CDF. Structurally as the real CPS3 files were published decoded
 * (cps3-real-traces.md A5): « CPX IAS » / « CPX IAS CL » in EF.DIR, TokenInfo labelled CPS3v3-<card number> by
 * « ASIP SANTE » with the algorithm references 10/40/12/42/02/1A, the PIN « Code porteur de la carte CPX » in
 * AODF 7001, the keys CPS_PRIV_SIG (0x81) and CPS_PRIV_AUT (0x82) without algReference. Their raw bytes were
 * never published: the encodings below follow the ASN.1 of PKCS#15, plus the real card's non-DER flags.
 */
import {
  cat,
  derBool,
  derEnum,
  derGeneralizedTime,
  derInt,
  derNamedBits,
  derNull,
  derOctets,
  derOid,
  derSeq,
  derUtf8,
  nonDerEmptyBits,
  tlv,
  type Bytes,
} from '../ber';

export const AID_IAS = Uint8Array.from([
  0xe8, 0x28, 0xbd, 0x08, 0x0f, 0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x00, 0x10,
]);
export const AID_IAS_CL = Uint8Array.from([
  0xe8, 0x28, 0xbd, 0x08, 0x0f, 0x80, 0x25, 0x00, 0x00, 0x01, 0xff, 0x00, 0x20,
]);

export const LABEL = {
  PIN: 'Code porteur de la carte CPX',
  AUTH_KEY: 'CPS_PRIV_AUT',
  SIGN_KEY: 'CPS_PRIV_SIG',
  AUTH_CERT: "Certificat d'Authentification CPS",
  SIGN_CERT: 'Certificat de Signature CPS',
} as const;

/** PKCS#11 mechanism numbers (the `algorithm` of an AlgorithmInfo). */
const CKM = { RSA_PKCS: 0x01, SHA1_RSA_PKCS: 0x06, SHA256_RSA_PKCS: 0x40, SHA_1: 0x220, SHA256: 0x250 };
/** supportedOperations bits. */
const OP = { COMPUTE_SIGNATURE: 1, DECIPHER: 5, HASH: 6 };

/** EF.DIR: one application template (61) per IAS application, padded with 00 to the real file's 101 bytes. */
export function efDir(): Bytes {
  const app = (aid: Bytes, label: string) =>
    tlv(0x61, tlv(0x4f, aid), tlv(0x50, new TextEncoder().encode(label)), tlv(0x73, tlv(0x4f, AID_IAS)));
  const records = cat(app(AID_IAS, 'CPX IAS'), app(AID_IAS_CL, 'CPX IAS CL'));
  const out = new Uint8Array(101);
  out.set(records);
  return out;
}

/** Path ::= SEQUENCE { efidOrPath OCTET STRING, ..., aid [APPLICATION 15] OPTIONAL }. */
const path = (fidOrPath: Bytes | number[], aid?: Bytes) =>
  derSeq(derOctets(fidOrPath), ...(aid ? [tlv(0x4f, aid)] : []));

export interface OdfPaths {
  prkdf: Bytes;
  cdf: Bytes;
  aodf: Bytes;
}

/** ODF: privateKeys [0], certificates [4], authObjects [8], each by path. */
export const odf = (p: OdfPaths) =>
  cat(tlv(0xa0, path(p.prkdf)), tlv(0xa4, path(p.cdf)), tlv(0xa8, path(p.aodf)));

/** TokenInfo, with the supported algorithms the real card lists (A5). */
export function tokenInfo(o: {
  serial: Bytes;
  label: string;
  manufacturer: string;
  lastUpdate: string;
}): Bytes {
  const algo = (ref: number, mech: number, op: number, oid: string, algRef: number) =>
    derSeq(derInt(ref), derInt(mech), derNull(), derNamedBits(op), derOid(oid), derInt(algRef));
  return derSeq(
    derInt(0),
    derOctets(o.serial),
    derUtf8(o.manufacturer),
    tlv(0x80, new TextEncoder().encode(o.label)),
    derNamedBits(0, 1), // readonly, loginRequired
    tlv(
      0xa2,
      algo(1, CKM.SHA_1, OP.HASH, '1.3.14.3.2.26', 0x10),
      algo(2, CKM.SHA256, OP.HASH, '2.16.840.1.101.3.4.2.1', 0x40),
      algo(3, CKM.SHA1_RSA_PKCS, OP.COMPUTE_SIGNATURE, '1.2.840.113549.1.1.5', 0x12),
      algo(4, CKM.SHA256_RSA_PKCS, OP.COMPUTE_SIGNATURE, '1.2.840.113549.1.1.11', 0x42),
      algo(5, CKM.RSA_PKCS, OP.COMPUTE_SIGNATURE, '1.2.840.113549.1.1.1', 0x02),
      algo(6, CKM.RSA_PKCS, OP.DECIPHER, '1.2.840.113549.1.1.1', 0x1a),
    ),
    tlv(0xa5, derGeneralizedTime(o.lastUpdate)),
  );
}

/**
 * AODF: the cardholder PIN, reference 01, ASCII digits (4 to 8) stored on 8 bytes padded with FF. Its
 * CommonObjectAttributes carry the card's non-DER flags and the unblocking code's id (02) as authId, with an
 * access rule, as in the real card's opensc-explorer dump.
 */
export function aodf(o: { pinRef: number; minLength: number; storedLength: number; padChar: number }): Bytes {
  const accessRule = derSeq(derNamedBits(1), derOctets([0x02])); // update (change/unblock) under authId 02
  return derSeq(
    derSeq(derUtf8(LABEL.PIN), nonDerEmptyBits(), derOctets([0x02]), derSeq(accessRule)),
    derSeq(derOctets([0x01])),
    tlv(
      0xa1,
      derSeq(
        derNamedBits(1, 4, 5), // local, initialized, needs-padding
        derEnum(1), // ascii-numeric
        derInt(o.minLength),
        derInt(o.storedLength),
        derInt(o.storedLength),
        tlv(0x80, [o.pinRef]),
        derOctets([o.padChar]),
      ),
    ),
  );
}

export interface KeyEntry {
  label: string;
  id: Bytes;
  /** KeyUsageFlags bits: decrypt 1, sign 2, nonRepudiation 9. */
  usage: number[];
  keyRef: number;
  /** The application's AID: a CPS3 key "lives" in the DF, its path is the AID alone (`e828…0010::`). */
  aid?: Bytes;
  modulusBits: number;
}

/** PrKDF: privateRSAKey objects, with no algReference (the real card has none). */
export function prkdf(keys: KeyEntry[]): Bytes {
  return cat(
    ...keys.map((k) =>
      derSeq(
        derSeq(derUtf8(k.label), derNamedBits(0), derOctets([0x01])), // private, authId 01
        derSeq(
          derOctets(k.id),
          derNamedBits(...k.usage),
          derBool(true),
          derNamedBits(0, 2, 3),
          derInt(k.keyRef),
        ),
        tlv(0xa1, derSeq(path(new Uint8Array(0), k.aid), derInt(k.modulusBits))),
      ),
    ),
  );
}

export interface CertEntry {
  label: string;
  id: Bytes;
  /** The certificate EF, as a path the middleware selects. */
  path: Bytes;
}

/** CDF: x509Certificate objects, each pointing at its EF. */
export function cdf(certs: CertEntry[]): Bytes {
  return cat(
    ...certs.map((c) =>
      derSeq(
        derSeq(derUtf8(c.label), nonDerEmptyBits()),
        derSeq(derOctets(c.id)),
        tlv(0xa1, derSeq(path(c.path))),
      ),
    ),
  );
}
