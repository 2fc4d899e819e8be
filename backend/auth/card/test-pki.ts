/**
 * A small IGC-Santé mirror for tests of this folder, made with @peculiar/x509 and node:crypto: the TEST root and
 * "PERSONNES" intermediate, card authentication certificates (good, revoked, expired, signature-only), a CRL, and
 * a look-alike chain from another CA. Plus the two ways a card signs a challenge (CPS3 and CPS4).
 */
import 'reflect-metadata';
import {
  constants,
  createHash,
  createPrivateKey,
  privateDecrypt,
  sign as rsaSign,
  webcrypto,
} from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const EXTRA = { GN: '2.5.4.42', title: '2.5.4.12' };
const DAY = 86_400_000;

export interface TestCard {
  certPem: string;
  certDer: Uint8Array;
  keyPem: string;
  serial: string;
}

export interface MiniPki {
  rootPem: string;
  intermediatePem: string;
  /** The intermediate's CRL, then the root's ARL. */
  crlPem: string;
  /** Re-issues the CRL (e.g. with more revoked serials, or another nextUpdate). */
  makeCrl(o: { revoked: string[]; thisUpdate?: Date; nextUpdate?: Date }): Promise<string>;
  good: TestCard;
  revoked: TestCard;
  expired: TestCard;
  signatureOnly: TestCard;
  /** Same subject as `good`, issued by "AC PIRATE" (a CA nobody trusts). */
  foreign: TestCard;
  foreignRootPem: string;
}

async function keys() {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}
const pem = (c: { toString(f: 'pem'): string }) => `${c.toString('pem')}\n`;
const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(10)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');

async function caPair(
  dn: string,
  parent?: { cert: x509.X509Certificate; key: webcrypto.CryptoKey },
  arlUrl?: string,
) {
  const k = await keys();
  const now = Date.now();
  const ext = [
    new x509.BasicConstraintsExtension(true, parent ? 0 : undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(k.publicKey),
    ...(arlUrl ? [new x509.CRLDistributionPointsExtension([arlUrl])] : []),
  ];
  const cert = parent
    ? await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: dn,
        issuer: parent.cert.subject,
        notBefore: new Date(now - DAY),
        notAfter: new Date(now + 3650 * DAY),
        publicKey: k.publicKey,
        signingKey: parent.key,
        signingAlgorithm: ALG,
        extensions: ext,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial(),
        name: dn,
        notBefore: new Date(now - DAY),
        notAfter: new Date(now + 7300 * DAY),
        keys: k,
        signingAlgorithm: ALG,
        extensions: ext,
      });
  return { cert, key: k.privateKey };
}

/** The authentication certificates' policy: a TEST OID under the arc of the IGC-Santé policies. */
export const TEST_AUTH_POLICY = '1.2.250.1.71.9999.1';

export const HOLDER = {
  nationalId: '899700054321',
  lastName: 'DURAND',
  firstName: 'SOPHIE',
  profession: 'Pharmacien',
};

async function card(
  ca: { cert: x509.X509Certificate; key: webcrypto.CryptoKey },
  o: {
    nationalId?: string;
    notBefore?: Date;
    notAfter?: Date;
    usage?: 'auth' | 'sign';
    crlUrl?: string;
  } = {},
): Promise<TestCard> {
  const k = await keys();
  const now = Date.now();
  const dn = `CN=${o.nationalId ?? HOLDER.nationalId}+SN=${HOLDER.lastName}+GN=${HOLDER.firstName}, title=${HOLDER.profession}, C=FR`;
  const s = serial();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: s,
    subject: new x509.Name(dn, EXTRA),
    issuer: ca.cert.subject,
    notBefore: o.notBefore ?? new Date(now - DAY),
    notAfter: o.notAfter ?? new Date(now + 3 * 365 * DAY),
    publicKey: k.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      o.usage === 'sign'
        ? new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true)
        : new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          ),
      ...(o.usage === 'sign' ? [] : [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]),
      ...(o.usage === 'sign' ? [] : [new x509.CertificatePolicyExtension([TEST_AUTH_POLICY])]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      ...(o.crlUrl ? [new x509.CRLDistributionPointsExtension([o.crlUrl])] : []),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', k.privateKey);
  return {
    certPem: pem(cert),
    certDer: new Uint8Array(cert.rawData),
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    serial: cert.serialNumber,
  };
}

