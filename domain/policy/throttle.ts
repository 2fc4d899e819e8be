/**
 * Throttling of failed password sign-ins, per identifier and per IP: free attempts, then growing delays,
 * then a temporary lock. The answer to a throttled attempt is the same as to a wrong password.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  lockAfter: number;
  lockMs: number;
  /** A failure counter older than this is forgotten. */
  resetAfterMs: number;
}

export const DEFAULT_ACCOUNT_THROTTLE: ThrottlePolicy = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  lockAfter: 10,
  lockMs: 15 * 60_000,
  resetAfterMs: 24 * 3600_000,
};

/** Per IP: a pharmacy shares one address, so allow more before slowing down. */
export const DEFAULT_IP_THROTTLE: ThrottlePolicy = {
  freeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  lockAfter: 100,
  lockMs: 15 * 60_000,
  resetAfterMs: 3600_000,
};

/** Delay imposed after `failures` consecutive failures (0 while within the free attempts). */
export function throttleDelayMs(failures: number, p: ThrottlePolicy): number {
  if (failures >= p.lockAfter) return p.lockMs;
  if (failures < p.freeFailures) return 0;
  return Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (failures - p.freeFailures));
}

export interface ThrottleState {
  failures: number;
  lastFailureAt: Date | null;
}

/** The effective failure count at `now` (reset after a quiet period). */
export function effectiveFailures(s: ThrottleState, now: Date, p: ThrottlePolicy): number {
  if (!s.lastFailureAt) return 0;
  return now.getTime() - s.lastFailureAt.getTime() >= p.resetAfterMs ? 0 : s.failures;
}

/** When the next attempt is allowed; an attempt before that is refused without checking the password. */
export function nextAttemptAt(s: ThrottleState, now: Date, p: ThrottlePolicy): Date {
  const f = effectiveFailures(s, now, p);
  if (f === 0 || !s.lastFailureAt) return now;
  return new Date(s.lastFailureAt.getTime() + throttleDelayMs(f, p));
}

export function isThrottled(s: ThrottleState, now: Date, p: ThrottlePolicy): boolean {
  return nextAttemptAt(s, now, p).getTime() > now.getTime();
}
