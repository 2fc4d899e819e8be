/**
 * The CPS3 (IAS-ECC) and CPS4 (ChipDoc) profiles: what the app asks of a card, as APDU sequences
 * (shared/reference/cps-card.md §1–§2). Without PIN: serial, holder, authentication certificate, PIN tries left.
 * With PIN: the signature of a server challenge with the authentication key. With PUK: a new PIN.
 */
import { createHash } from 'node:crypto';
import type { CardHolder } from '../../domain/card';
import { AppError } from '../../domain/result';
import { CardStatusError, SW_OK, swError } from '../apdu';
import { concat, equal, fromHex, type Bytes } from '../bytes';
import type { CardChannel } from '../channel';
import { readCertificate } from '../certificate';
import {
  EF_SN_ICC_SIZE,
  getDataCommand,
  parseChvDocp,
  PATH_MF,
  readEf,
  SDO_CHV,
  select,
  serialFromSnIcc,
  usableTries,
  type SelectTarget,
} from './ias-ecc';
import { authCertPath, cdfPathFromOdf } from './pkcs15';

export const AID_CPS3_IAS = fromHex('E828BD080F8025000001FF0010');
export const AID_CPS4_CHIPDOC = fromHex('8025000001FF0100');
export const AID_CPS4_CPS2TER = fromHex('8025000001FF0002');
export const AID_IDS = fromHex('A0000001510000');
const PATH_SN_ICC = fromHex('3F00D003');
/** The IAS PKCS#15 application's DF on a CPS3: PKCS#15 paths without 3F00 are relative to it. */
const PATH_CPS3_APP = fromHex('3F000001');
const FID_ODF = fromHex('5031');
const PIN_REF = 0x01;
const PUK_REF = 0x02;
/** DigestInfo prefix of SHA-256 (PKCS#1 v1.5). */
const SHA256_DIGEST_INFO = fromHex('3031300d060960864801650304020105000420');

export interface CardIdentity {
  kind: 'cps3' | 'cps4';
  serial: string;
  holder: CardHolder;
  /** DER of the authentication certificate. */
  certificate: Bytes;
  notAfter: string;
}

export interface CpsProfile {
  readonly kind: 'cps3' | 'cps4';
  readIdentity(): Promise<CardIdentity>;
  /** The card serial from EF.SN.ICC (read before the application is opened on a CPS3, through it on a CPS4). */
  readSerial(): Promise<string>;
  pinTriesLeft(): Promise<number>;
  /** VERIFY then sign SHA-256 DigestInfo(challenge) with the authentication key: an RSASSA-PKCS1-v1_5 signature. */
  verifyPinAndSign(pin: string, challenge: Bytes): Promise<Bytes>;
  unblockPin(puk: string, newPin: string): Promise<void>;
}

export function checkPin(pin: string) {
  if (!/^\d{4,8}$/.test(pin))
    throw new AppError('CARD_PIN_FORMAT', 'Le code porteur est fait de 4 chiffres.');
}
export function checkPuk(puk: string) {
  if (!/^\d{8}$/.test(puk))
    throw new AppError('CARD_PIN_FORMAT', 'Le code de déblocage est fait de 8 chiffres.');
}

/** The PIN as VERIFY carries it: ASCII digits padded with FF to 8 bytes. */
export function pinBlock(pin: string): Bytes {
  const b = new Uint8Array(8).fill(0xff);
  b.set(new TextEncoder().encode(pin));
  return b;
}

export function sha256DigestInfo(challenge: Bytes): Bytes {
  return concat(SHA256_DIGEST_INFO, createHash('sha256').update(challenge).digest());
}

/** PKCS#1 v1.5 type 1 block (00 01 FF… 00 ‖ data), the size of the modulus: the host pads for CPS4. */
export function pkcs1Type1(data: Bytes, size: number): Bytes {
  if (data.length > size - 11) throw new AppError('INTERNAL', 'Données trop longues pour la clé.');
  const block = new Uint8Array(size).fill(0xff);
  block[0] = 0x00;
  block[1] = 0x01;
  block[size - data.length - 1] = 0x00;
  block.set(data, size - data.length);
  return block;
}

/** A CPS allows 3 PIN tries; anything else read from the card is a misread, not a number to show. */
function checkTries(n: number): number {
  if (n > 3) throw new AppError('CARD_PROTOCOL', `Compteur du code porteur incohérent (${n}).`);
  return n;
}

