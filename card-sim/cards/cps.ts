/**
 * A virtual CPS card (CPS3 IAS-ECC contact, or CPS4 ChipDoc), written from the card's side after
 * shared/reference/cps-card.md §1, §2, §7, §8. Real RSA-2048 keys, PIN 3 tries then blocked, PUK 8 digits with
 * its own counter. Everything here is the card's own reading of the spec; nothing is shared with card/.
 */
import { constants, createPrivateKey, privateDecrypt, privateEncrypt, X509Certificate, type KeyObject } from 'node:crypto';
import { cat, derBits, derInt, derOctets, derSeq, derUtf8, hex, readTlvs, same, tlv, unhex, type Bytes } from '../ber';
import type { VirtualCard } from './types';

export const CPS3_ATR = unhex('3BAC00402A001225006480000310009000');
export const CPS4_ATR = unhex('3B9B188001001225006480040100009044');
export const AID_CPS3_IAS = unhex('E828BD080F8025000001FF0010');
export const AID_CPS4_CHIPDOC = unhex('8025000001FF0100');
export const AID_CPS4_CPS2TER = unhex('8025000001FF0002');
export const AID_IDS = unhex('A0000001510000');
/** EF.ATR as the card stores it, with the spurious leading 80 byte (OpenSC #2220). */
const EF_ATR = unhex(
  '80 43 01 B8 46 04 04 B0 EC C1 47 03 94 01 80 4F 08 80 25 00 00 01 FF 01 00 E0 10 02 02 01 04 02 02 01 04 02 02 01 00 02 02 01 00 78 08 06 06 2B 81 22 F8 78 02 82 02 90 00',
);

