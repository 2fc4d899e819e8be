import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import type { LogFn } from '../context';
import type { SecretStore } from '../secrets/secret-store';
import type { SettingsStore, WorkstationIdentity } from '../settings/settings-store';

/**
 * The workstation's identity: an Ed25519 key pair made at first start, its private key in the OS keychain, its
 * public key and id in the settings file, and a label people recognise ("Poste comptoir 1"). The backend
 * registers the public key with the label, so every event says which workstation did what, and can revoke it.
 *
 * Without a keychain the workstation still has its id and label (events still name it) but cannot sign:
 * `canSign` is false and registration waits until a keychain is there.
 */
export const WORKSTATION_KEY = 'workstation-key';

export interface WorkstationInfo {
  id: string;
  label: string;
  publicKey: string;
  createdAt: string;
  registeredAt: string | null;
  registeredLabel?: string | null;
  revokedAt: string | null;
  /** The private key is in the keychain and this process can sign with it. */
  canSign: boolean;
}

/** What the backend needs to register this workstation; the signature proves possession of the private key. */
export interface RegistrationRequest {
  workstationId: string;
  label: string;
  publicKey: string;
  /** The backend's single-use challenge, echoed. */
  challenge: string;
  /** Ed25519 over `vigie-workstation-registration\n<id>\n<label>\n<publicKey>\n<challenge>`, base64. */
  signature: string;
}

export interface Workstation {
  info(): WorkstationInfo;
  sign(data: Uint8Array): Buffer;
  registrationRequest(challenge: string): RegistrationRequest;
  /** The backend registered the key with this label. */
  markRegistered(at: Date, label?: string): void;
  /** The backend said WORKSTATION_REVOKED: this key is done; a new one is made at the next start. */
  markRevoked(at: Date): void;
}

export const registrationMessage = (r: Omit<RegistrationRequest, 'signature'>) =>
  Buffer.from(
    ['vigie-workstation-registration', r.workstationId, r.label, r.publicKey, r.challenge].join('\n'),
    'utf8',
  );

export function verifyRegistration(r: RegistrationRequest): boolean {
  const key = createPublicKey({ key: Buffer.from(r.publicKey, 'base64'), format: 'der', type: 'spki' });
  return verify(null, registrationMessage(r), key, Buffer.from(r.signature, 'base64'));
}

export async function openWorkstation(
  settings: SettingsStore,
  secrets: SecretStore,
  opts: { now?: () => Date; log?: LogFn } = {},
): Promise<Workstation> {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const keychain = await secrets.status();

  let identity = settings.get('workstation');
  let privateKeyDer: Buffer | null = null;

  if (identity && !identity.revokedAt && keychain.available) {
    const stored = await secrets.get(WORKSTATION_KEY).catch(() => null);
    if (stored) {
      const key = createPrivateKey({ key: Buffer.from(stored, 'base64'), format: 'der', type: 'pkcs8' });
      const pub = createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64');
      if (pub === identity.publicKey) privateKeyDer = Buffer.from(stored, 'base64');
      else
        log(
          'warn',
          'workstation key in the keychain does not match the registered one; making a new identity',
        );
    } else log('warn', 'workstation key missing from the keychain; making a new identity');
    if (!privateKeyDer) identity = null;
  }
  if (identity?.revokedAt) {
    log('info', 'workstation identity was revoked; making a new one', { id: identity.id });
    identity = null;
  }

  if (!identity || (keychain.available && !privateKeyDer)) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const fresh: WorkstationIdentity = {
      id: identity?.id && !keychain.available ? identity.id : randomUUID(),
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      createdAt: now().toISOString(),
      registeredAt: null,
      revokedAt: null,
    };
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    if (keychain.available) {
      await secrets.set(WORKSTATION_KEY, der.toString('base64'));
      privateKeyDer = der;
    } else {
      log('warn', 'no keychain: the workstation keeps its id but cannot sign', { reason: keychain.reason });
    }
    identity = fresh;
    settings.set('workstation', identity);
  }

  const current = () => settings.get('workstation') ?? identity!;
  const key = privateKeyDer ? createPrivateKey({ key: privateKeyDer, format: 'der', type: 'pkcs8' }) : null;

  const ws: Workstation = {
    info: () => {
      const i = current();
      return { ...i, label: settings.get('workstationLabel'), canSign: key !== null };
    },
    sign: (data) => {
      if (!key) throw new Error('no workstation key (keychain unavailable)');
      return sign(null, data, key);
    },
    registrationRequest: (challenge) => {
      const i = ws.info();
      const unsigned = { workstationId: i.id, label: i.label, publicKey: i.publicKey, challenge };
      return { ...unsigned, signature: ws.sign(registrationMessage(unsigned)).toString('base64') };
    },
    markRegistered: (at, label) =>
      settings.set('workstation', {
        ...current(),
        registeredAt: at.toISOString(),
        registeredLabel: label ?? settings.get('workstationLabel'),
      }),
    markRevoked: (at) => {
      settings.set('workstation', { ...current(), revokedAt: at.toISOString() });
      void secrets.delete(WORKSTATION_KEY).catch(() => false);
    },
  };
  return ws;
}
