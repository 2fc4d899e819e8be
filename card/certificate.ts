/** The holder as the authentication certificate names them (IGC-Santé subject: CN=<national id>+SN+GN, title). */
import 'reflect-metadata';
import { X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import { X509Certificate } from 'node:crypto';
import type { CardHolder } from '../domain/card';
import { AppError } from '../domain/result';
import type { Bytes } from './bytes';

const OID = { CN: '2.5.4.3', SN: '2.5.4.4', GN: '2.5.4.42', TITLE: '2.5.4.12' };

export interface CertificateInfo {
  holder: CardHolder;
  notAfter: string;
  modulusBytes: number;
}

/** The last certificates read, by content: a card read again gives the same bytes; parsing them is the cost. */
const memo: { der: Bytes; info: CertificateInfo }[] = [];

export function readCertificate(der: Bytes): CertificateInfo {
  const hit = memo.find((m) => m.der.length === der.length && Buffer.compare(m.der, der) === 0);
  if (hit) return hit.info;
  const info = parseCertificate(der);
  memo.unshift({ der: new Uint8Array(der), info });
  memo.length = Math.min(memo.length, 4);
  return info;
}

function parseCertificate(der: Bytes): CertificateInfo {
  let cert: PeculiarCertificate;
  let bits: number;
  let notAfter: Date;
  try {
    cert = new PeculiarCertificate(der);
    // Node parses the key and the dates lazily: a damaged key only fails when it is read, so read it here.
    const node = new X509Certificate(der);
    bits = node.publicKey.asymmetricKeyDetails?.modulusLength ?? 2048;
    notAfter = new Date(node.validTo);
    if (Number.isNaN(notAfter.getTime())) throw new Error('validTo');
  } catch {
    throw new AppError('CARD_PROTOCOL', "Le certificat d'authentification de la carte est illisible.");
  }
  const field = (oid: string) => cert.subjectName.getField(oid)[0] ?? '';
  const nationalId = field(OID.CN);
  if (!/^[0-9]{10,12}$/.test(nationalId) && !/^[345]\d+\/\S+$/.test(nationalId))
    throw new AppError(
      'CARD_NOT_CPS',
      "Le certificat de la carte ne porte pas d'identifiant national de professionnel.",
    );
  return {
    holder: { nationalId, lastName: field(OID.SN), firstName: field(OID.GN), profession: field(OID.TITLE) },
    notAfter: notAfter.toISOString(),
    modulusBytes: Math.ceil(bits / 8),
  };
}

export function toPem(der: Bytes): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
