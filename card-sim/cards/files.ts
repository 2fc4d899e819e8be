/**
 * The card's file tree (ISO 7816-4 MF / DF / transparent EF) and the FCP a CPS3 returns for a file: the
 * IAS-ECC template of shared/reference/cps3-real-traces.md A1/A2, byte for byte where a real card was traced
 * (size 80, descriptor 82, FID 83, SFI 88, security attributes A1 { 8C contact, 9C contactless }, life cycle 8A).
 */
import { tlv, type Bytes } from '../ber';

/** IAS-ECC compact access rules: AM byte 7B, then the SCBs DELETE, -, ACTIVATE, DEACTIVATE, UPDATE, READ. */
export const ACL = {
  /** EF.ATR and EF.DIR on a real CPS3 (contact): READ always, DELETE and UPDATE under SM through SE#5. */
  SYSTEM: [0x7b, 0x45, 0xff, 0xff, 0xff, 0x45, 0x00],
  /** EF.SN.ICC on a real CPS3 (contact), and every system EF contactless: READ always, the rest never. */
  READ_ONLY: [0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
  /** Files readable after the cardholder PIN (user authentication through SE#3). Not traced: an inference. */
  READ_AFTER_PIN: [0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0x13],
  /** Files the contactless interface never reads (the CPS3 hides the PKCS#15 files from it). */
  NEVER: [0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
} as const;

/** Life cycle status: operational, activated. */
const LCS_ACTIVATED = 0x05;

export interface CardFile {
  fid: number;
  kind: 'df' | 'ef';
  /** DF name, for DFs selectable by AID. */
  aid?: Bytes;
  /** Transparent EF content. */
  data?: Bytes;
  /** Short file identifier (1..30). */
  sfi?: number;
  contact: readonly number[];
  contactless: readonly number[];
  /** READ BINARY needs the cardholder PIN verified first. */
  pinProtected: boolean;
  children: CardFile[];
  parent?: CardFile;
}

export interface EfOptions {
  sfi?: number;
  contact?: readonly number[];
  contactless?: readonly number[];
  pinProtected?: boolean;
}

export function ef(fid: number, data: Bytes, o: EfOptions = {}): CardFile {
  const pinProtected = o.pinProtected ?? false;
  return {
    fid,
    kind: 'ef',
    data,
    sfi: o.sfi,
    contact: o.contact ?? (pinProtected ? ACL.READ_AFTER_PIN : ACL.SYSTEM),
    contactless: o.contactless ?? ACL.NEVER,
    pinProtected,
    children: [],
  };
}

export function df(fid: number, children: CardFile[], aid?: Bytes): CardFile {
  const node: CardFile = {
    fid,
    kind: 'df',
    aid,
    contact: ACL.SYSTEM,
    contactless: ACL.NEVER,
    pinProtected: false,
    children,
  };
  for (const c of children) c.parent = node;
  return node;
}

/** The FCP template (62) of a file, as a CPS3 sends it after SELECT with P2=04. */
export function fcp(file: CardFile): Bytes {
  const security = tlv(0xa1, tlv(0x8c, file.contact as number[]), tlv(0x9c, file.contactless as number[]));
  if (file.kind === 'df') {
    // A DF's FCP was never traced on a real card: the EF layout with the DF descriptor and its name.
    return tlv(
      0x62,
      tlv(0x82, [0x38]),
      tlv(0x83, [file.fid >> 8, file.fid & 0xff]),
      ...(file.aid ? [tlv(0x84, file.aid)] : []),
      security,
      tlv(0x8a, [LCS_ACTIVATED]),
    );
  }
  const size = file.data?.length ?? 0;
  return tlv(
    0x62,
    tlv(0x80, [size >> 8, size & 0xff]),
    tlv(0x82, [0x01]),
    tlv(0x83, [file.fid >> 8, file.fid & 0xff]),
    ...(file.sfi ? [tlv(0x88, [file.sfi << 3])] : []),
    security,
    tlv(0x8a, [LCS_ACTIVATED]),
  );
}

export const childByFid = (dir: CardFile, fid: number) => dir.children.find((c) => c.fid === fid);
export const childBySfi = (dir: CardFile, sfi: number) =>
  dir.children.find((c) => c.kind === 'ef' && c.sfi === sfi);

/** Walks FIDs from `start`; undefined when one of them is missing or an EF is in the middle of the path. */
export function walk(start: CardFile, fids: readonly number[]): CardFile | undefined {
  let node: CardFile | undefined = start;
  for (const f of fids) {
    if (!node || node.kind !== 'df') return undefined;
    node = childByFid(node, f);
  }
  return node;
}
