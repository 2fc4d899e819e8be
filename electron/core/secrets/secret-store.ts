import { AsyncEntry } from '@napi-rs/keyring';
import { AppError } from '../../../domain/result';

/**
 * Secrets in the OS keychain (Windows Credential Manager, macOS Keychain, Secret Service on Linux) through
 * `@napi-rs/keyring`, the N-API successor of the archived `keytar`. Refresh tokens ("remember me") and the
 * workstation's private key live here, never in the settings file or the logs.
 *
 * On Linux the store is pinned to the Secret Service: the library would otherwise fall back silently to the
 * kernel keyring, which forgets everything at reboot. Without a Secret Service the store reports
 * KEYCHAIN_UNAVAILABLE and the app goes on without "remember me".
 */
export const DEFAULT_SERVICE = 'fr.vigie.workstation';

export type KeychainStatus = { available: true } | { available: false; reason: string };

export interface SecretStore {
  /** Tries the keychain once (write, read back, delete a probe entry); the answer is kept. */
  status(): Promise<KeychainStatus>;
  get(name: string): Promise<string | null>;
  /** Throws AppError KEYCHAIN_UNAVAILABLE when there is no keychain. */
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<boolean>;
}

export interface SecretStoreOptions {
  /** The keychain "service" under which entries are filed; tests use their own. */
  service?: string;
  /** Per call; a locked or absent keychain must not hang the app. */
  timeoutMs?: number;
  /** The clock (ms), for the re-probe of a missing keychain. */
  now?: () => number;
}

/** How long "no keychain" is believed before asking again. */
export const RETRY_UNAVAILABLE_MS = 5 * 60_000;

const NAME = /^[a-z][a-z0-9-]{0,40}(:[A-Za-z0-9_.-]{1,80})?$/;

export function createSecretStore(opts: SecretStoreOptions = {}): SecretStore {
  const service = opts.service ?? DEFAULT_SERVICE;
  const timeoutMs = opts.timeoutMs ?? 5000;
  let cached: Promise<KeychainStatus> | null = null;
  let cachedAt = 0;
  const now = opts.now ?? Date.now;

  const entry = (name: string) => {
    if (!NAME.test(name)) throw new AppError('INVALID_REQUEST', 'Nom de secret invalide.');
    return new AsyncEntry(service, name, { linux: { store: 'secret-service' } });
  };
  const unavailable = (e: unknown) =>
    new AppError(
      'KEYCHAIN_UNAVAILABLE',
      `Le trousseau du système n’est pas disponible (${reasonOf(e)}).`,
      true,
    );
  const guarded = async <T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await fn(AbortSignal.timeout(timeoutMs));
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw unavailable(e);
    }
  };

  const store: SecretStore = {
    status: async () => {
      // A missing keychain may appear later (the session's keyring unlocked after the app started): ask again
      // after a while. An available one stays available.
      if (cached && !(await cached).available && now() - cachedAt > RETRY_UNAVAILABLE_MS) cached = null;
      if (!cached) cachedAt = now();
      return (cached ??= (async (): Promise<KeychainStatus> => {
        try {
          const probe = entry('probe');
          await probe.setPassword('ok', AbortSignal.timeout(timeoutMs));
          const back = await probe.getPassword(AbortSignal.timeout(timeoutMs));
          await probe.deleteCredential(AbortSignal.timeout(timeoutMs));
          return back === 'ok' ? { available: true } : { available: false, reason: 'read-back mismatch' };
        } catch (e) {
          return { available: false, reason: reasonOf(e) };
        }
      })());
    },
    get: (name) => guarded((signal) => entry(name).getPassword(signal)),
    set: (name, value) => guarded((signal) => entry(name).setPassword(value, signal)),
    delete: (name) => guarded((signal) => entry(name).deleteCredential(signal)),
  };
  return store;
}

/** A short, secret-free reason for logs and diagnostics. */
function reasonOf(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/DBUS_SESSION_BUS_ADDRESS|dbus|D-Bus/i.test(msg)) return 'no Secret Service on the session bus';
  if (/locked/i.test(msg)) return 'keychain locked';
  if (/abort|timeout/i.test(msg)) return 'keychain did not answer in time';
  return msg.slice(0, 120);
}