const SW = {
  OK: 0x9000,
  EOF_BEFORE_LE: 0x6282,
  WRONG_LENGTH: 0x6700,
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

export interface CpsCardOptions {
  profile: 'cps3' | 'cps4';
  /** 10-digit card number (EF.SN.ICC after 80 25 00 00 01). */
  serial: string;
  authCertPem: string;
  authKeyPem: string;
  signCertPem?: string;
  signKeyPem?: string;
  pin?: string;
  puk?: string;
  pinTriesLeft?: number;
  /** Answer data with 61xx and wait for GET RESPONSE (T=0 style). */
  answer61?: boolean;
  /** Answer a READ BINARY whose Le overshoots the end of the file with 6Cxx (re-send with Le=xx). */
  answer6C?: boolean;
  /** How the card calls itself in logs and the CLI. */
  label?: string;
}

interface Node {
  fid: number;
  df: boolean;
  aid?: Bytes;
  data?: Bytes;
  pinProtected?: boolean;
  children: Node[];
  parent?: Node;
}

const ef = (fid: number, data: Bytes, pinProtected = false): Node => ({ fid, df: false, data, pinProtected, children: [] });
const df = (fid: number, children: Node[], aid?: Bytes): Node => {
  const n: Node = { fid, df: true, aid, children };
  for (const c of children) c.parent = n;
  return n;
};

const MAX_TRIES = 3;
const PIN_LEN = 8; // VERIFY data: the ASCII PIN padded with FF to 8 bytes.
const PIN_REF = 0x01;
const PUK_REF = 0x02;

function bcd(digits: string): number[] {
  const d = digits.length % 2 ? `${digits}F` : digits;
  return [...unhex(d)];
}

function padPin(pin: string): Bytes {
  const b = new Uint8Array(PIN_LEN).fill(0xff);
  b.set(new TextEncoder().encode(pin));
  return b;
}

export class VirtualCps implements VirtualCard {
  readonly name: string;
  readonly atr: Bytes;
  private readonly mf: Node;
  private readonly app: Node;
  private readonly authKey: KeyObject;
  private readonly signKey: KeyObject;
  private pin: Bytes;
  private readonly puk: Bytes;
  private pinTries: number;
  private pukTries = MAX_TRIES;
  // Volatile state, lost at reset.
  private curDf!: Node;
  private curEf: Node | undefined;
  private channel1Open = false;
  private pinVerified = false;
  private pukVerified = false;
  private se: { at?: { alg: number; key: number }; dst?: { alg: number; key: number }; ht?: number; ct?: { key: number } } = {};
  private hash: Bytes | undefined;
  private chain: { ins: number; data: Bytes } | undefined;
  private pending: Bytes | undefined;

  constructor(private readonly o: CpsCardOptions) {
    this.name = `${o.profile.toUpperCase()} ${o.label ?? new X509Certificate(o.authCertPem).subject.split('\n')[0]}`;
    this.atr = o.profile === 'cps3' ? CPS3_ATR : CPS4_ATR;
    this.authKey = createPrivateKey(o.authKeyPem);
    this.signKey = createPrivateKey(o.signKeyPem ?? o.authKeyPem);
    this.pin = padPin(o.pin ?? '1234');
    this.puk = new TextEncoder().encode(o.puk ?? '12345678');
    this.pinTries = o.pinTriesLeft ?? MAX_TRIES;
    const authDer = new X509Certificate(o.authCertPem).raw;
    const signDer = new X509Certificate(o.signCertPem ?? o.authCertPem).raw;
    const cps3 = o.profile === 'cps3';
    // PKCS#15 paths: CPx keeps 3F00 in full paths; on CPS4 they are relative to the ChipDoc application.
    const path = (fid: number) => derSeq(derOctets(cps3 ? unhex(`3F000001${fid.toString(16).padStart(4, '0')}`) : [fid >> 8, fid & 0xff] as unknown as Bytes));
    const certObj = (label: string, id: number, fid: number) =>
      derSeq(derSeq(derUtf8(label)), derSeq(derOctets(new Uint8Array([id]))), tlv(0xa1, derSeq(path(fid))));
    const cdf = cat(
      certObj("Certificat d'Authentification CPS", cps3 ? 0x02 : 0x20, 0xc001),
      certObj('Certificat de Signature CPS', cps3 ? 0x01 : 0x10, 0xc002),
    );
    // PKCS#15 (ISO 7816-15) directory: PrKDF (A0), CDF (A4), AODF (A8). The AODF says how the PIN is carried:
    // ASCII digits, 4 to 8, stored on 8 bytes padded with FF, reference 01 (cps-card.md §2.2 leaves it open).
    const modulusBits = 2048;
    const prkObj = (label: string, id: number, usageBits: number, keyRef: number) =>
      derSeq(
        derSeq(derUtf8(label), derBits(0x80), derOctets(new Uint8Array([0x01]))),
        derSeq(derOctets(new Uint8Array([id])), derBits(usageBits), tlv(0x02, [keyRef])),
        tlv(0xa1, derSeq(derSeq(derOctets(new Uint8Array(0))), tlv(0x02, [modulusBits >> 8, modulusBits & 0xff]))),
      );
    const prkdf = cat(
      prkObj('CPS_PRIV_AUT', cps3 ? 0x02 : 0x20, 0x26, cps3 ? 0x82 : 0x20),
      prkObj('CPS_PRIV_SIG', cps3 ? 0x01 : 0x10, 0x02, cps3 ? 0x81 : 0x10),
    );
    const aodf = derSeq(
      derSeq(derUtf8('Code porteur'), derBits(0xc0)),
      derSeq(derOctets(new Uint8Array([0x01]))),
      tlv(
        0xa1,
        derSeq(derBits(0x0c), tlv(0x0a, [0x01]), derInt(4), derInt(8), tlv(0x80, [PIN_REF]), tlv(0x04, [0xff]), derInt(8)),
      ),
    );
    const odf = cat(tlv(0xa0, path(0x4401)), tlv(0xa4, path(0x4404)), tlv(0xa8, path(0x4408)));
    const tokenInfo = derSeq(tlv(0x02, [0]), derOctets(new TextEncoder().encode(o.serial)), derUtf8(cps3 ? 'IAS ECC' : 'ChipDoc'));
    const appFiles = [
      ef(0x5031, odf),
      ef(0x5032, tokenInfo),
      ef(0x4401, prkdf),
      ef(0x4408, aodf),
      ef(0x4404, cdf),
      ef(0xc001, new Uint8Array(authDer)),
      ef(0xc002, new Uint8Array(signDer)),
      ef(0x7001, unhex('01')),
      ef(0xd120, new TextEncoder().encode('SITUATION 01: OFFICINE TEST'), true),
    ];
    this.app = df(0x0001, appFiles, cps3 ? AID_CPS3_IAS : AID_CPS4_CHIPDOC);
    const dir = tlv(0x61, tlv(0x4f, AID_CPS3_IAS), tlv(0x50, new TextEncoder().encode('CPS3 IAS')));
    this.mf = df(0x3f00, [
      ef(0x2f00, dir),
      ef(0x2f01, EF_ATR),
      ef(0xd003, cat([0x5a, 0x0a, 0x80, 0x25, 0x00, 0x00, 0x01], bcd(o.serial.padStart(10, '0').slice(-10)))),
      // EF_ACTUA: the card's last update window, BCD YYYYMMDDhhmmss.
      ef(0xd010, tlv(0xec, tlv(0x81, bcd('20260101080000')), tlv(0x82, bcd('20290101080000')))),
      this.app,
    ]);
    this.reset();
  }

  reset(): void {
    this.curDf = this.mf;
    this.curEf = undefined;
    this.channel1Open = false;
    this.pinVerified = false;
    this.pukVerified = false;
    this.se = {};
    this.hash = undefined;
    this.chain = undefined;
    this.pending = undefined;
  }

  /** For tests and the CLI: the PIN tries left, as stored. */
  get triesLeft() {
    return this.pinTries;
  }

  process(apdu: Bytes): Bytes {
    try {
      return this.dispatch(apdu);
    } catch {
      return this.sw(SW.WRONG_LENGTH);
    }
  }

  private sw(sw: number, data?: Bytes): Bytes {
    return cat(data ?? new Uint8Array(0), [sw >> 8, sw & 0xff]);
  }

  /** Sends data, or 61xx and keeps it for GET RESPONSE when asked to behave like a T=0 card. */
  private out(data: Bytes, sw: number = SW.OK): Bytes {
    if (this.o.answer61 && data.length > 0 && sw === SW.OK) {
      this.pending = data;
      return this.sw(0x6100 | (data.length >= 256 ? 0 : data.length));
    }
    return this.sw(sw, data);
  }

  private dispatch(apdu: Bytes): Bytes {
    if (apdu.length < 4) return this.sw(SW.WRONG_LENGTH);
    const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
    // Short APDU cases: 1 (header), 2 (Le), 3 (Lc data), 4 (Lc data Le).
    let data: Bytes = new Uint8Array(0);
    let le: number | undefined;
    if (apdu.length === 5) le = apdu[4] === 0 ? 256 : apdu[4];
    else if (apdu.length > 5) {
      const lc = apdu[4]!;
      if (apdu.length === 5 + lc) data = apdu.subarray(5, 5 + lc);
      else if (apdu.length === 6 + lc) {
        data = apdu.subarray(5, 5 + lc);
        le = apdu[5 + lc] === 0 ? 256 : apdu[5 + lc];
      } else return this.sw(SW.WRONG_LENGTH);
    }
    if ((cla & 0xe0) !== 0) return this.sw(SW.CLA);
    const channel = cla & 0x03;
    const chaining = (cla & 0x10) !== 0;
    if (ins === 0xc0) return this.getResponse(le ?? 256);
    this.pending = undefined;
    if (this.o.profile === 'cps3' && channel !== 0) return this.sw(0x6881);
    if (this.o.profile === 'cps4' && ins !== 0xa4 && channel === 0 && ins !== 0xb0) return this.sw(SW.CONDITIONS);
    if (this.o.profile === 'cps4' && channel === 1 && !this.channel1Open && !(ins === 0xa4 && p1 === 0x04))
      return this.sw(SW.CONDITIONS);
    if (chaining) {
      if (this.chain && this.chain.ins !== ins) this.chain = undefined;
      this.chain = { ins, data: cat(this.chain?.data ?? new Uint8Array(0), data) };
      return this.sw(SW.OK);
    }
    if (this.chain) {
      if (this.chain.ins === ins) data = cat(this.chain.data, data);
      this.chain = undefined;
    }
    switch (ins) {
      case 0xa4:
        return this.select(channel, p1, p2, data);
      case 0xb0:
        return this.readBinary(((p1 & 0x7f) << 8) | p2, le ?? 256);
      case 0xcb:
        return this.getData(p1, p2, data);
      case 0x20:
        return this.verify(p2, data);
      case 0x2c:
        return this.resetRetryCounter(p1, p2, data);
      case 0x24:
        return this.changeReferenceData(p1, p2, data);
      case 0x22:
        return this.mse(p1, p2, data);
      case 0x88:
        return this.internalAuthenticate(data);
      case 0x2a:
        return this.pso(p1, p2, data);
      default:
        return this.sw(SW.INS);
    }
  }

  private getResponse(le: number): Bytes {
    if (!this.pending) return this.sw(SW.CONDITIONS);
    const n = Math.min(le, this.pending.length);
    const chunk = this.pending.subarray(0, n);
    const rest = this.pending.subarray(n);
    this.pending = rest.length ? rest : undefined;
    return this.sw(rest.length ? 0x6100 | (rest.length >= 256 ? 0 : rest.length) : SW.OK, chunk);
  }

  private fcp(n: Node): Bytes {
    const size = n.data?.length ?? 0;
    return tlv(0x62, tlv(0x80, [size >> 8, size & 0xff]), tlv(0x82, [n.df ? 0x38 : 0x01]), tlv(0x83, [n.fid >> 8, n.fid & 0xff]));
  }

  private select(channel: number, p1: number, p2: number, data: Bytes): Bytes {
    if (p2 !== 0x04 && p2 !== 0x0c && p2 !== 0x00) return this.sw(SW.WRONG_P1P2);
    let target: Node | undefined;
    if (p1 === 0x04) {
      // By AID. The CPx application answers P2=00 with 6A86: it must be selected with 0C (or 04).
      if (this.o.profile === 'cps4') {
        if (channel === 0 && (same(data, AID_IDS) || same(data, AID_CPS4_CPS2TER))) return this.sw(SW.OK);
        if (channel === 1 && same(data, AID_CPS4_CHIPDOC)) {
          if (p2 === 0x00) return this.sw(SW.WRONG_P1P2);
          this.channel1Open = true;
          this.curDf = this.app;
          this.curEf = undefined;
          return p2 === 0x04 ? this.sw(SW.OK, this.fcp(this.app)) : this.sw(SW.OK);
        }
        return this.sw(SW.NOT_FOUND);
      }
      if (!same(data, AID_CPS3_IAS)) return this.sw(SW.NOT_FOUND);
      if (p2 === 0x00) return this.sw(SW.WRONG_P1P2);
      target = this.app;
    } else if (p1 === 0x09 || p1 === 0x08) {
      // Path from the MF. CPx wants the path to include 3F00: without it the file is "not found".
      if (data.length < 2 || data.length % 2) return this.sw(SW.WRONG_LENGTH);
      const fids = [];
      for (let i = 0; i < data.length; i += 2) fids.push((data[i]! << 8) | data[i + 1]!);
      if (fids[0] !== 0x3f00) return this.sw(SW.NOT_FOUND);
      let n: Node | undefined = this.mf;
      for (const f of fids.slice(1)) n = n?.children.find((c) => c.fid === f);
      target = n;
    } else if (p1 === 0x00 || p1 === 0x02) {
      if (data.length === 0 && p1 === 0x00) target = this.mf;
      else if (data.length !== 2) return this.sw(SW.WRONG_LENGTH);
      else {
        const fid = (data[0]! << 8) | data[1]!;
        if (fid === 0x3f00) target = this.mf;
        else target = this.curDf.children.find((c) => c.fid === fid);
        if (!target && p1 === 0x00) target = this.curDf.parent?.children.find((c) => c.fid === fid);
      }
    } else return this.sw(SW.WRONG_P1P2);
    if (!target) return this.sw(SW.NOT_FOUND);
    if (target.df) {
      this.curDf = target;
      this.curEf = undefined;
    } else {
      this.curDf = target.parent!;
      this.curEf = target;
    }
    if (p2 === 0x0c) return this.sw(SW.OK);
    return this.sw(SW.OK, this.fcp(target));
  }

  private readBinary(offset: number, le: number): Bytes {
    const f = this.curEf;
    if (!f?.data) return this.sw(SW.NO_EF);
    if (f.pinProtected && !this.pinVerified) return this.sw(SW.SECURITY);
    if (offset > f.data.length) return this.sw(SW.OFFSET);
    const available = f.data.length - offset;
    if (le > available && this.o.answer6C && available > 0 && available < 256) return this.sw(0x6c00 | available);
    const chunk = f.data.subarray(offset, offset + Math.min(le, available));
    return this.out(chunk, le > available ? SW.EOF_BEFORE_LE : SW.OK);
  }

  private counterTemplate(ref: number): Bytes {
    const tries = ref === PIN_REF ? this.pinTries : this.pukTries;
    return tlv(0x70, tlv(0xbf8100 | ref, tlv(0xa0, tlv(0x9a, [MAX_TRIES]), tlv(0x9b, [tries]), tlv(0x9d, [tries > 0 ? 1 : 0]))));
  }

  private getData(p1: number, p2: number, data: Bytes): Bytes {
    if (p1 !== 0x3f || p2 !== 0xff) return this.sw(SW.WRONG_P1P2);
    // 4D 08 70 06 BF 81 <ref> 02 A0 80: the CHV SDO lives at 3F00; from another DF the card answers 6A88.
    const m = /^4D08 7006 BF81([0-9A-F]{2}) 02A080$/.exec(hex(data).replace(/^(.{4})(.{4})(.{6})(.{6})$/, '$1 $2 $3 $4'));
    if (!m) return this.sw(SW.WRONG_DATA);
    const ref = parseInt(m[1]!, 16);
    if (this.curDf !== this.mf) return this.sw(SW.REF_NOT_FOUND);
    if (ref !== PIN_REF && ref !== PUK_REF) return this.sw(SW.REF_NOT_FOUND);
    return this.out(this.counterTemplate(ref));
  }

  private verify(ref: number, data: Bytes): Bytes {
    if (ref === PUK_REF) {
      if (this.pukTries === 0) return this.sw(SW.BLOCKED);
      if (data.length === 0) return this.sw(this.pukVerified ? SW.OK : 0x63c0 | this.pukTries);
      if (data.length !== 8) return this.sw(SW.WRONG_LENGTH);
      if (!same(data, this.puk)) {
        this.pukTries--;
        return this.sw(this.pukTries === 0 ? SW.BLOCKED : 0x63c0 | this.pukTries);
      }
      this.pukTries = MAX_TRIES;
      this.pukVerified = true;
      return this.sw(SW.OK);
    }
    if (ref !== PIN_REF && ref !== 0x81) return this.sw(SW.REF_NOT_FOUND);
    if (this.pinTries === 0) return this.sw(SW.BLOCKED);
    if (data.length === 0) return this.sw(this.pinVerified ? SW.OK : 0x63c0 | this.pinTries);
    if (data.length !== PIN_LEN) return this.sw(SW.WRONG_LENGTH);
    if (!same(data, this.pin)) {
      this.pinTries--;
      this.pinVerified = false;
      return this.sw(0x63c0 | this.pinTries);
    }
    this.pinTries = MAX_TRIES;
    this.pinVerified = true;
    return this.sw(SW.OK);
  }

  private validNewPin(b: Bytes) {
    if (b.length !== PIN_LEN) return false;
    const s = Buffer.from(b).toString('latin1').replace(/\xff+$/, '');
    return /^\d{4,8}$/.test(s);
  }

  private resetRetryCounter(p1: number, ref: number, data: Bytes): Bytes {
    if (ref !== PIN_REF) return this.sw(SW.REF_NOT_FOUND);
    if (p1 === 0x00) {
      // PUK ‖ new PIN.
      if (this.pukTries === 0) return this.sw(SW.BLOCKED);
      if (data.length !== 8 + PIN_LEN) return this.sw(SW.WRONG_LENGTH);
      if (!same(data.subarray(0, 8), this.puk)) {
        this.pukTries--;
        return this.sw(this.pukTries === 0 ? SW.BLOCKED : 0x63c0 | this.pukTries);
      }
      const np = data.subarray(8);
      if (!this.validNewPin(np)) return this.sw(SW.WRONG_DATA);
      this.pukTries = MAX_TRIES;
      this.pin = new Uint8Array(np);
      this.pinTries = MAX_TRIES;
      this.pinVerified = false;
      return this.sw(SW.OK);
    }
    if (p1 === 0x03) {
      // Case 1, after the PUK was verified (CPS4): counter back to max, a new PIN must be set next.
      if (!this.pukVerified) return this.sw(SW.SECURITY);
      this.pinTries = MAX_TRIES;
      return this.sw(SW.OK);
    }
    return this.sw(SW.WRONG_P1P2);
  }

  private changeReferenceData(p1: number, ref: number, data: Bytes): Bytes {
    if (ref !== PIN_REF) return this.sw(SW.REF_NOT_FOUND);
    if (p1 === 0x01) {
      // New PIN only, allowed right after a PUK verification.
      if (!this.pukVerified) return this.sw(SW.SECURITY);
      if (!this.validNewPin(data)) return this.sw(SW.WRONG_DATA);
      this.pin = new Uint8Array(data);
      this.pinTries = MAX_TRIES;
      this.pukVerified = false;
      return this.sw(SW.OK);
    }
    if (p1 === 0x00) {
      if (this.pinTries === 0) return this.sw(SW.BLOCKED);
      if (data.length !== 2 * PIN_LEN) return this.sw(SW.WRONG_LENGTH);
      if (!same(data.subarray(0, PIN_LEN), this.pin)) {
        this.pinTries--;
        return this.sw(0x63c0 | this.pinTries);
      }
      if (!this.validNewPin(data.subarray(PIN_LEN))) return this.sw(SW.WRONG_DATA);
      this.pin = new Uint8Array(data.subarray(PIN_LEN));
      this.pinTries = MAX_TRIES;
      return this.sw(SW.OK);
    }
    return this.sw(SW.WRONG_P1P2);
  }

  private mse(p1: number, p2: number, data: Bytes): Bytes {
    let t: Map<number, Bytes>;
    try {
      t = readTlvs(data);
    } catch {
      return this.sw(SW.WRONG_DATA);
    }
    const alg = t.get(0x80)?.[0];
    const key = (t.get(0x84) ?? t.get(0x83))?.[0];
    const cps3 = this.o.profile === 'cps3';
    if (cps3 && p1 === 0x41 && p2 === 0xa4) {
      if (alg !== 0x02 || key !== 0x82) return this.sw(SW.WRONG_DATA);
      this.se.at = { alg, key };
      return this.sw(SW.OK);
    }
    if (cps3 && p1 === 0x41 && p2 === 0xb6) {
      if ((alg !== 0x12 && alg !== 0x42) || key !== 0x81) return this.sw(SW.WRONG_DATA);
      this.se.dst = { alg, key };
      return this.sw(SW.OK);
    }
    if (cps3 && p1 === 0x41 && p2 === 0xaa) {
      if (alg !== 0x10 && alg !== 0x40) return this.sw(SW.WRONG_DATA);
      this.se.ht = alg;
      return this.sw(SW.OK);
    }
    if (p1 === 0x41 && p2 === 0xb8) {
      // Confidentiality template: CPS3 decipher (80 01 1A, key 82) or CPS4 raw RSA with key id 20 (83 01 20).
      if (cps3 ? key !== 0x82 : key !== 0x20) return this.sw(SW.WRONG_DATA);
      this.se.ct = { key: key! };
      return this.sw(SW.OK);
    }
    if (!cps3 && p1 === 0x81 && p2 === 0xb6) {
      const a = t.get(0x91);
      if (!a || a.length !== 2) return this.sw(SW.WRONG_DATA);
      this.se.dst = { alg: a[0]!, key: a[1]! };
      return this.sw(SW.OK);
    }
    return this.sw(SW.WRONG_P1P2);
  }

  private internalAuthenticate(data: Bytes): Bytes {
    if (this.o.profile !== 'cps3') return this.sw(SW.INS);
    if (!this.pinVerified) return this.sw(SW.SECURITY);
    if (!this.se.at) return this.sw(SW.CONDITIONS);
    // At most 40 % of the modulus (2048 bits → 102 bytes); the card pads (PKCS#1 v1.5 type 1) and signs.
    if (data.length === 0 || data.length > 102) return this.sw(SW.WRONG_LENGTH);
    const sig = privateEncrypt({ key: this.authKey, padding: constants.RSA_PKCS1_PADDING }, data);
    return this.out(new Uint8Array(sig));
  }

  private pso(p1: number, p2: number, data: Bytes): Bytes {
    if (p1 === 0x90 && p2 === 0xa0) {
      // PSO HASH. This card accepts the final hash from the host (tag 90 with the whole digest).
      const t = readTlvs(data);
      const h = t.get(0x90);
      const want = this.se.ht === 0x10 ? 20 : 32;
      if (!h || h.length !== want) return this.sw(SW.WRONG_DATA);
      this.hash = new Uint8Array(h);
      return this.sw(SW.OK);
    }
    if (p1 === 0x9e && p2 === 0x9a) {
      if (!this.pinVerified) return this.sw(SW.SECURITY);
      if (!this.se.dst) return this.sw(SW.CONDITIONS);
      let digest: Bytes | undefined = this.hash;
      if (this.o.profile === 'cps4') digest = data.length ? data : undefined;
      if (!digest) return this.sw(SW.CONDITIONS);
      const sha256 = digest.length === 32;
      const prefix = sha256 ? unhex('3031300d060960864801650304020105000420') : unhex('3021300906052b0e03021a05000414');
      const sig = privateEncrypt({ key: this.signKey, padding: constants.RSA_PKCS1_PADDING }, cat(prefix, digest));
      this.hash = undefined;
      return this.out(new Uint8Array(sig));
    }
    if (p1 === 0x80 && p2 === 0x86) {
      if (!this.pinVerified) return this.sw(SW.SECURITY);
      if (!this.se.ct) return this.sw(SW.CONDITIONS);
      if (this.o.profile === 'cps3') {
        // 81 padding indicator, then the cryptogram.
        if (data[0] !== 0x81 || data.length !== 257) return this.sw(SW.WRONG_DATA);
        try {
          return this.out(new Uint8Array(privateDecrypt({ key: this.authKey, padding: constants.RSA_PKCS1_PADDING }, data.subarray(1))));
        } catch {
          return this.sw(SW.WRONG_DATA);
        }
      }
      // CPS4: a raw RSA private-key operation on the block the host built (authentication or decipher).
      if (data.length !== 256) return this.sw(SW.WRONG_LENGTH);
      try {
        return this.out(new Uint8Array(privateDecrypt({ key: this.authKey, padding: constants.RSA_NO_PADDING }, data)));
      } catch {
        return this.sw(SW.WRONG_DATA);
      }
    }
    return this.sw(SW.WRONG_P1P2);
  }
}
