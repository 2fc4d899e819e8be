/**
 * What card/ reads from an IAS-ECC card (the CPS3, and the CPS4 where ANS's driver treats it alike), checked
 * against real CPS3 answers (shared/reference/cps3-real-traces.md): SELECT as ISO 7816-4 builds it with the P2
 * a CPx accepts (04 for the FCP, 0C for nothing; 00 gets 6A86), the IAS-ECC FCP (sizes, SFI, security
 * attributes A1 { 8C, 9C }, life cycle), EF.ATR with its leading 80, EF.SN.ICC (12 bytes, issuer prefix, Luhn
 * digit), and the DOCP of a CHV object (9A / 9B / 9D) from GET DATA.
 */
import { AppError } from '../../domain/result';
import { concat, equal, toHex, type Bytes } from '../bytes';
import type { CardChannel } from '../channel';
import { parseTlvs, type Tlv } from '../tlv';

export const PATH_MF = Uint8Array.from([0x3f, 0x00]);
export const ISSUER_NUMBER = Uint8Array.from([0x80, 0x25, 0x00, 0x00, 0x01]);

/**
 * What to select. `path` is P1=09: from the MF when it starts with 3F00 (ANS's Cryptolib always sends the
 * full path), else from the current DF. `fid` is P1=00 (the MF, or a file near the current DF) or, `under`
 * the current DF, P1=02. `aid` is P1=04.
 */
export type SelectTarget = { path: Bytes } | { fid: Bytes; under?: 'current' } | { aid: Bytes };

/** What the card is asked to answer: the FCP (P2=04), nothing (P2=0C), or the FCI (P2=00, refused by a CPx). */
export type SelectAnswer = 'fcp' | 'none' | 'fci';

export function selectCommand(target: SelectTarget, answer: SelectAnswer) {
  const p2 = answer === 'fcp' ? 0x04 : answer === 'none' ? 0x0c : 0x00;
  if ('aid' in target) return { cla: 0x00, ins: 0xa4, p1: 0x04, p2, data: target.aid };
  if ('path' in target) return { cla: 0x00, ins: 0xa4, p1: 0x09, p2, data: target.path };
  return { cla: 0x00, ins: 0xa4, p1: target.under === 'current' ? 0x02 : 0x00, p2, data: target.fid };
}

/** The IAS-ECC file control parameters a CPx returns (A1: the same layout for every EF). */
export interface Fcp {
  /** Size of a transparent EF (80). */
  size?: number;
  /** File descriptor byte (82): 01 working transparent EF, 38 DF. */
  descriptor?: number;
  fid?: Bytes;
  /** Short file identifier (88: the SFI in the five high bits). */
  sfi?: number;
  /** DF name (84). */
  aid?: Bytes;
  /** Contact and contactless access rules (A1 { 8C, 9C }, or 8C at the top level). */
  contactAcl?: Bytes;
  contactlessAcl?: Bytes;
  /** Life cycle status (8A): 05 operational, activated. */
  lifeCycle?: number;
}

const malformed = (what: string) =>
  new AppError('CARD_PROTOCOL', `Réponse de la carte mal formée (${what}).`);
const find = (list: Tlv[], tag: number) => list.find((t) => t.tag === tag);

const number = (b: Bytes) => b.reduce((n, x) => n * 256 + x, 0);

/** One pass over the FCP's data objects (this runs at every file read). */
export function parseFcp(raw: Bytes): Fcp {
  const top = parseTlvs(raw);
  const template = top[0];
  if (top.length !== 1 || (template!.tag !== 0x62 && template!.tag !== 0x6f)) throw malformed('FCP');
  const fcp: Fcp = {};
  for (const item of parseTlvs(template!.value)) {
    const v = item.value;
    switch (item.tag) {
      case 0x80:
      case 0x81:
        if (fcp.size === undefined && v.length >= 1 && v.length <= 2) fcp.size = number(v);
        break;
      case 0x82:
        if (v.length) fcp.descriptor = v[0];
        break;
      case 0x83:
        if (v.length === 2) fcp.fid = v;
        break;
      case 0x84:
        fcp.aid = v;
        break;
      case 0x88:
        if (v.length === 1) fcp.sfi = v[0]! >> 3;
        break;
      case 0x8a:
        if (v.length === 1) fcp.lifeCycle = v[0];
        break;
      case 0x8c:
        fcp.contactAcl ??= v;
        break;
      case 0x9c:
        fcp.contactlessAcl ??= v;
        break;
      case 0xa1:
        // IAS-ECC security attributes: the access rules for the contact (8C) and contactless (9C) interfaces.
        for (const rule of parseTlvs(v)) {
          if (rule.tag === 0x8c) fcp.contactAcl = rule.value;
          if (rule.tag === 0x9c) fcp.contactlessAcl = rule.value;
        }
        break;
    }
  }
  return fcp;
}