function verifyResult(sw: number) {
  if (sw === SW_OK) return;
  throw swError(sw, 'pin');
}

abstract class CpsBase implements CpsProfile {
  abstract readonly kind: 'cps3' | 'cps4';
  constructor(protected readonly ch: CardChannel) {}

  /** The channel the PKCS#15 application answers on. */
  protected abstract app(): CardChannel;
  protected abstract openApplication(): Promise<void>;
  /** Where a path read from the PKCS#15 files points. */
  protected abstract pkcs15Target(path: Bytes): SelectTarget;
  abstract readSerial(): Promise<string>;

  async readIdentity(): Promise<CardIdentity> {
    const serial = await this.readSerial();
    await this.openApplication();
    const app = this.app();
    const odf = await readEf(app, this.pkcs15Target(FID_ODF));
    const cdf = await readEf(app, this.pkcs15Target(cdfPathFromOdf(odf)));
    const certificate = await readEf(app, this.pkcs15Target(authCertPath(cdf)));
    const info = readCertificate(certificate);
    return { kind: this.kind, serial, holder: info.holder, certificate, notAfter: info.notAfter };
  }

  abstract pinTriesLeft(): Promise<number>;
  abstract verifyPinAndSign(pin: string, challenge: Bytes): Promise<Bytes>;
  abstract unblockPin(puk: string, newPin: string): Promise<void>;
}

export class Cps3Profile extends CpsBase {
  readonly kind = 'cps3' as const;

  protected app() {
    return this.ch;
  }

  /** The IAS application by AID, P2=0C (P2=00 gets 6A86 from a CPx). */
  protected async openApplication() {
    await select(this.ch, { aid: AID_CPS3_IAS });
  }

  /** Full paths from the MF, 3F00 included, P1=09, as ANS's Cryptolib selects every CPS3 file. */
  protected pkcs15Target(path: Bytes): SelectTarget {
    return { path: path[0] === 0x3f && path[1] === 0x00 ? path : concat(PATH_CPS3_APP, path) };
  }

  /** EF.SN.ICC by its full path with its FCP: exactly 12 bytes, then the issuer number (ANS, A2). */
  async readSerial() {
    return serialFromSnIcc(await readEf(this.ch, { path: PATH_SN_ICC }, EF_SN_ICC_SIZE), 'cps3');
  }

  /** GET DATA of the CHV object's DOCP, from the MF (elsewhere the card answers 6A88). */
  private async counter(ref: number): Promise<number> {
    await select(this.ch, { path: PATH_MF });
    return usableTries(parseChvDocp(await this.ch.send(getDataCommand(SDO_CHV, ref, 0xa0)), ref));
  }

  async pinTriesLeft() {
    return checkTries(await this.counter(PIN_REF));
  }

  async verifyPinAndSign(pin: string, challenge: Bytes): Promise<Bytes> {
    checkPin(pin);
    await this.openApplication();
    const block = pinBlock(pin);
    const r = await this.ch
      .transmit({ cla: 0x00, ins: 0x20, p1: 0x00, p2: PIN_REF, data: block })
      .finally(() => block.fill(0));
    verifyResult(r.sw);
    // MSE SET AT: algorithm 02 (RSA PKCS#1 client/server authentication), private key 82.
    await this.ch.send({ cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xa4, data: fromHex('800102840182') });
    return this.ch.send({
      cla: 0x00,
      ins: 0x88,
      p1: 0x00,
      p2: 0x00,
      data: sha256DigestInfo(challenge),
      le: 256,
    });
  }

  async unblockPin(puk: string, newPin: string): Promise<void> {
    checkPuk(puk);
    checkPin(newPin);
    await this.ch.send(
      {
        cla: 0x00,
        ins: 0x2c,
        p1: 0x00,
        p2: PIN_REF,
        data: concat(new TextEncoder().encode(puk), pinBlock(newPin)),
      },
      'puk',
    );
  }
}

export class Cps4Profile extends CpsBase {
  readonly kind = 'cps4' as const;
  private readonly ch1 = this.ch.withChannel(1);

  protected app() {
    return this.ch1;
  }

