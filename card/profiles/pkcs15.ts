/**
 * Finds a certificate through the card's PKCS#15 structure: EF.ODF (5031) → the CDF path (tag A4) → the
 * certificate object whose label matches → its path. The EF identifiers are never hard-coded on a CPS
 * (shared/reference/cps-card.md §1.3): Cryptolib and OpenSC discover them the same way.
 */
import { AppError } from '../../domain/result';
import type { Bytes } from '../bytes';
import { parseTlvs } from '../tlv';

export const LABEL_AUTH_CERT = "Certificat d'Authentification CPS";

/** The Path inside an ODF entry / certificate attributes: SEQUENCE { OCTET STRING path, ... }. */
function pathOf(seq: Bytes): Bytes {
  const path = parseTlvs(seq).find((t) => t.tag === 0x30);
  const octets = path && parseTlvs(path.value).find((t) => t.tag === 0x04);
  if (!octets) throw new AppError('CARD_PROTOCOL', 'Structure PKCS#15 illisible (chemin absent).');
  return octets.value;
}

export function cdfPathFromOdf(odf: Bytes): Bytes {
  const entry = parseTlvs(odf).find((t) => t.tag === 0xa4);
  if (!entry)
    throw new AppError('CARD_FILE_NOT_FOUND', 'La carte ne déclare pas de certificats (ODF sans CDF).');
  return pathOf(entry.value);
}

export interface CertEntry {
  label: string;
  id: Bytes;
  path: Bytes;
}

export function certEntriesFromCdf(cdf: Bytes): CertEntry[] {
  return parseTlvs(cdf)
    .filter((t) => t.tag === 0x30)
    .map((obj) => {
      const parts = parseTlvs(obj.value);
      const common = parts[0]?.tag === 0x30 ? parseTlvs(parts[0].value) : [];
      const labelTlv = common.find((t) => t.tag === 0x0c);
      const certAttrs = parts[1]?.tag === 0x30 ? parseTlvs(parts[1].value) : [];
      const typeAttrs = parts.find((t) => t.tag === 0xa1);
      if (!typeAttrs)
        throw new AppError('CARD_PROTOCOL', 'Structure PKCS#15 illisible (certificat sans attributs).');
      const x509Attrs = parseTlvs(typeAttrs.value).find((t) => t.tag === 0x30);
      if (!x509Attrs)
        throw new AppError('CARD_PROTOCOL', 'Structure PKCS#15 illisible (certificat sans valeur).');
      return {
        label: labelTlv ? new TextDecoder().decode(labelTlv.value) : '',
        id: certAttrs.find((t) => t.tag === 0x04)?.value ?? new Uint8Array(0),
        path: pathOf(x509Attrs.value),
      };
    });
}

export function authCertPath(cdf: Bytes): Bytes {
  const entries = certEntriesFromCdf(cdf);
  const e = entries.find((x) => x.label === LABEL_AUTH_CERT);
  if (!e) throw new AppError('CARD_FILE_NOT_FOUND', "La carte n'a pas de certificat d'authentification.");
  return e.path;
}
