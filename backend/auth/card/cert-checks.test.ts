/**
 * Certificates that chain to the trusted root but must still be refused, from the side of someone who holds one:
 * a CA that was never allowed to sign certificates, a sub-CA below the "PERSONNES" intermediate (path length 0),
 * a certificate of the right chain that is not a card authentication certificate (no IGC-Santé policy), an
 * intermediate that the root has revoked (ARL), and an old CRL without nextUpdate that hides a revocation.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CrlCache,
  MemoryChallengeStore,
  TrustStore,
  issueChallenge,
  pemCrlSource,
  verifyCardSignIn,
  type CardAuthDeps,
} from './index';
import { HOLDER, signLikeCps3 } from './test-pki';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const DAY = 86_400_000;
const WS = 'ws-comptoir-1';
/** A TEST policy under the arc of the Agence du Numérique en Santé (1.2.250.1.71), as the real ones are. */
const TEST_POLICY = '1.2.250.1.71.9999.1';
const IGC_SANTE_ARC = '1.2.250.1.71';

type Ca = { cert: x509.X509Certificate; key: webcrypto.CryptoKey };
const keys = async () =>
  (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
let serials = 1;
const serial = () => (0x1000 + serials++).toString(16);

async function ca(
  dn: string,
  parent: Ca | null,
  o: { pathLen?: number; keyCertSign?: boolean } = {},
): Promise<Ca> {
  const k = await keys();
  const usages =
    ((o.keyCertSign ?? true) ? x509.KeyUsageFlags.keyCertSign : x509.KeyUsageFlags.digitalSignature) |
    x509.KeyUsageFlags.cRLSign;
  const extensions = [
    new x509.BasicConstraintsExtension(true, o.pathLen, true),
    new x509.KeyUsagesExtension(usages, true),
  ];
  const when = { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 3650 * DAY) };
  const cert = parent
    ? await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: dn,
        issuer: parent.cert.subject,
        publicKey: k.publicKey,
        signingKey: parent.key,
        signingAlgorithm: ALG,
        extensions,
        ...when,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial(),
        name: dn,
        keys: k,
        signingAlgorithm: ALG,
        extensions,
        ...when,
      });
  return { cert, key: k.privateKey };
}