  /** ChipDoc on logical channel 1; when that fails, ANS's sequence: the ISD (channel 1), CPS2ter (channel 0), ChipDoc. */
  protected async openApplication() {
    try {
      await select(this.ch1, { aid: AID_CPS4_CHIPDOC });
    } catch (e) {
      if (!(e instanceof CardStatusError)) throw e;
      await this.reselect();
    }
  }

  private async reselect() {
    await select(this.ch1, { aid: AID_IDS });
    await select(this.ch, { aid: AID_CPS4_CPS2TER });
    await select(this.ch1, { aid: AID_CPS4_CHIPDOC });
  }

  /** PKCS#15 paths are relative to the ChipDoc application, FID by FID. */
  protected pkcs15Target(path: Bytes): SelectTarget {
    if (path.length === 2) return { fid: path, under: 'current' };
    return { path };
  }

  /** EF.SN.ICC through ChipDoc's channel, its full path from the MF (ANS's common code). */
  async readSerial() {
    await this.openApplication();
    return serialFromSnIcc(await readEf(this.ch1, { path: PATH_SN_ICC }, EF_SN_ICC_SIZE), 'cps4');
  }

  /** On 69 85 a CPS4 wants its applets selected again (Cryptolib 5.2.2); then the command is tried once more. */
  private async withReselect<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof CardStatusError) || e.sw !== 0x6985) throw e;
      await this.reselect();
      return f();
    }
  }

  /** VERIFY without data: 63Cx = x tries left, 6983 = blocked, 9000 = already verified. */
  pinTriesLeft(): Promise<number> {
    return this.withReselect(async () => {
      const r = await this.ch1.transmit({ cla: 0x00, ins: 0x20, p1: 0x00, p2: PIN_REF });
      if ((r.sw & 0xfff0) === 0x63c0) return checkTries(r.sw & 0x0f);
      if (r.sw === 0x6983) return 0;
      if (r.sw === SW_OK) return 3;
      throw swError(r.sw);
    });
  }

  async verifyPinAndSign(pin: string, challenge: Bytes): Promise<Bytes> {
    checkPin(pin);
    await this.openApplication();
    return this.withReselect(async () => {
      const pinData = pinBlock(pin);
      const r = await this.ch1
        .transmit({ cla: 0x00, ins: 0x20, p1: 0x00, p2: PIN_REF, data: pinData })
        .finally(() => pinData.fill(0));
      verifyResult(r.sw);
      const size = await this.modulusBytes();
      // MSE SET (confidentiality template, key 20), then a raw RSA operation on the block the host padded.
      await this.ch1.send({ cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xb8, data: fromHex('830120') });
      const block = pkcs1Type1(sha256DigestInfo(challenge), size);
      const sig = await this.ch1.send({ cla: 0x00, ins: 0x2a, p1: 0x80, p2: 0x86, data: block, le: 256 });
      if (sig.length !== size) throw new AppError('CARD_PROTOCOL', 'Signature de longueur inattendue.');
      return sig;
    });
  }

  /** The block is the size of the modulus: known from the certificate once read; CPS4 keys are RSA-2048. */
  private modulus = 256;
  private async modulusBytes(): Promise<number> {
    return this.modulus;
  }

  override async readIdentity(): Promise<CardIdentity> {
    const id = await super.readIdentity();
    this.modulus = readCertificate(id.certificate).modulusBytes;
    return id;
  }

  async unblockPin(puk: string, newPin: string): Promise<void> {
    checkPuk(puk);
    checkPin(newPin);
    await this.openApplication();
    await this.withReselect(async () => {
      await this.ch1.send(
        { cla: 0x00, ins: 0x20, p1: 0x00, p2: PUK_REF, data: new TextEncoder().encode(puk) },
        'puk',
      );
      // RESET RETRY COUNTER, case 1, on the PIN's local reference (ref | 80), then the new PIN (card-cps4.c).
      await this.ch1.send({ cla: 0x00, ins: 0x2c, p1: 0x03, p2: PIN_REF | 0x80 });
      await this.ch1.send({ cla: 0x00, ins: 0x24, p1: 0x01, p2: PIN_REF, data: pinBlock(newPin) });
    });
  }
}

export function profileFor(kind: 'cps3' | 'cps4', ch: CardChannel): CpsProfile {
  return kind === 'cps3' ? new Cps3Profile(ch) : new Cps4Profile(ch);
}

export const sameCertificate = (a: Bytes, b: Bytes) => equal(a, b);
