import Conf from 'conf';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Language } from '../../../domain/api/groups/app';

/** What the workstation remembers. Nothing secret lives here (tokens and keys go to the OS keychain). */
export interface Settings {
  language: Language;
  /** Empty: the embedded backend. */
  backendUrl: string;
}

const schema = {
  language: { type: 'string', enum: ['fr', 'en'], default: 'fr' },
  backendUrl: { type: 'string', default: '' },
} as const;

export interface SettingsStore {
  get<K extends keyof Settings>(key: K): Settings[K];
  set<K extends keyof Settings>(key: K, value: Settings[K]): void;
  /** Set when the file on disk was unreadable and was put aside (the app goes on with defaults). */
  readonly recoveredFrom: string | null;
}

export function openSettings(dir: string): SettingsStore {
  const open = () => new Conf<Settings>({ cwd: dir, configName: 'settings', schema, clearInvalidConfig: false });
  let conf: Conf<Settings>;
  let recoveredFrom: string | null = null;
  try {
    conf = open();
  } catch {
    // A corrupt or hand-edited file must never stop the app: keep it aside for diagnostics, start afresh.
    const file = join(dir, 'settings.json');
    if (existsSync(file)) {
      recoveredFrom = `${file}.corrupt-${Date.now()}`;
      renameSync(file, recoveredFrom);
    }
    conf = open();
  }
  return {
    get: (key) => conf.get(key),
    set: (key, value) => conf.set(key, value),
    recoveredFrom,
  };
}
