/**
 * Verification of a card sign-in: the challenge (single use, not expired, this workstation), then the
 * certificate (chain to a trusted root, dates, key usage, revocation), then the signature, then the identity.
 *
 * The card signs with its authentication key an RSASSA-PKCS1-v1_5 signature of SHA-256 DigestInfo(challenge):
 * INTERNAL AUTHENTICATE on a CPS3 (the card pads), a raw RSA operation on the block the host padded on a CPS4.
 * Both give the same bytes, which `crypto.verify('sha256', …, RSA_PKCS1_PADDING)` checks.
 */
import 'reflect-metadata';
import { constants, createHash, createPublicKey, verify as rsaVerify } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { ErrorCode } from '../../../domain/errors';
import { consumeChallenge, type ChallengeStore } from './challenges';
import type { CrlCache } from './crl';
import { identityFromSubject, type CardHolderIdentity } from './identity';
import { parseCertificate, type TrustStore } from './trust';

export interface CardSignInInput {
  /** The challenge as issued (base64url). */
  challenge: string;
  /** The signature: bytes or base64. */
  signature: Uint8Array | string;
  /** The authentication certificate read from the card: DER bytes, PEM or base64 of the DER. */
  certificate: Uint8Array | string;
  /** The workstation making the call (from its header), which must be the one the challenge was issued to. */
  workstationId: string;
}

export interface CardAuthDeps {
  challenges: ChallengeStore;
  trust: TrustStore;
  crls: CrlCache;
}

export interface VerifiedCard extends CardHolderIdentity {
  /** Certificate serial (hex) and SHA-256 fingerprint (hex), for the event log. */
  certSerial: string;
  certFingerprint: string;
  certNotAfter: Date;
  issuer: string;
}

export type CardSignInResult =
  | { ok: true; card: VerifiedCard }
  | {
      ok: false;
      code: ErrorCode;
      message: string;
      /** What the certificate claimed, when it could be read (for the security log). */
      claimed?: { nationalId: string; certSerial: string } | undefined;
      /**
       * The card itself was there: the certificate chains to a trusted root and its key signed a valid challenge
       * of this workstation, and something else refused it (dates, key usage, revocation, revocation unknown).
       * Only such a refusal may be shown in the account's own events; nothing else proves who sent it.
       */
      cardPresent?: boolean;
    };

const KU = x509.KeyUsageFlags;
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function bytes(x: Uint8Array | string): Buffer {
  return typeof x === 'string' ? Buffer.from(x, 'base64') : Buffer.from(x);
}

export function signatureMatches(
  cert: x509.X509Certificate,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa') return false;
    return rsaVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

/** Everything a route needs to decide a card sign-in. Never throws for a bad input: returns a code. */
export async function verifyCardSignIn(
  input: CardSignInInput,
  deps: CardAuthDeps,
  now: Date,
): Promise<CardSignInResult> {
  const ch = await consumeChallenge(deps.challenges, input.challenge, input.workstationId, now);

  let cert: x509.X509Certificate;
  try {
    cert = parseCertificate(input.certificate);
  } catch {
    return { ok: false, code: 'CERT_UNTRUSTED', message: "Le certificat de la carte n'a pas pu être lu." };
  }
  const identity = identityFromSubject(cert.subjectName);
  const claimed = identity ? { nationalId: identity.nationalId, certSerial: cert.serialNumber } : undefined;
  let cardPresent = false;
  const fail = (code: ErrorCode, message: string): CardSignInResult => ({
    ok: false,
    code,
    message,
    claimed,
    cardPresent,
  });

  if (!ch.ok) return fail(ch.code, ch.message);

  const chain = await deps.trust.chain(cert);
  if (!chain)
    return fail(
      'CERT_UNTRUSTED',
      "Le certificat de la carte n'est pas émis par une autorité reconnue (IGC-Santé).",
    );
  const signed = signatureMatches(cert, ch.bytes, bytes(input.signature));
  cardPresent = signed;
  for (const c of chain) {
    if (now < c.notBefore || now > c.notAfter) {
      return fail(
        'CERT_EXPIRED',
        c === cert
          ? "Le certificat de la carte n'est pas (ou plus) valide à cette date : la carte est peut-être périmée."
          : "Un certificat de l'autorité de la carte n'est pas valide à cette date.",
      );
    }
  }
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (!ku || (ku.usages & KU.digitalSignature) === 0) {
    return fail('CERT_KEY_USAGE', "Ce certificat de la carte ne sert pas à l'authentification.");
  }
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku && !eku.usages.includes(OID_CLIENT_AUTH as x509.ExtendedKeyUsageType)) {
    return fail('CERT_KEY_USAGE', "Ce certificat de la carte ne sert pas à l'authentification.");
  }
  const status = await deps.crls.chainStatus(chain, now);
  if (status === 'revoked')
    return fail(
      'CERT_REVOKED',
      'Le certificat de cette carte a été révoqué : la carte a été déclarée perdue, volée ou remplacée.',
    );
  if (status === 'unknown')
    return fail(
      'UNAVAILABLE',
      "L'état de révocation de la carte ne peut pas être vérifié pour le moment. Réessayez plus tard.",
    );

  if (!signed) {
    return fail('SIGNATURE_INVALID', 'La signature de la carte ne correspond pas au défi de connexion.');
  }
  if (!identity)
    return fail(
      'CARD_HOLDER_UNKNOWN',
      "Le certificat de la carte ne porte pas d'identifiant national reconnu.",
    );
  return {
    ok: true,
    card: {
      ...identity,
      certSerial: cert.serialNumber,
      certFingerprint: createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex'),
      certNotAfter: cert.notAfter,
      issuer: cert.issuer,
    },
  };
}