/**
 * SELECT; with `fcp`, the FCP the card returns through 61xx + GET RESPONSE, or undefined for a bare 9000
 * (the MF answers so, A3). Any other status word is a CardStatusError.
 */
export async function select(
  ch: CardChannel,
  target: SelectTarget,
  answer: SelectAnswer = 'none',
): Promise<Fcp | undefined> {
  const data = await ch.send(selectCommand(target, answer));
  return answer !== 'none' && data.length > 0 ? parseFcp(data) : undefined;
}

/** The EF at `target` in full: its size from the FCP, then READ BINARY of exactly that (in ≤ 0xE7 chunks). */
export async function readEf(ch: CardChannel, target: SelectTarget, expectedSize?: number): Promise<Bytes> {
  const fcp = await select(ch, target, 'fcp');
  if (fcp?.descriptor === 0x38)
    throw new AppError('CARD_PROTOCOL', 'Un répertoire a été sélectionné à la place d’un fichier.');
  if (expectedSize !== undefined && fcp?.size !== expectedSize)
    throw new AppError(
      'CARD_NOT_CPS',
      `Fichier de taille inattendue (${fcp?.size ?? 'inconnue'} octets au lieu de ${expectedSize}).`,
    );
  if (fcp?.size === 0) return new Uint8Array(0);
  return ch.readBinary(fcp?.size);
}

/** EF.ATR (3F00/2F01) as a CPx stores it: a stray 80 (category indicator), then BER-TLV data objects. */
export interface EfAtr {
  cardServiceData?: number;
  /** Pre-issuing data (46): IC manufacturer, IC type, OS version, IAS-ECC version. */
  preIssuing: { icManufacturer: number; icType: number; osVersion: number; iasEccVersion: number };
  capabilities?: Bytes;
  /** AID of the IAS-ECC root DF (4F). */
  mfAid?: Bytes;
  /** I/O buffer sizes (E0): command, command under SM, response, response under SM. */
  buffers: { send: number; sendSm: number; receive: number; receiveSm: number };
  /** Allocation scheme (78 { 06 oid }). */
  allocationScheme?: string;
  status?: number;
}

function oidToString(b: Bytes): string {
  const out = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (const x of b.subarray(1)) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) {
      out.push(v);
      v = 0;
    }
  }
  return out.join('.');
}

export function parseEfAtr(raw: Bytes): EfAtr {
  // OpenSC skips the leading 80 for CPx (ef-atr.c); a bare BER-TLV EF.ATR is read as is.
  const body = raw[0] === 0x80 ? raw.subarray(1) : raw;
  const items = parseTlvs(body);
  const value = (tag: number) => find(items, tag)?.value;
  const pre = value(0x46);
  if (!pre || pre.length < 4) throw malformed('EF.ATR sans données de pré-personnalisation');
  const io = value(0xe0);
  if (!io || io.length < 16) throw malformed('EF.ATR sans tailles de tampons');
  const sizes = parseTlvs(io)
    .filter((t) => t.tag === 0x02)
    .map((t) => t.value.reduce((n, b) => n * 256 + b, 0));
  if (sizes.length < 4) throw malformed('EF.ATR : tailles de tampons incomplètes');
  const scheme = value(0x78);
  const schemeOid = scheme ? find(parseTlvs(scheme), 0x06)?.value : undefined;
  const status = value(0x82);
  return {
    ...(value(0x43)?.length === 1 ? { cardServiceData: value(0x43)![0] } : {}),
    preIssuing: { icManufacturer: pre[0]!, icType: pre[1]!, osVersion: pre[2]!, iasEccVersion: pre[3]! },
    ...(value(0x47) ? { capabilities: value(0x47) } : {}),
    ...(value(0x4f) ? { mfAid: value(0x4f) } : {}),
    buffers: { send: sizes[0]!, sendSm: sizes[1]!, receive: sizes[2]!, receiveSm: sizes[3]! },
    ...(schemeOid ? { allocationScheme: oidToString(schemeOid) } : {}),
    ...(status?.length === 2 ? { status: (status[0]! << 8) | status[1]! } : {}),
  };
}

