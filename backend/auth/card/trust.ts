/**
 * The trust store: PEM roots and intermediates from configuration (IGC-Santé in production, the TEST mirror in
 * development and tests), and the chain from a card certificate up to a trusted root. Path building is a short
 * loop (issuer name match + signature check); the X.509 parsing and signature checks are @peculiar/x509's.
 *
 * Besides the signatures, a chain holds only if every CA on it may sign certificates (basicConstraints cA and
 * keyUsage keyCertSign) within its path length, and, when the store names certificate policies, the card
 * certificate asserts one of them: the IGC-Santé authentication certificates carry the policy of their
 * certification policy (an OID under the arc of the Agence du Numérique en Santé, 1.2.250.1.71), which
 * server, software or signature certificates of the same chain do not.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto is the Crypto x509 expects; its declared type differs with and without the DOM lib.
x509.cryptoProvider.set(webcrypto as never);

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block with the given labels, as DER. */
export function pemBlocks(text: string, labels: readonly string[]): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (labels.includes(m[1]!)) out.push(new Uint8Array(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64')));
  }
  return out;
}

const sameBytes = (a: ArrayBuffer, b: ArrayBuffer) => Buffer.from(a).equals(Buffer.from(b));

/** Parses a certificate given as DER bytes, PEM text or base64 of the DER. Throws on garbage. */
export function parseCertificate(c: Uint8Array | string): x509.X509Certificate {
  if (typeof c !== 'string') return new x509.X509Certificate(new Uint8Array(c));
  const blocks = pemBlocks(c, ['CERTIFICATE']);
  return new x509.X509Certificate(blocks[0] ?? new Uint8Array(Buffer.from(c.trim(), 'base64')));
}

/** The arc of the Agence du Numérique en Santé, under which the IGC-Santé certification policies are. */
export const IGC_SANTE_POLICY_ARC = '1.2.250.1.71';

export interface TrustOptions {
  /**
   * Certificate policy OIDs (or arcs: an OID accepts itself and everything under it) of which the card
   * certificate must assert one. Empty: no policy is required. Production trust stores name the exact policy
   * of the IGC-Santé authentication certificates of the cards (see SECURITY.md).
   */
  policyArcs?: readonly string[];
}

export class TrustStore {
  private constructor(
    readonly anchors: readonly x509.X509Certificate[],
    readonly intermediates: readonly x509.X509Certificate[],
    readonly policyArcs: readonly string[] = [],
  ) {}

  /** True when the certificate asserts one of the required policies (always true without any). */
  hasRequiredPolicy(cert: x509.X509Certificate): boolean {
    if (this.policyArcs.length === 0) return true;
    const policies = cert.getExtension(x509.CertificatePolicyExtension)?.policies ?? [];
    return policies.some((p) => this.policyArcs.some((arc) => p === arc || p.startsWith(`${arc}.`)));
  }

  /**
   * From PEM texts (files concatenated, or one per entry). Self-signed certificates become trust anchors; the
   * others are intermediates that may complete a chain but are never trusted by themselves.
   */
  static async fromPem(pems: string | readonly string[], o: TrustOptions = {}): Promise<TrustStore> {
    const certs = (typeof pems === 'string' ? [pems] : pems)
      .flatMap((p) => pemBlocks(p, ['CERTIFICATE']))
      .map((d) => new x509.X509Certificate(d));
    const anchors: x509.X509Certificate[] = [];
    const inter: x509.X509Certificate[] = [];
    for (const c of certs) ((await c.isSelfSigned()) ? anchors : inter).push(c);
    if (anchors.length === 0) throw new Error('trust store: no root certificate');
    return new TrustStore(anchors, inter, o.policyArcs ?? []);
  }

  /** The issuer of `cert` among the known CA certificates, checked by signature. */
  async issuerOf(cert: x509.X509Certificate): Promise<x509.X509Certificate | null> {
    for (const c of [...this.intermediates, ...this.anchors]) {
      if (!sameBytes(cert.issuerName.toArrayBuffer(), c.subjectName.toArrayBuffer())) continue;
      if (await cert.verify({ publicKey: c.publicKey, signatureOnly: true })) return c;
    }
    return null;
  }

  isAnchor(cert: x509.X509Certificate): boolean {
    return this.anchors.some((a) => sameBytes(a.rawData, cert.rawData));
  }

  /**
   * The chain [leaf, …, root] ending at a trusted root, or null. Every CA on the way must say it is a CA
   * (basicConstraints cA=true), may sign certificates (keyUsage keyCertSign) and have no more CAs below it than
   * its path length allows; the leaf must assert a required policy. Dates and revocation are not looked at here.
   */
  async chain(leaf: x509.X509Certificate, maxDepth = 5): Promise<x509.X509Certificate[] | null> {
    if (!this.hasRequiredPolicy(leaf)) return null;
    const out = [leaf];
    let cur = leaf;
    for (let i = 0; i < maxDepth; i++) {
      if (this.isAnchor(cur) && cur !== leaf) return out;
      const issuer = await this.issuerOf(cur);
      if (!issuer) return null;
      const bc = issuer.getExtension(x509.BasicConstraintsExtension);
      if (!bc?.ca) return null;
      const ku = issuer.getExtension(x509.KeyUsagesExtension);
      if (!ku || (ku.usages & x509.KeyUsageFlags.keyCertSign) === 0) return null;
      // CAs between this issuer and the leaf: the ones already on the chain, the leaf excepted.
      if (bc.pathLength !== undefined && out.length - 1 > bc.pathLength) return null;
      out.push(issuer);
      if (this.isAnchor(issuer)) return out;
      cur = issuer;
    }
    return null;
  }
}
