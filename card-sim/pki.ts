/**
 * The test PKI: a mirror of IGC-Santé with TEST names. A root ("TEST AC RACINE IGC-SANTE FORT"), the
 * "PERSONNES" intermediate, card certificates (authentication and signature) whose subject starts with the
 * multi-valued RDN CN=<national id>+SN=<NOM>+GN=<PRENOM> followed by title=<profession> and C=FR, and a CRL.
 *
 * Generated once with @peculiar/x509 and cached as PEM files under ./.vigie/test-pki/ (the backend's trust
 * store reads them through `loadTestPki()`). Holders not in the cache are issued on demand.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOLDERS, type SimHolder } from './holders';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const OID_GN = '2.5.4.42';
const OID_TITLE = '2.5.4.12';
const EXTRA_NAMES = { GN: OID_GN, title: OID_TITLE };

export const ROOT_DN =
  'C=FR, O=ASIP-SANTE, OU=0002 187512751, OU=IGC-SANTE TEST, CN=TEST AC RACINE IGC-SANTE FORT';
export const INTERMEDIATE_DN =
  'C=FR, O=ASIP-SANTE, OU=0002 187512751, OU=IGC-SANTE TEST, CN=TEST AC IGC-SANTE FORT PERSONNES';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultPkiDir = () => process.env.VIGIE_TEST_PKI_DIR ?? join(repoRoot, '.vigie', 'test-pki');

export interface HolderCredentials {
  holder: SimHolder;
  /** Authentication certificate (PEM) and its RSA-2048 private key (PKCS#8 PEM). */
  authCertPem: string;
  authKeyPem: string;
  /** Signature (non-repudiation) certificate and key. */
  signCertPem: string;
  signKeyPem: string;
}

export interface TestPki {
  dir: string;
  rootPem: string;
  intermediatePem: string;
  /** CRL of the intermediate, PEM with the OpenSSL label `X509 CRL`. */
  crlPem: string;
  /** The demo holders by national id. */
  holders: Record<string, HolderCredentials>;
  /** Issues (or reads from the cache) the credentials of any holder. */
  credentialsFor(holder: SimHolder): Promise<HolderCredentials>;
  /**
   * New credentials of a holder whose certificates end in `validDays` days (a card near its end), never cached:
   * each call issues a fresh pair, so the end stays that many days from now.
   */
  expiringCredentialsFor(holder: SimHolder, validDays: number): Promise<HolderCredentials>;
}

const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);

function writeAtomic(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, withNewline(text), { mode: 0o600 });
  renameSync(tmp, path);
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
}

const serialHex = () => {
  const b = randomBytes(12);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
};

function dnEscape(v: string) {
  return v.replace(/([,+"\\<>;=])/g, '\\$1');
}

export function holderDn(h: SimHolder): string {
  return `CN=${h.nationalId}+SN=${dnEscape(h.lastName)}+GN=${dnEscape(h.firstName)}, title=${dnEscape(h.profession)}, C=FR`;
}

async function generateCa(dir: string) {
  const now = new Date();
  const rootKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialHex(),
    name: ROOT_DN,
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 20 * 365 * 86_400_000),
    keys: rootKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const interKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const inter = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex(),
    subject: INTERMEDIATE_DN,
    issuer: root.subject,
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 10 * 365 * 86_400_000),
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(interKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'root.key.pem'), await exportKeyPem(rootKeys.privateKey));
  writeAtomic(join(dir, 'intermediate.key.pem'), await exportKeyPem(interKeys.privateKey));
  writeAtomic(join(dir, 'root.pem'), root.toString('pem'));
  writeAtomic(join(dir, 'intermediate.pem'), inter.toString('pem'));
}

