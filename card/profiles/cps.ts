/**
 * The CPS3 (IAS-ECC) and CPS4 (ChipDoc) profiles: what the app asks of a card, as APDU sequences
 * (shared/reference/cps-card.md §1–§2). Without PIN: serial, holder, authentication certificate, PIN tries left.
 * With PIN: the signature of a server challenge with the authentication key. With PUK: a new PIN.
 */
import { createHash } from 'node:crypto';
import type { CardHolder } from '../../domain/card';
import { AppError } from '../../domain/result';
import { CardStatusError, SW_OK, swError } from '../apdu';
import { concat, equal, fromHex, startsWith, toHex, type Bytes } from '../bytes';
import type { CardChannel } from '../channel';
import { readCertificate } from '../certificate';
import { findTlv } from '../tlv';
import { authCertPath, cdfPathFromOdf } from './pkcs15';

export const AID_CPS3_IAS = fromHex('E828BD080F8025000001FF0010');
export const AID_CPS4_CHIPDOC = fromHex('8025000001FF0100');
export const AID_CPS4_CPS2TER = fromHex('8025000001FF0002');
export const AID_IDS = fromHex('A0000001510000');
const ISSUER_PREFIX = fromHex('5A0A8025000001');
const PATH_SN_ICC = fromHex('3F00D003');
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
  pinTriesLeft(): Promise<number>;
  /** VERIFY then sign SHA-256 DigestInfo(challenge) with the authentication key: an RSASSA-PKCS1-v1_5 signature. */
  verifyPinAndSign(pin: string, challenge: Bytes): Promise<Bytes>;
  unblockPin(puk: string, newPin: string): Promise<void>;
}