/**
 * `crlUrl`: the CRL distribution point written in the card certificates (as IGC-Santé does); `arlUrl`: the one
 * of the root's ARL, written in the intermediate.
 */
export async function makeMiniPki(o: { crlUrl?: string; arlUrl?: string } = {}): Promise<MiniPki> {
  const root = await caPair('C=FR, O=ASIP-SANTE, OU=IGC-SANTE TEST, CN=TEST AC RACINE IGC-SANTE FORT');
  const inter = await caPair(
    'C=FR, O=ASIP-SANTE, OU=IGC-SANTE TEST, CN=TEST AC IGC-SANTE FORT PERSONNES',
    root,
    o.arlUrl,
  );
  const now = Date.now();
  const [good, revoked, expired, signatureOnly] = await Promise.all([
    card(inter, { crlUrl: o.crlUrl }),
    card(inter, { nationalId: '899700099990', crlUrl: o.crlUrl }),
    card(inter, { notBefore: new Date(now - 4 * 365 * DAY), notAfter: new Date(now - 30 * DAY) }),
    card(inter, { usage: 'sign' }),
  ]);
  const pirate = await caPair('C=FR, O=ASIP-SANTE, OU=IGC-SANTE TEST, CN=AC PIRATE');
  const foreign = await card(pirate);
  // The root's ARL (no intermediate revoked), issued once and given with every CRL of the intermediate.
  const arl = await x509.X509CrlGenerator.create({
    issuer: root.cert.subject,
    thisUpdate: new Date(Date.now() - 60_000),
    nextUpdate: new Date(Date.now() + 365 * DAY),
    entries: [],
    signingKey: root.key,
    signingAlgorithm: ALG,
  });
  const arlPem = `${x509.PemConverter.encode(arl.rawData, 'X509 CRL')}\n`;
  const makeCrl: MiniPki['makeCrl'] = async (o) => {
    const crl = await x509.X509CrlGenerator.create({
      issuer: inter.cert.subject,
      thisUpdate: o.thisUpdate ?? new Date(),
      nextUpdate: o.nextUpdate ?? new Date(Date.now() + 7 * DAY),
      entries: o.revoked.map((serialNumber) => ({
        serialNumber,
        revocationDate: new Date(Date.now() - DAY),
        reason: x509.X509CrlReason.keyCompromise,
      })),
      signingKey: inter.key,
      signingAlgorithm: ALG,
    });
    return `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n${arlPem}`;
  };
  return {
    rootPem: pem(root.cert),
    intermediatePem: pem(inter.cert),
    crlPem: await makeCrl({ revoked: [revoked.serial] }),
    makeCrl,
    good,
    revoked,
    expired,
    signatureOnly,
    foreign,
    foreignRootPem: pem(pirate.cert),
  };
}

const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** CPS3: INTERNAL AUTHENTICATE of DigestInfo; the card applies PKCS#1 v1.5 type 1 padding. */
export function signLikeCps3(keyPem: string, challenge: Uint8Array): Buffer {
  return rsaSign('sha256', challenge, createPrivateKey(keyPem));
}

/** CPS4: the host pads DigestInfo (type 1) to the modulus length; the card does a raw RSA private operation. */
export function signLikeCps4(keyPem: string, challenge: Uint8Array): Buffer {
  const key = createPrivateKey(keyPem);
  const k = (key.asymmetricKeyDetails!.modulusLength ?? 2048) / 8;
  const t = Buffer.concat([SHA256_DIGEST_INFO_PREFIX, createHash('sha256').update(challenge).digest()]);
  const block = Buffer.concat([
    Buffer.from([0x00, 0x01]),
    Buffer.alloc(k - t.length - 3, 0xff),
    Buffer.from([0x00]),
    t,
  ]);
  return privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, block);
}
