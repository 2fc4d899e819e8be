/** Sessions end after 1 h without activity and 4 h in all (insurer's July 2022 measures). */
export const SESSION_IDLE_MS = 3600_000;
export const SESSION_ABSOLUTE_MS = 4 * 3600_000;

export type SessionEnd = 'idle' | 'expired' | null;

export function sessionEnd(
  createdAt: Date,
  lastSeenAt: Date,
  now: Date,
  idleMs = SESSION_IDLE_MS,
  absoluteMs = SESSION_ABSOLUTE_MS,
): SessionEnd {
  if (now.getTime() >= createdAt.getTime() + absoluteMs) return 'expired';
  if (now.getTime() >= lastSeenAt.getTime() + idleMs) return 'idle';
  return null;
}

/** When the session will end if unused from `lastSeenAt`. */
export function sessionExpiresAt(
  createdAt: Date,
  lastSeenAt: Date,
  idleMs = SESSION_IDLE_MS,
  absoluteMs = SESSION_ABSOLUTE_MS,
): Date {
  return new Date(Math.min(lastSeenAt.getTime() + idleMs, createdAt.getTime() + absoluteMs));
}
