// A separate process for the keychain integration tests: a "restart of the core" is a new process that opens
// the same user-data folder and the same keychain. Prints one JSON line.
import { openSettings } from '../settings/settings-store';
import { createSecretStore } from './secret-store';
import { createTokenVault } from './token-vault';
import { openWorkstation } from '../workstation/identity';

const [action, dir, service, accountId = '', token = ''] = process.argv.slice(2);
// `core-*` actions restart the whole core on the folder (its default keychain service), the others only the vault.
// (Imported only then: the whole core is a large module graph to load.)
const core = action!.startsWith('core-')
  ? (await import('../core')).createCore({ mode: 'browser', userDataDir: dir!, appVersion: '0.0.0-test' })
  : null;
const settings = core?.settings ?? openSettings(dir!);
const secrets = core?.workstation.secrets ?? createSecretStore({ service: service!, timeoutMs: 3000 });
const vault = core?.workstation.tokens ?? createTokenVault(secrets, settings);
const out = async (): Promise<unknown> => {
  switch (action!.replace(/^core-/, '')) {
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
    case 'no-keychain-session': {
      // One start without a keychain: what the person would do in one go.
      const keychain = await vault.keychain();
      const remember = await vault.remember(accountId, token);
      const recall = await vault.recall(accountId);
      const ws = (await openWorkstation(settings, secrets)).info();
      return { keychain, remember, recall, workstation: ws };
    }
    default:
      throw new Error(`unknown action ${action}`);
  }
};
console.log(JSON.stringify(await out()));
