import type { BackendClient } from '../backend-client';
import type { LogFn } from '../context';
import type { Workstation } from './identity';

export type RegistrationOutcome = 'registered' | 'up-to-date' | 'no-key' | 'revoked' | 'failed';

/**
 * Registers this workstation's public key and label with the backend (challenge, then the signed request), once,
 * and again when the label changed. Without a keychain the workstation cannot sign and stays unregistered (its
 * events still name it by id and label). A backend that says the workstation was withdrawn marks the identity
 * revoked: a new one is made at the next start and the holder sees it as a new workstation.
 */
export async function syncRegistration(
  ws: Workstation,
  client: BackendClient,
  o: { log: LogFn; now: () => Date },
): Promise<RegistrationOutcome> {
  const info = ws.info();
  if (info.revokedAt) return 'revoked';
  if (!info.canSign) return 'no-key';
  if (info.registeredAt && info.registeredLabel === info.label) return 'up-to-date';
  const challenge = await client.call('workstationChallenge');
  if (!challenge.ok) {
    o.log('warn', 'workstation registration postponed', { code: challenge.code });
    return 'failed';
  }
  const r = await client.call('registerWorkstation', {
    body: ws.registrationRequest(challenge.value.challenge),
  });
  if (r.ok) {
    ws.markRegistered(new Date(r.value.registeredAt), r.value.label);
    o.log('info', 'workstation registered', { id: info.id });
    return 'registered';
  }
  if (r.code === 'WORKSTATION_REVOKED') {
    ws.markRevoked(o.now());
    o.log('warn', 'this workstation was withdrawn by the pharmacy holder', { id: info.id });
    return 'revoked';
  }
  o.log('warn', 'workstation registration refused', { code: r.code });
  return 'failed';
}

/** Runs `syncRegistration` one at a time, whenever asked (start, backend back, label changed). */
export function registrationSync(run: () => Promise<RegistrationOutcome>): {
  request(): Promise<RegistrationOutcome | null>;
  last(): RegistrationOutcome | null;
} {
  let inFlight: Promise<RegistrationOutcome> | null = null;
  let again = false;
  let last: RegistrationOutcome | null = null;
  const go = async (): Promise<RegistrationOutcome> => {
    try {
      do {
        again = false;
        last = await run().catch(() => 'failed' as const);
      } while (again);
      return last;
    } finally {
      inFlight = null;
    }
  };
  return {
    request() {
      if (inFlight) {
        again = true;
        return inFlight;
      }
      inFlight = go();
      return inFlight;
    },
    last: () => last,
  };
}
