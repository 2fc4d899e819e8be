// A separate process for the keychain integration tests: a "restart of the core" is a new process that opens
// the same user-data folder and the same keychain. Prints one JSON line.
import { openSettings } from '../settings/settings-store';
import { createSecretStore } from './secret-store';
import { createTokenVault } from './token-vault';
import { openWorkstation } from '../workstation/identity';

const [action, dir, service, accountId = '', token = ''] = process.argv.slice(2);
const settings = openSettings(dir!);
const secrets = createSecretStore({ service: service!, timeoutMs: 3000 });
const vault = createTokenVault(secrets, settings);
const out = async (): Promise<unknown> => {
  switch (action) {
    case 'status':
      return { keychain: await vault.keychain(), remembered: vault.rememberedAccounts() };
    case 'remember':
      return vault.remember(accountId, token);
    case 'recall':
      return { token: await vault.recall(accountId) };
    case 'forget':
      await vault.forget(accountId);
      return { forgotten: true };
    case 'workstation': {
      const ws = await openWorkstation(settings, secrets);
      return ws.info();
    }
    default:
      throw new Error(`unknown action ${action}`);
  }
};
console.log(JSON.stringify(await out()));