async function issueHolder(
  dir: string,
  h: SimHolder,
  o: { validDays?: number; cache?: boolean } = {},
): Promise<HolderCredentials> {
  const inter = new x509.X509Certificate(readFileSync(join(dir, 'intermediate.pem'), 'utf8'));
  const interKey = await importKeyPem(readFileSync(join(dir, 'intermediate.key.pem'), 'utf8'));
  const now = new Date();
  const make = async (usage: 'auth' | 'sign') => {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialHex(),
      subject: new x509.Name(holderDn(h), EXTRA_NAMES),
      issuer: inter.subject,
      notBefore: new Date(now.getTime() - 86_400_000),
      // A CPS is valid for 3 years.
      notAfter: new Date(now.getTime() + (o.validDays ?? 3 * 365) * 86_400_000),
      publicKey: keys.publicKey,
      signingKey: interKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        usage === 'auth'
          ? new x509.KeyUsagesExtension(
              x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
              true,
            )
          : new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true),
        ...(usage === 'auth'
          ? [
              new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
              // A TEST policy under the arc of the IGC-Santé certification policies (1.2.250.1.71).
              new x509.CertificatePolicyExtension(['1.2.250.1.71.9999.1']),
            ]
          : []),
        await x509.AuthorityKeyIdentifierExtension.create(inter),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return {
      certPem: withNewline(cert.toString('pem')),
      keyPem: withNewline(await exportKeyPem(keys.privateKey)),
      serial: cert.serialNumber,
    };
  };
  const auth = await make('auth');
  const sign = await make('sign');
  const creds: HolderCredentials = {
    holder: h,
    authCertPem: auth.certPem,
    authKeyPem: auth.keyPem,
    signCertPem: sign.certPem,
    signKeyPem: sign.keyPem,
  };
  if (o.cache !== false)
    writeAtomic(
      join(dir, 'holders', `${h.nationalId}.json`),
      JSON.stringify({ ...creds, serials: [auth.serial, sign.serial] }),
    );
  return creds;
}

async function writeCrl(dir: string) {
  const inter = new x509.X509Certificate(readFileSync(join(dir, 'intermediate.pem'), 'utf8'));
  const interKey = await importKeyPem(readFileSync(join(dir, 'intermediate.key.pem'), 'utf8'));
  const revoked = HOLDERS.filter((h) => h.revoked).flatMap((h) => {
    const j = JSON.parse(readFileSync(join(dir, 'holders', `${h.nationalId}.json`), 'utf8')) as {
      serials: string[];
    };
    return j.serials;
  });
  const now = new Date();
  const crl = await x509.X509CrlGenerator.create({
    issuer: inter.subject,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + 365 * 86_400_000),
    entries: revoked.map((serialNumber) => ({
      serialNumber,
      revocationDate: now,
      reason: x509.X509CrlReason.keyCompromise,
    })),
    signingKey: interKey,
    signingAlgorithm: ALG,
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(inter)],
  });
  // The root's ARL (no intermediate revoked): relying parties check the intermediate too.
  const root = new x509.X509Certificate(readFileSync(join(dir, 'root.pem'), 'utf8'));
  const arl = await x509.X509CrlGenerator.create({
    issuer: root.subject,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + 365 * 86_400_000),
    entries: [],
    signingKey: await importKeyPem(readFileSync(join(dir, 'root.key.pem'), 'utf8')),
    signingAlgorithm: ALG,
  });
  // OpenSSL expects the label "X509 CRL".
  writeAtomic(
    join(dir, 'crl.pem'),
    `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n${x509.PemConverter.encode(arl.rawData, 'X509 CRL')}\n`,
  );
}

function readCreds(dir: string, nationalId: string): HolderCredentials | undefined {
  const p = join(dir, 'holders', `${nationalId}.json`);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as HolderCredentials;
}

let loading: Promise<TestPki> | undefined;
let loadingDir: string | undefined;

/** The test PKI, generated at first use and cached on disk. Safe to call from several processes at once. */
export function loadTestPki(dir = defaultPkiDir()): Promise<TestPki> {
  if (!loading || loadingDir !== dir) {
    loadingDir = dir;
    loading = load(dir);
  }
  return loading;
}

async function load(dir: string): Promise<TestPki> {
  if (!existsSync(join(dir, 'crl.pem'))) {
    // Generate into a private folder, then move it in place; the first process to finish wins.
    const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await generateCa(tmp);
    for (const h of HOLDERS) await issueHolder(tmp, h);
    await writeCrl(tmp);
    try {
      mkdirSync(dirname(dir), { recursive: true });
      renameSync(tmp, dir);
    } catch {
      // Another process made it first: use theirs.
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if ((readFileSync(join(dir, 'crl.pem'), 'utf8').match(/BEGIN X509 CRL/g) ?? []).length < 2)
    await writeCrl(dir);
  const holders: Record<string, HolderCredentials> = {};
  for (const h of HOLDERS) holders[h.nationalId] = readCreds(dir, h.nationalId)!;
  return {
    dir,
    rootPem: readFileSync(join(dir, 'root.pem'), 'utf8'),
    intermediatePem: readFileSync(join(dir, 'intermediate.pem'), 'utf8'),
    crlPem: readFileSync(join(dir, 'crl.pem'), 'utf8'),
    holders,
    async credentialsFor(h) {
      const cached = readCreds(dir, h.nationalId);
      if (cached && cached.holder.lastName === h.lastName && cached.holder.firstName === h.firstName)
        return cached;
      return issueHolder(dir, h);
    },
    expiringCredentialsFor: (h, validDays) => issueHolder(dir, h, { validDays, cache: false }),
  };
}
