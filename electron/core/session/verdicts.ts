import type { SessionState } from '../../../domain/api/groups/session';
import type { ErrorCode } from '../../../domain/errors';

/**
 * What a backend refusal says about the session open here, in one place: the session is over (`end`, and why), or
 * the screen locks (`lock`) and the same person signs in again to go on. The backend's idle limit and the local
 * 1 h idle timer are the same event, so both lock (the lock screen says « Session verrouillée après 1 heure sans
 * activité »); the 4 h limit and a revocation end it.
 */
export type SessionVerdict =
  | { readonly action: 'end'; readonly reason: NonNullable<SessionState['endedBecause']> }
  | { readonly action: 'lock'; readonly reason: 'idle' };

export const SESSION_VERDICTS = {
  SESSION_IDLE: { action: 'lock', reason: 'idle' },
  SESSION_EXPIRED: { action: 'end', reason: 'absolute' },
  SESSION_REVOKED: { action: 'end', reason: 'revoked' },
  WORKSTATION_REVOKED: { action: 'end', reason: 'revoked' },
} as const satisfies Partial<Record<ErrorCode, SessionVerdict>>;

/** The verdict of a backend error code on the open session; null when it says nothing about it. */
export function sessionVerdict(code: string): SessionVerdict | null {
  return Object.hasOwn(SESSION_VERDICTS, code)
    ? SESSION_VERDICTS[code as keyof typeof SESSION_VERDICTS]
    : null;
}