async function card(issuer: Ca, policies: string[] = [TEST_POLICY]) {
  const k = await keys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: new x509.Name(
      `CN=${HOLDER.nationalId}+SN=${HOLDER.lastName}+GN=${HOLDER.firstName}, title=${HOLDER.profession}, C=FR`,
      { GN: '2.5.4.42', title: '2.5.4.12' },
    ),
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    publicKey: k.publicKey,
    signingKey: issuer.key,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      ...(policies.length ? [new x509.CertificatePolicyExtension(policies)] : []),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', k.privateKey);
  return { cert, keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

async function crl(
  issuer: Ca,
  revoked: string[] = [],
  o: { thisUpdate?: Date; nextUpdate?: Date | null } = {},
) {
  const c = await x509.X509CrlGenerator.create({
    issuer: issuer.cert.subject,
    thisUpdate: o.thisUpdate ?? new Date(Date.now() - 60_000),
    ...(o.nextUpdate === null ? {} : { nextUpdate: o.nextUpdate ?? new Date(Date.now() + 7 * DAY) }),
    entries: revoked.map((serialNumber) => ({ serialNumber, revocationDate: new Date(Date.now() - DAY) })),
    signingKey: issuer.key,
    signingAlgorithm: ALG,
  });
  return x509.PemConverter.encode(c.rawData, 'X509 CRL');
}

async function signIn(
  root: Ca,
  cas: Ca[],
  leaf: Awaited<ReturnType<typeof card>>,
  crls: string[],
  o: { policyArcs?: string[] } = {},
) {
  const deps: CardAuthDeps = {
    challenges: new MemoryChallengeStore(),
    trust: await TrustStore.fromPem([root.cert.toString('pem'), ...cas.map((c) => c.cert.toString('pem'))], {
      policyArcs: o.policyArcs ?? [IGC_SANTE_ARC],
    }),
    crls: new CrlCache(pemCrlSource(() => crls)),
  };
  const now = new Date();
  const { challenge } = await issueChallenge(deps.challenges, { workstationId: WS, now });
  const signature = signLikeCps3(leaf.keyPem, Buffer.from(challenge, 'base64url'));
  return verifyCardSignIn(
    { challenge, signature, certificate: new Uint8Array(leaf.cert.rawData), workstationId: WS },
    deps,
    now,
  );
}

const ROOT = 'C=FR, O=ASIP-SANTE, OU=IGC-SANTE TEST, CN=TEST AC RACINE IGC-SANTE FORT';
const INTER = 'C=FR, O=ASIP-SANTE, OU=IGC-SANTE TEST, CN=TEST AC IGC-SANTE FORT PERSONNES';

describe('certificates that chain to the root and are still refused', () => {
  it('the genuine chain signs in (root ARL, intermediate CRL, IGC-Santé policy)', async () => {
    const root = await ca(ROOT, null);
    const inter = await ca(INTER, root, { pathLen: 0 });
    const leaf = await card(inter);
    expect(await signIn(root, [inter], leaf, [await crl(root), await crl(inter)])).toMatchObject({
      ok: true,
    });
  }, 30_000);

  it('a CA certificate without keyCertSign cannot vouch for a card', async () => {
    const root = await ca(ROOT, null);
    const notASigner = await ca('C=FR, O=ASIP-SANTE, CN=TEST OCSP RESPONDER', root, {
      pathLen: 0,
      keyCertSign: false,
    });
    const leaf = await card(notASigner);
    expect(await signIn(root, [notASigner], leaf, [await crl(root), await crl(notASigner)])).toMatchObject({
      ok: false,
      code: 'CERT_UNTRUSTED',
    });
  }, 30_000);

  it('a sub-CA below the PERSONNES intermediate (path length 0) cannot vouch for a card', async () => {
    const root = await ca(ROOT, null);
    const inter = await ca(INTER, root, { pathLen: 0 });
    const sub = await ca('C=FR, O=PHARMACIE PIRATE, CN=AC DE LA PHARMACIE', inter);
    const leaf = await card(sub);
    const crls = [await crl(root), await crl(inter), await crl(sub)];
    expect(await signIn(root, [inter, sub], leaf, crls)).toMatchObject({ ok: false, code: 'CERT_UNTRUSTED' });
  }, 30_000);

  it('a certificate of the right chain without the IGC-Santé policy (not a card authentication certificate) is refused', async () => {
    const root = await ca(ROOT, null);
    const inter = await ca(INTER, root, { pathLen: 0 });
    const crls = [await crl(root), await crl(inter)];
    expect(await signIn(root, [inter], await card(inter, []), crls)).toMatchObject({
      ok: false,
      code: 'CERT_UNTRUSTED',
    });
    expect(await signIn(root, [inter], await card(inter, ['1.3.6.1.4.1.311.21.8.1']), crls)).toMatchObject({
      ok: false,
      code: 'CERT_UNTRUSTED',
    });
  }, 30_000);

  it('an intermediate the root revoked (listed in its ARL) vouches for nobody; no ARL at all is refused too', async () => {
    const root = await ca(ROOT, null);
    const inter = await ca(INTER, root, { pathLen: 0 });
    const leaf = await card(inter);
    expect(
      await signIn(root, [inter], leaf, [await crl(root, [inter.cert.serialNumber]), await crl(inter)]),
    ).toMatchObject({ ok: false, code: 'CERT_REVOKED' });
    expect(await signIn(root, [inter], leaf, [await crl(inter)])).toMatchObject({
      ok: false,
      code: 'UNAVAILABLE',
    });
  }, 30_000);

  it('an old CRL without nextUpdate is not used past the maximum age: it cannot hide a later revocation', async () => {
    const root = await ca(ROOT, null);
    const inter = await ca(INTER, root, { pathLen: 0 });
    const leaf = await card(inter);
    const old = await crl(inter, [], { thisUpdate: new Date(Date.now() - 10 * DAY), nextUpdate: null });
    expect(await signIn(root, [inter], leaf, [await crl(root), old])).toMatchObject({
      ok: false,
      code: 'UNAVAILABLE',
    });
    const fresh = await crl(inter, [], { nextUpdate: null });
    expect(await signIn(root, [inter], leaf, [await crl(root), fresh])).toMatchObject({ ok: true });
  }, 30_000);
});