export function checkPin(pin: string) {
  if (!/^\d{4,8}$/.test(pin)) throw new AppError('CARD_PIN_FORMAT', 'Le code porteur est fait de 4 chiffres.');
}
export function checkPuk(puk: string) {
  if (!/^\d{8}$/.test(puk)) throw new AppError('CARD_PIN_FORMAT', 'Le code de déblocage est fait de 8 chiffres.');
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

function serialFromSnIcc(sn: Bytes): string {
  if (sn.length < 12 || !startsWith(sn, ISSUER_PREFIX))
    throw new AppError('CARD_NOT_CPS', "Cette carte n'est pas une carte CPS (numéro d'émetteur inconnu).");
  return toHex(sn.subarray(ISSUER_PREFIX.length, 12)).replace(/F+$/, '');
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

  protected abstract app(): CardChannel;
  protected abstract openApplication(): Promise<void>;

  /** SELECT by path from the MF, path including 3F00 (P1=09), no FCP (P2=0C). */
  protected selectPath(ch: CardChannel, path: Bytes) {
    return ch.send({ cla: 0x00, ins: 0xa4, p1: 0x09, p2: 0x0c, data: path });
  }

  /** SELECT a PKCS#15 path: absolute (starting 3F00) by path; relative, FID by FID from the current DF. */
  protected async selectPkcs15(ch: CardChannel, path: Bytes) {
    if (path[0] === 0x3f && path[1] === 0x00) return this.selectPath(ch, path);
    for (let i = 0; i + 1 < path.length; i += 2) await ch.send({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: path.subarray(i, i + 2) });
  }

  async readIdentity(): Promise<CardIdentity> {
    await this.selectPath(this.ch, PATH_SN_ICC);
    const serial = serialFromSnIcc(await this.ch.readBinary(12));
    await this.openApplication();
    const app = this.app();
    await this.selectOdf(app);
    const odf = await app.readBinary();
    await this.selectPkcs15(app, cdfPathFromOdf(odf));
    const cdf = await app.readBinary();
    await this.selectPkcs15(app, authCertPath(cdf));
    const certificate = await app.readBinary();
    const info = readCertificate(certificate);
    return { kind: this.kind, serial, holder: info.holder, certificate, notAfter: info.notAfter };
  }

  protected abstract selectOdf(app: CardChannel): Promise<unknown>;
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
    await this.ch.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: AID_CPS3_IAS });
  }

  protected selectOdf(app: CardChannel) {
    return this.selectPath(app, concat(fromHex('3F000001'), FID_ODF));
  }

  /** GET DATA on the CHV SDO, from the MF (elsewhere the card answers 6A88). */
  private async counter(ref: number): Promise<number> {
    await this.ch.send({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: fromHex('3F00') });
    const data = await this.ch.send({
      cla: 0x00,
      ins: 0xcb,
      p1: 0x3f,
      p2: 0xff,
      data: concat(fromHex('4D087006BF81'), [ref], fromHex('02A080')),
      le: 256,
    });
    const left = findTlv(data, 0x9b);
    if (!left || left.value.length !== 1) throw new AppError('CARD_PROTOCOL', 'Compteur du code porteur illisible.');
    const usage = findTlv(data, 0x9d);
    if (usage && usage.value.length === 1 && usage.value[0] === 0) return 0;
    return checkTries(left.value[0]!);
  }

  pinTriesLeft() {
    return this.counter(PIN_REF);
  }

  async verifyPinAndSign(pin: string, challenge: Bytes): Promise<Bytes> {
    checkPin(pin);
    await this.openApplication();
    const block = pinBlock(pin);
    const r = await this.ch.transmit({ cla: 0x00, ins: 0x20, p1: 0x00, p2: PIN_REF, data: block }).finally(() => block.fill(0));
    verifyResult(r.sw);
    // MSE SET AT: algorithm 02 (RSA PKCS#1 client/server authentication), private key 82.
    await this.ch.send({ cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xa4, data: fromHex('800102840182') });
    return this.ch.send({ cla: 0x00, ins: 0x88, p1: 0x00, p2: 0x00, data: sha256DigestInfo(challenge), le: 256 });
  }

  async unblockPin(puk: string, newPin: string): Promise<void> {
    checkPuk(puk);
    checkPin(newPin);
    await this.ch.send(
      { cla: 0x00, ins: 0x2c, p1: 0x00, p2: PIN_REF, data: concat(new TextEncoder().encode(puk), pinBlock(newPin)) },
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

  /** IDS, then the CPS2ter applet on channel 0, then ChipDoc on logical channel 1 (Cryptolib's order). */
  protected async openApplication() {
    await this.ch.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: AID_IDS });
    await this.ch.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: AID_CPS4_CPS2TER });
    await this.ch1.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: AID_CPS4_CHIPDOC });
  }

  protected selectOdf(app: CardChannel) {
    return this.selectPkcs15(app, FID_ODF);
  }

  /** On 69 85 a CPS4 wants its applets selected again (Cryptolib 5.2.2); then the command is tried once more. */
  private async withReselect<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof CardStatusError) || e.sw !== 0x6985) throw e;
      await this.openApplication();
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
      const r = await this.ch1.transmit({ cla: 0x00, ins: 0x20, p1: 0x00, p2: PIN_REF, data: pinData }).finally(() => pinData.fill(0));
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
      await this.ch1.send({ cla: 0x00, ins: 0x20, p1: 0x00, p2: PUK_REF, data: new TextEncoder().encode(puk) }, 'puk');
      await this.ch1.send({ cla: 0x00, ins: 0x2c, p1: 0x03, p2: PIN_REF });
      await this.ch1.send({ cla: 0x00, ins: 0x24, p1: 0x01, p2: PIN_REF, data: pinBlock(newPin) });
    });
  }
}

export function profileFor(kind: 'cps3' | 'cps4', ch: CardChannel): CpsProfile {
  return kind === 'cps3' ? new Cps3Profile(ch) : new Cps4Profile(ch);
}

export const sameCertificate = (a: Bytes, b: Bytes) => equal(a, b);
