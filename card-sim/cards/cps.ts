/**
 * A virtual CPS card (CPS3 IAS-ECC contact, or CPS4 ChipDoc), written from the card's side after
 * shared/reference/cps-card.md and, where a real card was traced, byte for byte after
 * shared/reference/cps3-real-traces.md: T=0 answers (61xx, GET RESPONSE) to every command that returns data
 * except READ BINARY, the IAS-ECC FCPs, EF.ATR, EF.SN.ICC, the CHV DOCPs, SE GET DATA only from the MF, and
 * the SELECT P2 rules. Real RSA-2048 keys. Nothing here is shared with card/.
 *
 * The parts: ./apdu.ts reads commands, ./files.ts is the file tree and its FCPs, ./pkcs15.ts the PKCS#15
 * content, ./secrets.ts the PIN and unblocking code, ./profiles.ts what differs between a CPS3 and a CPS4.
 */
import {
  constants,
  createPrivateKey,
  privateDecrypt,
  privateEncrypt,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { cat, readTlvs, tlv, unhex, type Bytes } from '../ber';
import { INS, moreDataSw, parseCommand, respond, SW, type CommandApdu } from './apdu';
import { childByFid, childBySfi, fcp, walk, type CardFile } from './files';
import { PROFILES, type CardProfile } from './profiles';
import {
  makeSecrets,
  padPin,
  PIN_REF,
  PIN_STORED_LENGTH,
  PUK_REF,
  validNewPin,
  type Secret,
} from './secrets';
import { finishHash, INITIAL_STATE } from './sha';
import type { VirtualCard } from './types';

export { AID_CPS4_CHIPDOC, AID_CPS4_CPS2TER, AID_ISD, AID_MF, EF_ATR_CPS3 } from './profiles';
export { AID_IAS as AID_CPS3_IAS } from './pkcs15';
export const CPS3_ATR = PROFILES.cps3.atr;
export const CPS4_ATR = PROFILES.cps4.atr;

export interface CpsCardOptions {
  profile: 'cps3' | 'cps4';
  /** 10-digit card number (the TokenInfo label's; EF.SN.ICC's on a CPS4). */
  serial: string;
  /** 8-digit chip serial written in a CPS3's EF.SN.ICC; by default from the card number. */
  chipSerial?: string;
  authCertPem: string;
  authKeyPem: string;
  signCertPem?: string;
  signKeyPem?: string;
  pin?: string;
  puk?: string;
  pinTriesLeft?: number;
  /** Also answer READ BINARY through 61xx + GET RESPONSE (a T=0 reader that leaves the card's 61xx to the host). */
  answer61?: boolean;
  /** Answer a READ BINARY whose Le overshoots the end of the file with 6Cxx (re-send with Le=xx). */
  answer6C?: boolean;
  /** How the card calls itself in logs and the CLI. */
  label?: string;
}

const DIGEST_INFO = {
  sha1: unhex('3021300906052b0e03021a05000414'),
  sha256: unhex('3031300d060960864801650304020105000420'),
};
/** GET DATA header lists: SDO class (with its 0x80 bit), reference, and the template asked. */
const SDO = { CHV: 0x81, RSA_PRIVATE: 0x90, SE: 0xfb } as const;

interface SecurityEnvironment {
  at?: { key: number };
  dst?: { alg: number; key: number };
  ht?: 'sha1' | 'sha256';
  ct?: { key: number };
}

export class VirtualCps implements VirtualCard {
  readonly name: string;
  readonly atr: Bytes;
  private readonly profile: CardProfile;
  private readonly tree: { mf: CardFile; application: CardFile };
  private readonly authKey: KeyObject;
  private readonly signKey: KeyObject;
  private readonly pin: Secret;
  private readonly puk: Secret;
  // Volatile state, lost at reset.
  private currentDf!: CardFile;
  private currentEf: CardFile | undefined;
  private channel1Open = false;
  private pinVerified = false;
  private pukVerified = false;
  private se: SecurityEnvironment = {};
  private hash: Bytes | undefined;
  private chain: { ins: number; data: Bytes } | undefined;
  private pending: Bytes | undefined;

  constructor(private readonly o: CpsCardOptions) {
    this.profile = PROFILES[o.profile];
    this.name = `${o.profile.toUpperCase()} ${o.label ?? new X509Certificate(o.authCertPem).subject.split('\n')[0]}`;
    this.atr = this.profile.atr;
    this.authKey = createPrivateKey(o.authKeyPem);
    this.signKey = createPrivateKey(o.signKeyPem ?? o.authKeyPem);
    ({ pin: this.pin, puk: this.puk } = makeSecrets({
      pin: o.pin ?? '1234',
      puk: o.puk ?? '12345678',
      pinTriesLeft: o.pinTriesLeft,
    }));
    const cardNumber = o.serial.padStart(10, '0').slice(-10);
    this.tree = this.profile.files({
      cardNumber,
      chipSerial: o.chipSerial ?? `99${cardNumber.slice(-6)}`,
      authCert: new Uint8Array(new X509Certificate(o.authCertPem).raw),
      signCert: new Uint8Array(new X509Certificate(o.signCertPem ?? o.authCertPem).raw),
    });
    this.reset();
  }

  reset(): void {
    this.currentDf = this.tree.mf;
    this.currentEf = undefined;
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
    return this.pin.triesLeft;
  }

  process(apdu: Bytes): Bytes {
    try {
      return this.dispatch(apdu);
    } catch {
      return respond(SW.WRONG_LENGTH);
    }
  }

  /** Data from a command that carries data (case 4): over T=0 the card says 61xx and waits for GET RESPONSE. */
  private t0(data: Bytes): Bytes {
    if (data.length === 0) return respond(SW.OK);
    this.pending = data;
    return respond(moreDataSw(data.length));
  }

  private dispatch(apdu: Bytes): Bytes {
    const cmd = parseCommand(apdu);
    if (typeof cmd === 'number') return respond(cmd);
    if (cmd.ins === INS.GET_RESPONSE) return this.getResponse(cmd.le ?? 256);
    this.pending = undefined;
    const refused = this.profile.channelRule(cmd.channel, cmd.ins, cmd.ins === INS.SELECT, this.channel1Open);
    if (refused !== undefined) return respond(refused);
    if (cmd.chained) {
      const before = this.chain?.ins === cmd.ins ? this.chain.data : new Uint8Array(0);
      this.chain = { ins: cmd.ins, data: cat(before, cmd.data) };
      return respond(SW.OK);
    }
    if (this.chain) {
      if (this.chain.ins === cmd.ins) cmd.data = cat(this.chain.data, cmd.data);
      this.chain = undefined;
    }
    switch (cmd.ins) {
      case INS.SELECT:
        return this.select(cmd);
      case INS.READ_BINARY:
        return this.readBinary(cmd);
      case INS.GET_DATA:
        return this.getData(cmd);
      case INS.VERIFY:
        return this.verify(cmd);
      case INS.RESET_RETRY_COUNTER:
        return this.resetRetryCounter(cmd);
      case INS.CHANGE_REFERENCE_DATA:
        return this.changeReferenceData(cmd);
      case INS.MANAGE_SECURITY_ENVIRONMENT:
        return this.manageSecurityEnvironment(cmd);
      case INS.INTERNAL_AUTHENTICATE:
        return this.internalAuthenticate(cmd);
      case INS.PERFORM_SECURITY_OPERATION:
        return this.performSecurityOperation(cmd);
      default:
        return respond(SW.INS);
    }
  }

  private getResponse(le: number): Bytes {
    if (!this.pending) return respond(SW.CONDITIONS);
    const n = Math.min(le, this.pending.length);
    const chunk = this.pending.subarray(0, n);
    const rest = this.pending.subarray(n);
    this.pending = rest.length ? rest : undefined;
    return respond(rest.length ? moreDataSw(rest.length) : SW.OK, chunk);
  }

  // ---- files

  /**
   * SELECT. P1: 00 FID (or the MF), 02 EF under the current DF, 04 DF name, 08 path from the MF, 09 path from
   * the current DF (from the MF when it starts with 3F00). P2: 04 FCP, 0C nothing; 00 (FCI) is refused on IAS
   * applications and FIDs (6A86, A4). The MF answers a bare 9000 even to P2=04 (A3).
   */
  private select(cmd: CommandApdu): Bytes {
    const { p1, p2, data } = cmd;
    if (p2 !== 0x04 && p2 !== 0x0c && !(p2 === 0x00 && p1 === 0x04)) return respond(SW.WRONG_P1P2);
    let target: CardFile | undefined;
    let withFcp = p2 === 0x04;
    if (p1 === 0x04) {
      const r = this.profile.selectAid(data, p2, cmd.channel, this.tree);
      if (r.opensChannel) this.channel1Open = true;
      if (r.sw !== SW.OK || !r.dir) return respond(r.sw);
      target = r.dir;
      withFcp = r.fcp ?? false;
    } else {
      if (data.length % 2) return respond(SW.WRONG_LENGTH);
      const fids: number[] = [];
      for (let i = 0; i < data.length; i += 2) fids.push((data[i]! << 8) | data[i + 1]!);
      if (p1 === 0x00) target = fids.length === 0 || fids[0] === 0x3f00 ? this.tree.mf : this.byFid(fids[0]!);
      else if (p1 === 0x02) target = fids.length === 1 ? childByFid(this.currentDf, fids[0]!) : undefined;
      else if (p1 === 0x08) target = walk(this.tree.mf, fids);
      else if (p1 === 0x09)
        target = fids[0] === 0x3f00 ? walk(this.tree.mf, fids.slice(1)) : walk(this.currentDf, fids);
      else return respond(SW.WRONG_P1P2);
      if (fids.length === 0 && p1 !== 0x00) return respond(SW.WRONG_LENGTH);
    }
    if (!target) return respond(SW.NOT_FOUND);
    this.makeCurrent(target);
    if (!withFcp || target === this.tree.mf) return respond(SW.OK);
    return this.t0(fcp(target));
  }

  /** P1=00: a child of the current DF, or the current DF's parent's child (a sibling DF). */
  private byFid(fid: number) {
    return (
      childByFid(this.currentDf, fid) ?? (this.currentDf.parent && childByFid(this.currentDf.parent, fid))
    );
  }

  private makeCurrent(f: CardFile) {
    if (f.kind === 'df') {
      this.currentDf = f;
      this.currentEf = undefined;
    } else {
      this.currentDf = f.parent!;
      this.currentEf = f;
    }
  }

  /** READ BINARY (case 2): data and 9000 straight away (A1, A2); P1 bit 80 reads by SFI. */
  private readBinary(cmd: CommandApdu): Bytes {
    let offset = ((cmd.p1 & 0x7f) << 8) | cmd.p2;
    if (cmd.p1 & 0x80) {
      const f = childBySfi(this.currentDf, cmd.p1 & 0x1f) ?? childBySfi(this.tree.mf, cmd.p1 & 0x1f);
      if (!f) return respond(SW.NOT_FOUND);
      this.makeCurrent(f);
      offset = cmd.p2;
    }
    const le = cmd.le ?? 256;
    const f = this.currentEf;
    if (!f?.data) return respond(SW.NO_EF);
    if (f.pinProtected && !this.pinVerified) return respond(SW.SECURITY);
    if (offset > f.data.length) return respond(SW.OFFSET);
    const available = f.data.length - offset;
    if (le > available && this.o.answer6C && available > 0 && available < 256)
      return respond(0x6c00 | available);
    const chunk = f.data.subarray(offset, offset + Math.min(le, available));
    const sw = le > available ? SW.EOF_BEFORE_LE : SW.OK;
    if (this.o.answer61 && sw === SW.OK && chunk.length > 0) return this.t0(chunk);
    return respond(sw, chunk);
  }

  // ---- secure data objects

  /**
   * GET DATA `3F FF 4D L 70 L BF <class> <ref> L <tags>`: the DOCP (A0) of a CHV (class 81) or a private key
   * (class 90), or an SE (class FB, template 7B). CHV and SE objects live in the MF, keys in the application:
   * asked from elsewhere, the card answers 6A88 (A2, A3).
   */
  private getData(cmd: CommandApdu): Bytes {
    if (!this.profile.sdoGetData) return respond(SW.INS);
    if (cmd.p1 !== 0x3f || cmd.p2 !== 0xff) return respond(SW.WRONG_P1P2);
    let header: Map<number, Bytes>;
    try {
      header = readTlvs(
        readTlvs(readTlvs(cmd.data).get(0x4d) ?? new Uint8Array(0)).get(0x70) ?? new Uint8Array(0),
      );
    } catch {
      return respond(SW.WRONG_DATA);
    }
    const [tag, asked] = [...header][0] ?? [];
    if (tag === undefined || asked === undefined || tag >> 16 !== 0xbf) return respond(SW.WRONG_DATA);
    const cls = (tag >> 8) & 0xff;
    const ref = tag & 0xff;
    const template = asked[0] === 0x7f ? (asked[0] << 8) | asked[1]! : asked[0];
    if (cls === SDO.CHV) {
      // The CHV "public data" (7F41) form was never traced; this card takes only the DOCP (OpenSC falls back to it).
      if (template !== 0xa0) return respond(SW.WRONG_P1P2);
      if (this.currentDf !== this.tree.mf) return respond(SW.REF_NOT_FOUND);
      const chv = ref === PIN_REF ? this.pin : ref === PUK_REF ? this.puk : undefined;
      return chv ? this.t0(chv.docp()) : respond(SW.REF_NOT_FOUND);
    }
    if (cls === SDO.SE) {
      if (template !== 0x7b) return respond(SW.WRONG_P1P2);
      if (this.currentDf !== this.tree.mf) return respond(SW.REF_NOT_FOUND);
      if (ref !== 0x03 && ref !== 0x05) return respond(SW.REF_NOT_FOUND);
      // The SE's body was not published: an authentication CRT naming the unblocking code (SE#3) or SM (SE#5).
      const crt =
        ref === 0x03
          ? tlv(0xa4, tlv(0x83, [0x02]), tlv(0x95, [0x08]))
          : tlv(0xb4, tlv(0x80, [0x00]), tlv(0x95, [0x30]));
      return this.t0(tlv(0x70, tlv(0xbf0000 | (SDO.SE << 8) | ref, tlv(0x7b, crt))));
    }
    if (cls === SDO.RSA_PRIVATE) {
      if (template !== 0xa0) return respond(SW.WRONG_P1P2);
      if (this.currentDf !== this.tree.application) return respond(SW.REF_NOT_FOUND);
      if (ref !== (this.profile.keys.sign & 0x7f) && ref !== (this.profile.keys.auth & 0x7f))
        return respond(SW.REF_NOT_FOUND);
      // Key size in bytes, and the rules: PSO and INTERNAL AUTHENTICATE after the PIN (SE#3).
      const docp = tlv(
        0xa0,
        tlv(0x80, [0x01, 0x00]),
        tlv(0xa1, tlv(0x8c, [0x7b, 0xff, 0xff, 0x13, 0x13, 0xff, 0x13])),
      );
      return this.t0(tlv(0x70, tlv(0xbf0000 | (SDO.RSA_PRIVATE << 8) | ref, docp)));
    }
    return respond(SW.REF_NOT_FOUND);
  }

  private verify(cmd: CommandApdu): Bytes {
    const ref = cmd.p2 & 0x7f;
    if (ref === PUK_REF) {
      if (cmd.data.length === 0) return respond(this.puk.status(this.pukVerified));
      const sw = this.puk.present(cmd.data);
      this.pukVerified = sw === SW.OK;
      return respond(sw);
    }
    if (ref !== PIN_REF) return respond(SW.REF_NOT_FOUND);
    if (cmd.data.length === 0) return respond(this.pin.status(this.pinVerified));
    if (this.pin.blocked) return respond(SW.BLOCKED);
    if (cmd.data.length !== PIN_STORED_LENGTH) return respond(SW.WRONG_LENGTH);
    const sw = this.pin.present(cmd.data);
    this.pinVerified = sw === SW.OK;
    return respond(sw);
  }

  /** P1=00: unblocking code ‖ new PIN (CPS3). P1=03: after the unblocking code was verified (CPS4, then a CHANGE). */
  private resetRetryCounter(cmd: CommandApdu): Bytes {
    if ((cmd.p2 & 0x7f) !== PIN_REF) return respond(SW.REF_NOT_FOUND);
    if (cmd.p1 === 0x00) {
      if (cmd.data.length !== 8 + PIN_STORED_LENGTH) return respond(SW.WRONG_LENGTH);
      const newPin = cmd.data.subarray(8);
      if (!validNewPin(newPin)) return respond(SW.WRONG_DATA);
      const sw = this.puk.present(cmd.data.subarray(0, 8));
      if (sw !== SW.OK) return respond(sw);
      this.pin.replace(newPin);
      this.pinVerified = false;
      return respond(SW.OK);
    }
    if (cmd.p1 === 0x03) {
      if (!this.pukVerified) return respond(SW.SECURITY);
      this.pin.triesLeft = this.pin.maxTries;
      return respond(SW.OK);
    }
    return respond(SW.WRONG_P1P2);
  }

  /** P1=01: new PIN only, right after the unblocking code. P1=00: old PIN ‖ new PIN. */
  private changeReferenceData(cmd: CommandApdu): Bytes {
    if ((cmd.p2 & 0x7f) !== PIN_REF) return respond(SW.REF_NOT_FOUND);
    if (cmd.p1 === 0x01) {
      if (!this.pukVerified) return respond(SW.SECURITY);
      if (!validNewPin(cmd.data)) return respond(SW.WRONG_DATA);
      this.pin.replace(cmd.data);
      this.pukVerified = false;
      return respond(SW.OK);
    }
    if (cmd.p1 === 0x00) {
      if (cmd.data.length !== 2 * PIN_STORED_LENGTH) return respond(SW.WRONG_LENGTH);
      if (!validNewPin(cmd.data.subarray(PIN_STORED_LENGTH))) return respond(SW.WRONG_DATA);
      const sw = this.pin.present(cmd.data.subarray(0, PIN_STORED_LENGTH));
      if (sw === SW.OK) this.pin.replace(cmd.data.subarray(PIN_STORED_LENGTH));
      return respond(sw);
    }
    return respond(SW.WRONG_P1P2);
  }

  // ---- security operations

  /** MSE SET, its TLVs in either order (OpenSC sends 84 then 80, ANS 80 then 84). */
  private manageSecurityEnvironment(cmd: CommandApdu): Bytes {
    let t: Map<number, Bytes>;
    try {
      t = readTlvs(cmd.data);
    } catch {
      return respond(SW.WRONG_DATA);
    }
    const r = this.profile.mse(cmd.p1, cmd.p2, t);
    if (typeof r === 'number') return respond(r);
    if (r.template === 'at') this.se.at = { key: r.key! };
    if (r.template === 'dst') this.se.dst = { alg: r.alg!, key: r.key! };
    if (r.template === 'ht') this.se.ht = r.alg === 0x10 ? 'sha1' : 'sha256';
    if (r.template === 'ct') this.se.ct = { key: r.key! };
    return respond(SW.OK);
  }

  private internalAuthenticate(cmd: CommandApdu): Bytes {
    if (this.profile.authentication !== 'internal-authenticate') return respond(SW.INS);
    if (!this.pinVerified) return respond(SW.SECURITY);
    if (!this.se.at) return respond(SW.CONDITIONS);
    // At most 40 % of the modulus (2048 bits → 102 bytes); the card pads (PKCS#1 v1.5 type 1) and signs.
    if (cmd.data.length === 0 || cmd.data.length > 102) return respond(SW.WRONG_LENGTH);
    return this.t0(
      new Uint8Array(privateEncrypt({ key: this.authKey, padding: constants.RSA_PKCS1_PADDING }, cmd.data)),
    );
  }

  private performSecurityOperation(cmd: CommandApdu): Bytes {
    const op = (cmd.p1 << 8) | cmd.p2;
    if (op === 0x90a0) return this.psoHash(cmd.data);
    if (op === 0x9e9a) return this.psoSign(cmd.data);
    if (op === 0x8086) return this.psoDecipher(cmd.data);
    return respond(SW.WRONG_P1P2);
  }

  /**
   * PSO HASH: `90 00 80 <n> <message>` (the card hashes it all) or `90 <state ‖ 8-byte bit count> 80 <n> <rest>`
   * (the card finishes the host's intermediate state), after MSE SET HT.
   */
  private psoHash(data: Bytes): Bytes {
    const alg = this.se.ht;
    if (!alg || !this.profile.hashOnCard) return respond(SW.CONDITIONS);
    let t: Map<number, Bytes>;
    try {
      t = readTlvs(data);
    } catch {
      return respond(SW.WRONG_DATA);
    }
    const state = t.get(0x90);
    const rest = t.get(0x80);
    if (!state || !rest || rest.length > 64) return respond(SW.WRONG_DATA);
    const stateLength = alg === 'sha1' ? 20 : 32;
    if (state.length === 0) this.hash = finishHash(alg, INITIAL_STATE[alg], 0n, rest);
    else if (state.length === stateLength + 8) {
      const bits = state.subarray(stateLength).reduce((n, b) => n * 256n + BigInt(b), 0n);
      if (bits % 512n !== 0n) return respond(SW.WRONG_DATA);
      this.hash = finishHash(alg, state.subarray(0, stateLength), bits, rest);
    } else return respond(SW.WRONG_DATA);
    return respond(SW.OK);
  }

  /** PSO COMPUTE DIGITAL SIGNATURE: the hash from PSO HASH (CPS3, case 2) or the one sent (CPS4). */
  private psoSign(data: Bytes): Bytes {
    if (!this.pinVerified) return respond(SW.SECURITY);
    if (!this.se.dst) return respond(SW.CONDITIONS);
    const digest = this.profile.hashOnCard ? this.hash : data.length ? data : undefined;
    if (!digest || (digest.length !== 20 && digest.length !== 32)) return respond(SW.CONDITIONS);
    const prefix = digest.length === 32 ? DIGEST_INFO.sha256 : DIGEST_INFO.sha1;
    this.hash = undefined;
    return this.t0(
      new Uint8Array(
        privateEncrypt({ key: this.signKey, padding: constants.RSA_PKCS1_PADDING }, cat(prefix, digest)),
      ),
    );
  }

  /** PSO DECIPHER, chained: `81 ‖ cryptogram` (CPS3), or a raw RSA operation on a host-padded block (CPS4). */
  private psoDecipher(data: Bytes): Bytes {
    if (!this.pinVerified) return respond(SW.SECURITY);
    if (!this.se.ct) return respond(SW.CONDITIONS);
    try {
      if (this.profile.decipherIndicator) {
        if (data[0] !== 0x81 || data.length !== 257) return respond(SW.WRONG_DATA);
        // Node refuses PKCS#1 v1.5 private decryption (the Marvin attack): raw RSA, then the card unpads.
        const block = privateDecrypt(
          { key: this.authKey, padding: constants.RSA_NO_PADDING },
          data.subarray(1),
        );
        const end = block.indexOf(0x00, 2);
        if (block[0] !== 0x00 || block[1] !== 0x02 || end < 10) return respond(SW.WRONG_DATA);
        return this.t0(new Uint8Array(block.subarray(end + 1)));
      }
      if (data.length !== 256) return respond(SW.WRONG_LENGTH);
      return this.t0(
        new Uint8Array(privateDecrypt({ key: this.authKey, padding: constants.RSA_NO_PADDING }, data)),
      );
    } catch {
      return respond(SW.WRONG_DATA);
    }
  }
}

export { padPin };
