/**
 * Revocation through CRLs, cached per issuing CA and refreshed: when older than `refreshMs` (IGC-Santé publishes
 * every morning), or past the CRL's own nextUpdate. A CRL is used only if its signature verifies with the
 * issuer's key; one without nextUpdate only until `maxAgeMs` after its thisUpdate, so that an old CRL cannot
 * hide a later revocation. When no usable CRL can be had, the status is `unknown` and sign-in is refused (fail
 * closed). `chainStatus` checks every certificate of a chain below the root: the card against its CA's CRL, and
 * each intermediate against its issuer's (the root's ARL).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { pemBlocks } from './trust';

/** Where CRLs come from: configured files or URLs (the distribution point in the certificate). */
export interface CrlSource {
  /** The CRL of this issuing CA (DER or PEM), or null if none. May throw on network errors. */
  fetch(issuer: x509.X509Certificate, cert: x509.X509Certificate): Promise<Uint8Array | string | null>;
}

function parseCrl(c: Uint8Array | string): x509.X509Crl {
  if (typeof c !== 'string') return new x509.X509Crl(new Uint8Array(c));
  const der = pemBlocks(c, ['X509 CRL'])[0];
  if (!der) throw new Error('no CRL in PEM');
  return new x509.X509Crl(der);
}

/** CRLs given as PEM texts (e.g. read from files named in the configuration), matched by issuer name. */
export function pemCrlSource(load: () => Promise<readonly string[]> | readonly string[]): CrlSource {
  return {
    async fetch(issuer) {
      for (const text of await load()) {
        for (const der of pemBlocks(text, ['X509 CRL'])) {
          const crl = new x509.X509Crl(der);
          if (
            Buffer.from(crl.issuerName.toArrayBuffer()).equals(
              Buffer.from(issuer.subjectName.toArrayBuffer()),
            )
          )
            return der;
        }
      }
      return null;
    },
  };
}

/** CRLs downloaded from the certificate's CRL distribution point (http/https). */
export function httpCrlSource(fetchImpl: typeof fetch = fetch, timeoutMs = 5000): CrlSource {
  return {
    async fetch(_issuer, cert) {
      const ext = cert.getExtension(x509.CRLDistributionPointsExtension);
      const urls =
        ext?.distributionPoints.flatMap(
          (dp) =>
            dp.distributionPoint?.fullName?.flatMap((n) =>
              n.uniformResourceIdentifier ? [n.uniformResourceIdentifier] : [],
            ) ?? [],
        ) ?? [];
      for (const url of urls) {
        const r = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (r.ok) return new Uint8Array(await r.arrayBuffer());
      }
      return null;
    },
  };
}

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

/** A CRL without nextUpdate is trusted this long after its thisUpdate (IGC-Santé publishes daily). */
export const DEFAULT_MAX_CRL_AGE_MS = 2 * 86_400_000;

interface Entry {
  crl: x509.X509Crl;
  fetchedAt: number;
}

export class CrlCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry | null>>();
  /** How many CRLs were downloaded and accepted (for tests and metrics). */
  fetches = 0;

  constructor(
    private readonly source: CrlSource,
    private readonly o: { refreshMs?: number; maxAgeMs?: number } = {},
  ) {}

  /** When a CRL stops being usable: its nextUpdate, or thisUpdate + the maximum age when it has none. */
  private expiry(crl: x509.X509Crl): number {
    return (
      crl.nextUpdate?.getTime() ?? crl.thisUpdate.getTime() + (this.o.maxAgeMs ?? DEFAULT_MAX_CRL_AGE_MS)
    );
  }

  private key(issuer: x509.X509Certificate) {
    return (
      Buffer.from(issuer.subjectName.toArrayBuffer()).toString('hex') +
      ':' +
      Buffer.from(issuer.publicKey.rawData).toString('hex').slice(-64)
    );
  }

  private async load(
    issuer: x509.X509Certificate,
    cert: x509.X509Certificate,
    now: Date,
  ): Promise<Entry | null> {
    const raw = await this.source.fetch(issuer, cert);
    if (!raw) return null;
    const crl = parseCrl(raw);
    if (!(await crl.verify({ publicKey: issuer }))) return null;
    if (crl.thisUpdate.getTime() > now.getTime() + 5 * 60_000) return null;
    this.fetches++;
    return { crl, fetchedAt: now.getTime() };
  }

  private fresh(e: Entry, now: Date) {
    const age = now.getTime() - e.fetchedAt;
    return age < (this.o.refreshMs ?? 6 * 3600_000) && now.getTime() < this.expiry(e.crl);
  }

  private usable(e: Entry | undefined, now: Date): e is Entry {
    return !!e && now.getTime() < this.expiry(e.crl);
  }

  /** The card and every intermediate of `chain` ([leaf, …, root]): revoked if any is, unknown if any is. */
  async chainStatus(chain: readonly x509.X509Certificate[], now: Date): Promise<RevocationStatus> {
    let result: RevocationStatus = 'good';
    for (let i = 0; i + 1 < chain.length; i++) {
      const s = await this.status(chain[i]!, chain[i + 1]!, now);
      if (s === 'revoked') return 'revoked';
      if (s === 'unknown') result = 'unknown';
    }
    return result;
  }

  /** Drops every cached CRL: the next check downloads again. */
  invalidate() {
    this.entries.clear();
  }

  async status(
    cert: x509.X509Certificate,
    issuer: x509.X509Certificate,
    now: Date,
  ): Promise<RevocationStatus> {
    const k = this.key(issuer);
    let e = this.entries.get(k);
    if (!e || !this.fresh(e, now)) {
      let p = this.inflight.get(k);
      if (!p) {
        p = this.load(issuer, cert, now)
          .catch(() => null)
          .finally(() => this.inflight.delete(k));
        this.inflight.set(k, p);
      }
      const got = await p;
      if (got) this.entries.set(k, (e = got));
      // On failure keep the previous CRL while it is still within its nextUpdate.
    }
    if (!this.usable(e, now)) return 'unknown';
    return e.crl.findRevoked(cert) ? 'revoked' : 'good';
  }
}
