/**
 * Virtual CPS cards for the simulation, issued by the test PKI's "PERSONNES" intermediate (card-sim/pki.ts): one
 * authentication certificate per person and card generation, with the dates of the simulated timeline, and a CRL
 * valid for the whole run (the cached one follows the wall clock). Keys come from a small pool (a card's key
 * differs from its neighbour's only in which certificate names it; RSA key generation would dominate the run).
 * A pirate CA issues look-alike cards for the strangers.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, sign as rsaSign, webcrypto, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { holderDn, loadTestPki } from '../card-sim/pki';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const ALG = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const EXTRA = { GN: '2.5.4.42', title: '2.5.4.12' };
type Pair = webcrypto.CryptoKeyPair;

export interface SimCard {
  certDerB64: string;
  key: KeyObject;
  serial: string;
  notAfter: Date;
}

export interface SimPki {
  /** Files for the backend's cardAuth option. */
  trustPemFiles: string[];
  crlFiles: string[];
  intermediateNotBefore: Date;
  issue(o: {
    nationalId: string;
    lastName: string;
    firstName: string;
    notBefore: Date;
    notAfter: Date;
    serial: string;
  }): Promise<SimCard>;
  /** A card from "AC PIRATE" with someone else's national id. */
  forged(nationalId: string): Promise<SimCard>;
  signChallenge(card: SimCard, challengeB64url: string): string;
}

async function importKey(pem: string) {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
}

export async function createSimPki(dir: string, o: { from: Date; to: Date; pool?: number }): Promise<SimPki> {
  const pki = await loadTestPki();
  mkdirSync(dir, { recursive: true });
  const inter = new x509.X509Certificate(readFileSync(join(pki.dir, 'intermediate.pem'), 'utf8'));
  const root = new x509.X509Certificate(readFileSync(join(pki.dir, 'root.pem'), 'utf8'));
  const interKey = await importKey(readFileSync(join(pki.dir, 'intermediate.key.pem'), 'utf8'));
  const rootKey = await importKey(readFileSync(join(pki.dir, 'root.key.pem'), 'utf8'));
  // The CRL (nobody revoked) and the root's ARL, valid over the simulated period.
  const crl = await x509.X509CrlGenerator.create({
    issuer: inter.subject,
    thisUpdate: o.from,
    nextUpdate: o.to,
    entries: [],
    signingKey: interKey,
    signingAlgorithm: ALG,
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(inter)],
  });
  const arl = await x509.X509CrlGenerator.create({
    issuer: root.subject,
    thisUpdate: o.from,
    nextUpdate: o.to,
    entries: [],
    signingKey: rootKey,
    signingAlgorithm: ALG,
  });
  const crlPath = join(dir, 'crl.pem');
  writeFileSync(
    crlPath,
    `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n${x509.PemConverter.encode(arl.rawData, 'X509 CRL')}\n`,
  );
  const pool: { pair: Pair; key: KeyObject }[] = [];
  for (let i = 0; i < (o.pool ?? 4); i++) {
    const pair = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as Pair;
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', pair.privateKey);
    pool.push({ pair, key: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }) });
  }
  const pirateKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as Pair;
  const pirate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0badc0de',
    name: 'C=FR, O=ASIP-SANTE, OU=IGC-SANTE TEST, CN=AC PIRATE',
    notBefore: o.from,
    notAfter: o.to,
    keys: pirateKeys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  let n = 0;
  const make = async (
    issuer: { subject: string; key: webcrypto.CryptoKey; cert: x509.X509Certificate },
    c: {
      nationalId: string;
      lastName: string;
      firstName: string;
      notBefore: Date;
      notAfter: Date;
      serial: string;
    },
  ): Promise<SimCard> => {
    const k = pool[n++ % pool.length]!;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: c.serial,
      subject: new x509.Name(
        holderDn({
          nationalId: c.nationalId,
          lastName: c.lastName,
          firstName: c.firstName,
          profession: 'Pharmacien',
        } as Parameters<typeof holderDn>[0]),
        EXTRA,
      ),
      issuer: issuer.subject,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      publicKey: k.pair.publicKey,
      signingKey: issuer.key,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
        new x509.CertificatePolicyExtension(['1.2.250.1.71.9999.1']),
        await x509.AuthorityKeyIdentifierExtension.create(issuer.cert),
      ],
    });
    return {
      certDerB64: Buffer.from(cert.rawData).toString('base64'),
      key: k.key,
      serial: c.serial,
      notAfter: c.notAfter,
    };
  };
  return {
    trustPemFiles: [join(pki.dir, 'root.pem'), join(pki.dir, 'intermediate.pem')],
    crlFiles: [crlPath],
    intermediateNotBefore: inter.notBefore,
    issue: (c) => make({ subject: inter.subject, key: interKey, cert: inter }, c),
    forged: (nationalId) =>
      make(
        { subject: pirate.subject, key: pirateKeys.privateKey, cert: pirate },
        { nationalId, lastName: 'PIRATE', firstName: 'X', notBefore: o.from, notAfter: o.to, serial: '7e57' },
      ),
    // CPS3: the card signs the DigestInfo of SHA-256 with PKCS#1 v1.5 (backend/card-auth/test-pki.ts, signLikeCps3).
    signChallenge: (card, ch) => rsaSign('sha256', Buffer.from(ch, 'base64url'), card.key).toString('base64'),
  };
}