export const EF_SN_ICC_SIZE = 12;

/** The Luhn check digit (ISO 7812) of a string of digits. */
export function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * The card serial from EF.SN.ICC: exactly 12 bytes, `5A 0A`, the issuer number 80 25 00 00 01, then the
 * card's part (ANS's `_cps_read_efsnicc` rejects any other size or prefix). On a CPS3 the last byte is the
 * PAN's Luhn digit and an F (both real cards traced have it right) and is left out of the serial, as ANS does.
 */
export function serialFromSnIcc(sn: Bytes, kind: 'cps3' | 'cps4'): string {
  if (
    sn.length !== EF_SN_ICC_SIZE ||
    sn[0] !== 0x5a ||
    sn[1] !== 0x0a ||
    !equal(sn.subarray(2, 7), ISSUER_NUMBER)
  )
    throw new AppError('CARD_NOT_CPS', "Cette carte n'est pas une carte CPS (numéro d'émetteur inconnu).");
  const pan = toHex(sn.subarray(2));
  if (!/^[0-9]+F?$/.test(pan)) throw new AppError('CARD_NOT_CPS', 'Numéro de carte illisible (EF.SN.ICC).');
  if (kind === 'cps4') return pan.slice(10).replace(/F$/, '');
  const digits = pan.slice(0, -2);
  if (!pan.endsWith('F') || Number(pan[pan.length - 2]) !== luhnDigit(digits))
    throw new AppError('CARD_NOT_CPS', 'Numéro de carte incohérent (chiffre de contrôle, EF.SN.ICC).');
  return digits.slice(10);
}

/** GET DATA of an SDO's template (`A0` DOCP, `7B` SE): `00 CB 3F FF 4D L 70 L BF <class> <ref> 02 <tag> 80`, no Le. */
export function getDataCommand(sdoClass: number, ref: number, template: number) {
  return {
    cla: 0x00,
    ins: 0xcb,
    p1: 0x3f,
    p2: 0xff,
    data: concat([0x4d, 0x08, 0x70, 0x06, 0xbf, sdoClass | 0x80, ref, 0x02, template, 0x80]),
  };
}

/** SDO class of a CHV (PIN, unblocking code). */
export const SDO_CHV = 0x01;

export interface ChvCounter {
  maxTries: number;
  triesLeft: number;
  /** Uses left (9D), for a code that wears out. */
  usesLeft?: number;
  acl?: Bytes;
}

/** The DOCP of CHV `ref`: `70 { BF 81 <ref> { A0 { 9A max, 9B left, [9D uses], A1 { 8C rules } } } }`. */
export function parseChvDocp(raw: Bytes, ref: number): ChvCounter {
  const sdo = find(parseTlvs(raw), 0x70);
  const header = sdo && parseTlvs(sdo.value).find((t) => t.tag === (0xbf8100 | ref));
  const docp = header && find(parseTlvs(header.value), 0xa0);
  if (!docp) throw new AppError('CARD_PROTOCOL', 'Compteur du code porteur illisible.');
  const items = parseTlvs(docp.value);
  const counter = (tag: number) => {
    const v = find(items, tag)?.value;
    return v && v.length >= 1 && v.length <= 2 ? number(v) : undefined;
  };
  const maxTries = counter(0x9a);
  const triesLeft = counter(0x9b);
  if (maxTries === undefined || triesLeft === undefined || triesLeft > maxTries)
    throw new AppError('CARD_PROTOCOL', 'Compteur du code porteur illisible.');
  const usesLeft = counter(0x9d);
  const rules = find(items, 0xa1);
  const acl = rules && find(parseTlvs(rules.value), 0x8c)?.value;
  return { maxTries, triesLeft, ...(usesLeft !== undefined ? { usesLeft } : {}), ...(acl ? { acl } : {}) };
}

/** Tries the holder has: none once the uses are spent (ANS: a usage counter of 0 forces the tries to 0). */
export const usableTries = (c: ChvCounter) => (c.usesLeft === 0 ? 0 : c.triesLeft);
