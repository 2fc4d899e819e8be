/**
 * The rules that block an account as suspicious, as pure functions with configurable thresholds. Each verdict
 * carries a plain-French explanation, which becomes the block reason shown to the user and written in the log.
 *
 * 1. Failures far beyond throttling: at least 20 failed sign-ins in 24 h (throttling slows down at 3), counted
 *    only from the account's familiar workstations (registered, proven, already used by the account): evidence a
 *    stranger cannot fabricate. Elsewhere, failures throttle their own source and never block the account.
 * 2. Shared credentials: one password account signed in at the same time from two workstations.
 * 3. The user's own report ("Je ne reconnais pas cette activité", with "bloquer mon compte").
 */
import type { SuspicionCause } from './unblock';
import { toParis } from './paris-time';

export interface SuspiciousPolicy {
  failureThreshold: number;
  failureWindowMs: number;
  /** Rule 2 on or off (a pharmacy might allow it for a while, never by default). */
  concurrentSessionsRule: boolean;
}

export const DEFAULT_SUSPICIOUS_POLICY: SuspiciousPolicy = {
  failureThreshold: 20,
  failureWindowMs: 24 * 3600_000,
  concurrentSessionsRule: true,
};

export interface SuspicionVerdict {
  cause: SuspicionCause;
  /** Plain French, for the user and the log. */
  explanation: string;
}

/** "le 22/11/2026 à 14 h 05" (Europe/Paris). */
export function frenchDateTime(d: Date): string {
  const l = toParis(d);
  const p = (n: number) => String(n).padStart(2, '0');
  return `le ${p(l.day)}/${p(l.month)}/${l.year} à ${l.hour} h ${p(l.minute)}`;
}

const hours = (ms: number) => Math.round(ms / 3600_000);

/**
 * Rule 1. `failures`: the instants of failed sign-ins on this account (any order, any age), or already the count
 * inside the window (`SELECT count(*) … WHERE at > now - window`).
 */
export function failureFloodVerdict(
  failures: readonly Date[] | number,
  now: Date,
  policy: SuspiciousPolicy = DEFAULT_SUSPICIOUS_POLICY,
): SuspicionVerdict | null {
  const from = now.getTime() - policy.failureWindowMs;
  const n =
    typeof failures === 'number'
      ? failures
      : failures.filter((t) => t.getTime() > from && t.getTime() <= now.getTime()).length;
  if (n < policy.failureThreshold) return null;
  return {
    cause: 'failures',
    explanation:
      `Votre compte a été bloqué par précaution : ${n} tentatives de connexion ont échoué en moins de ${hours(policy.failureWindowMs)} heures, ` +
      `bien plus qu'une simple erreur de saisie. Quelqu'un essaie peut-être de deviner votre mot de passe.`,
  };
}

export interface OpenSession {
  workstationId: string;
  workstationLabel?: string | null;
  method: 'card' | 'ecps' | 'password' | 'security_key' | 'postal_code';
  startedAt: Date;
}

/**
 * Rule 2. Called at a successful password sign-in with the account's other sessions that are still open
 * (not ended, not idle). Another open password session on a different workstation means the identifier and
 * password are used in two places at once: shared credentials.
 */
export function concurrentSessionsVerdict(
  signIn: {
    workstationId: string;
    workstationLabel?: string | null;
    method: OpenSession['method'];
    at: Date;
  },
  open: readonly OpenSession[],
  policy: SuspiciousPolicy = DEFAULT_SUSPICIOUS_POLICY,
): SuspicionVerdict | null {
  if (!policy.concurrentSessionsRule || signIn.method !== 'password') return null;
  const other = open.find((s) => s.method === 'password' && s.workstationId !== signIn.workstationId);
  if (!other) return null;
  const a = other.workstationLabel ? `« ${other.workstationLabel} »` : 'un autre poste';
  const b = signIn.workstationLabel ? `« ${signIn.workstationLabel} »` : 'un second poste';
  return {
    cause: 'concurrent_sessions',
    explanation:
      `Votre compte a été bloqué par précaution : il était connecté en même temps sur deux postes, ${a} et ${b}, ` +
      `avec le même identifiant et le même mot de passe (${frenchDateTime(signIn.at)}). ` +
      `Un identifiant et un mot de passe ne doivent jamais être partagés.`,
  };
}

/** Rule 3. The user reported an event they do not recognise and asked for the account to be blocked. */
export function userReportVerdict(report: {
  reportedAt: Date;
  event?: { at: Date; label: string } | null;
}): SuspicionVerdict {
  const what = report.event ? ` (« ${report.event.label} », ${frenchDateTime(report.event.at)})` : '';
  return {
    cause: 'user_report',
    explanation:
      `Votre compte a été bloqué à votre demande ${frenchDateTime(report.reportedAt)}, après votre signalement d'une activité ` +
      `que vous ne reconnaissez pas${what}. Pour le débloquer, connectez-vous avec votre carte CPS ou utilisez le code reçu par courrier.`,
  };
}
