import type { LogFn } from '../context';
import type { SettingsStore } from '../settings/settings-store';
import type { KeychainStatus, SecretStore } from './secret-store';

/**
 * "Remember me": a signed-in person's backend session token kept in the OS keychain, so that the session resumes
 * if Vigie restarts (the session service checks it with the backend first: its 1 h idle and 4 h limits still
 * apply). The settings file only lists which account ids are remembered; the token itself never leaves the
 * keychain and is never logged. (The keychain entry keeps its first name, `refresh-token:<account id>`.)
 *
 * Without a keychain, remembering is refused with KEYCHAIN_UNAVAILABLE and the session simply lives in memory
 * until the app quits: the app keeps working, without "remember me".
 */
export interface TokenVault {
  keychain(): Promise<KeychainStatus>;
  remember(
    accountId: string,
    refreshToken: string,
  ): Promise<{ remembered: true } | { remembered: false; code: 'KEYCHAIN_UNAVAILABLE'; reason: string }>;
  /** The remembered token, or null (none, or no keychain). Never throws. */
  recall(accountId: string): Promise<string | null>;
  /** Sign-out: the token is deleted from the keychain and the id from the list. */
  forget(accountId: string): Promise<void>;
  rememberedAccounts(): string[];
}

const tokenName = (accountId: string) => `refresh-token:${accountId}`;

export function createTokenVault(
  secrets: SecretStore,
  settings: SettingsStore,
  log: LogFn = () => {},
): TokenVault {
  const list = () => settings.get('rememberedAccounts');
  const setList = (ids: string[]) => settings.set('rememberedAccounts', [...new Set(ids)].slice(-50));
  return {
    keychain: () => secrets.status(),
    async remember(accountId, refreshToken) {
      const status = await secrets.status();
      if (!status.available) {
        log('warn', 'remember me refused: no keychain', { reason: status.reason });
        return { remembered: false, code: 'KEYCHAIN_UNAVAILABLE', reason: status.reason };
      }
      try {
        await secrets.set(tokenName(accountId), refreshToken);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        log('warn', 'remember me failed', { reason });
        return { remembered: false, code: 'KEYCHAIN_UNAVAILABLE', reason };
      }
      // Last in the list: the most recent session kept here.
      setList([...list().filter((id) => id !== accountId), accountId]);
      return { remembered: true };
    },
    async recall(accountId) {
      if (!list().includes(accountId)) return null;
      try {
        return await secrets.get(tokenName(accountId));
      } catch (e) {
        log('warn', 'remembered token unreadable', { reason: e instanceof Error ? e.message : String(e) });
        return null;
      }
    },
    async forget(accountId) {
      setList(list().filter((id) => id !== accountId));
      try {
        await secrets.delete(tokenName(accountId));
      } catch (e) {
        // The id is gone from the list, so the token is never used again; say so in the logs.
        log('warn', 'remembered token could not be deleted from the keychain', {
          reason: e instanceof Error ? e.message : String(e),
        });
      }
    },
    rememberedAccounts: () => [...list()],
  };
}
