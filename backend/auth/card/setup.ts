/**
 * One object for the routes: built from configuration (PEM files of the trusted roots and intermediates; CRLs
 * from files and/or the certificates' distribution points), with a challenge store (PostgreSQL in the backend,
 * memory in tests).
 *
 *   POST /v1/auth/card/challenge  → cardAuth.issueChallenge(workstationId, now)
 *   POST /v1/auth/card            → cardAuth.verify({ challenge, signature, certificate, workstationId }, now)
 */
import { readFile } from 'node:fs/promises';
import {
  DEFAULT_CHALLENGE_TTL_MS,
  MemoryChallengeStore,
  issueChallenge,
  type ChallengeStore,
  type IssuedChallenge,
} from './challenges';
import { CrlCache, httpCrlSource, pemCrlSource, type CrlSource } from './crl';
import { TrustStore } from './trust';
import { verifyCardSignIn, type CardSignInInput, type CardSignInResult } from './verify';

export interface CardAuthConfig {
  /** PEM files (roots and intermediates; several certificates per file allowed). */
  trustPemFiles: string[];
  /** CRL files (PEM, label X509 CRL), re-read at each refresh. */
  crlFiles?: string[];
  /** Download CRLs from the certificates' distribution points when no file has one (production). */
  crlFromDistributionPoints?: boolean;
  /** Default 6 h; IGC-Santé publishes its CRLs every morning from 07:00. */
  crlRefreshMs?: number;
  /** How long a CRL without nextUpdate is used after its thisUpdate (default 2 days). */
  crlMaxAgeMs?: number;
  /**
   * Certificate policies (OIDs or arcs) the card authentication certificate must assert. Production: the
   * policy of the IGC-Santé authentication certificates of the cards, from ANS's certification policy
   * document, or at least IGC_SANTE_POLICY_ARC; the test PKIs assert a TEST OID under that arc.
   */
  policyArcs?: string[];
  challengeTtlMs?: number;
}

export interface CardAuth {
  issueChallenge(workstationId: string, now: Date): Promise<IssuedChallenge>;
  verify(input: CardSignInInput, now: Date): Promise<CardSignInResult>;
  /** Periodic job: drop expired challenges. */
  purge(now: Date): Promise<number>;
  readonly trust: TrustStore;
  readonly crls: CrlCache;
}

function firstOf(sources: CrlSource[]): CrlSource {
  return {
    async fetch(issuer, cert) {
      for (const s of sources) {
        const got = await s.fetch(issuer, cert).catch(() => null);
        if (got) return got;
      }
      return null;
    },
  };
}

export async function createCardAuth(
  cfg: CardAuthConfig,
  challenges: ChallengeStore = new MemoryChallengeStore(),
): Promise<CardAuth> {
  const trust = await TrustStore.fromPem(
    await Promise.all(cfg.trustPemFiles.map((f) => readFile(f, 'utf8'))),
    { policyArcs: cfg.policyArcs },
  );
  const sources: CrlSource[] = [];
  if (cfg.crlFiles?.length)
    sources.push(
      pemCrlSource(() => Promise.all(cfg.crlFiles!.map((f) => readFile(f, 'utf8').catch(() => '')))),
    );
  if (cfg.crlFromDistributionPoints) sources.push(httpCrlSource());
  const crls = new CrlCache(firstOf(sources), { refreshMs: cfg.crlRefreshMs, maxAgeMs: cfg.crlMaxAgeMs });
  return {
    trust,
    crls,
    issueChallenge: (workstationId, now) =>
      issueChallenge(challenges, {
        workstationId,
        now,
        ttlMs: cfg.challengeTtlMs ?? DEFAULT_CHALLENGE_TTL_MS,
      }),
    verify: (input, now) => verifyCardSignIn(input, { challenges, trust, crls }, now),
    purge: (now) => challenges.purgeExpired(now),
  };
}
