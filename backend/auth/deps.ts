/**
 * Configuration and live pieces of the sign-in and unblock paths, built once per backend by `createSigninDeps`:
 * the card verifier (trust store + CRL cache + challenges in PostgreSQL), the e-CPS client (Pro Santé Connect, or
 * its sandbox in development, tests and the demo), the security-key and postal-code stores, the letters outbox and
 * the suspicious-activity rules.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SUSPICIOUS_POLICY, type SuspiciousPolicy } from '../../domain/policy/suspicious';
import { DEFAULT_UNBLOCK_POLICY, type UnblockPolicy } from '../../domain/policy/unblock';
import { createCardAuth, type CardAuth, type CardAuthConfig } from './card';
import type { Ctx } from '../context';
import { EcpsClient, type EcpsClientConfig } from './ecps/client';
import { DEFAULT_POSTAL_POLICY, type PostalPolicy } from '../unblock/postal-code';
import { DEFAULT_SECURITY_KEY_FIELDS, type SecurityKeyField } from '../unblock/security-key';
import { SqlPostalCodeStore, SqlSecurityKeyStore } from '../unblock/stores';
import { SqlChallengeStore } from './card/challenge-store';

export interface SigninOptions {
  /** Card sign-in: PEM roots/intermediates and CRLs (IGC-Santé in production, the TEST mirror elsewhere). Absent: UNAVAILABLE. */
  cardAuth?: CardAuthConfig;
  /** e-CPS: Pro Santé Connect (or the sandbox). Absent: UNAVAILABLE. */
  ecps?: EcpsClientConfig;
  /** Where postal letters (PDF + manifest.jsonl) are written for the mail service. */
  lettersDir?: string;
  suspicious?: Partial<SuspiciousPolicy>;
  /**
   * The kinds of account rule 2 (one password account open on two workstations at once) applies to. Default: the
   * delegated password accounts (accountants, administrative staff), whose password is their only credential; a
   * holder may keep sessions open at several counters (and lists and ends them in the sessions page).
   */
  concurrentRuleKinds?: readonly ('holder' | 'card_delegate' | 'password_delegate')[];
  unblock?: Partial<UnblockPolicy>;
  postal?: Partial<PostalPolicy>;
  securityKeyFields?: readonly SecurityKeyField[];
  /** Life of an unblock ticket (ms), default 15 min. */
  ticketTtlMs?: number;
  /** Life of an e-CPS request (ms), default 2 min (Pro Santé Connect's own). */
  ecpsTtlMs?: number;
  /** e-CPS starts allowed per national id per hour, default 3. */
  ecpsStartsPerHour?: number;
}

export interface SigninDeps {
  /** What this backend offers: card sign-in needs its trust store (IGC-Santé roots), e-CPS its PSC client. */
  offers: { card: boolean; ecps: boolean };
  cardAuth: () => Promise<CardAuth>;
  ecps: () => Promise<EcpsClient>;
  securityKeys: SqlSecurityKeyStore;
  postalCodes: SqlPostalCodeStore;
  lettersDir: string;
  suspicious: SuspiciousPolicy;
  concurrentRuleKinds: readonly string[];
  unblock: UnblockPolicy;
  postal: PostalPolicy;
  fields: readonly SecurityKeyField[];
  ticketTtlMs: number;
  /** The e-CPS requests this instance is polling Pro Santé Connect for: our transaction id → the client's. */
  ecpsLocal: Map<string, string>;
  /** Life of an e-CPS request as the workstation sees it (ms). */
  ecpsTtlMs: number;
  /** e-CPS starts allowed per national id per hour, whoever asks. */
  ecpsStartsPerHour: number;
  close(): void;
}

export function createSigninDeps(ctx: Ctx, o: SigninOptions = {}): SigninDeps {
  let card: Promise<CardAuth> | null = null;
  let ecps: Promise<EcpsClient> | null = null;
  const unblock = { ...DEFAULT_UNBLOCK_POLICY, ...o.unblock };
  return {
    offers: { card: !!o.cardAuth, ecps: !!o.ecps },
    cardAuth: () => {
      if (!o.cardAuth) return Promise.reject(new Error('card sign-in not configured'));
      card ??= createCardAuth(o.cardAuth, new SqlChallengeStore(ctx.db));
      card.catch(() => (card = null));
      return card;
    },
    ecps: () => {
      if (!o.ecps) return Promise.reject(new Error('e-CPS not configured'));
      ecps ??= EcpsClient.connect(o.ecps);
      ecps.catch(() => (ecps = null));
      return ecps;
    },
    securityKeys: new SqlSecurityKeyStore(ctx.db),
    postalCodes: new SqlPostalCodeStore(ctx.db),
    lettersDir: o.lettersDir ?? join(tmpdir(), 'vigie-letters'),
    suspicious: { ...DEFAULT_SUSPICIOUS_POLICY, ...o.suspicious },
    concurrentRuleKinds: o.concurrentRuleKinds ?? ['password_delegate'],
    unblock,
    postal: { ...DEFAULT_POSTAL_POLICY, postalResendAfterMs: unblock.postalResendAfterMs, ...o.postal },
    fields: o.securityKeyFields ?? DEFAULT_SECURITY_KEY_FIELDS,
    ticketTtlMs: o.ticketTtlMs ?? 15 * 60_000,
    ecpsLocal: new Map(),
    ecpsTtlMs: o.ecpsTtlMs ?? 120_000,
    ecpsStartsPerHour: o.ecpsStartsPerHour ?? 3,
    close() {
      void ecps?.then((c) => c.close()).catch(() => undefined);
    },
  };
}
