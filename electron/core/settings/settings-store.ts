import Conf, { type Schema } from 'conf';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { WorkstationSettingsSchema, type WorkstationSettings } from '../../../domain/api/groups/settings';
import { DEFAULT_REMINDER_DAYS } from '../../../domain/policy/inactivity';

/**
 * What the workstation remembers, in one `conf` JSON file under the user-data folder (one implementation for
 * Electron and browser mode). Nothing secret lives here: tokens and the workstation's private key go to the OS
 * keychain (../secrets). One schema: the zod schemas below (the renderer-API one for what the person edits) are
 * turned into the JSON schema conf validates with, and checked again with zod on open.
 *
 * A corrupt or hand-edited file never crashes the app: it is put aside (`settings.json.corrupt-<time>`), the last
 * good copy (`settings.backup.json`, written after every successful open and change) takes its place, or the
 * defaults if there is none, and `recovery` says what happened (logs and "copy diagnostics" show it).
 */

const KnownAccountSchema = z.object({
  accountId: z.string().max(64),
  displayName: z.string().max(200),
  state: z.enum(['active', 'blocked']),
  blockAt: z.string().max(40),
  checkedAt: z.string().max(40),
});
const AccountMemorySchema = z.object({
  blockAt: z.string().max(40),
  shownDays: z.number().int().nullable(),
  shownAt: z.string().max(40).nullable(),
  snoozedUntil: z.string().max(40).nullable(),
});
/** A CPS card seen in a reader here, for the reminder of its end (domain/reminders/card-planner). */
const KnownCardSchema = z.object({
  key: z.string().max(200),
  nationalId: z.string().max(40).nullable(),
  holderName: z.string().max(200),
  notAfter: z.string().max(40),
  seenAt: z.string().max(40),
  shownStep: z.number().int().nullable(),
  shownAt: z.string().max(40).nullable(),
  snoozedUntil: z.string().max(40).nullable(),
});
/** The reminder scheduler's memory: last known statuses, what was shown and snoozed. */
export const ReminderStateSchema = z.object({
  accounts: z.array(KnownAccountSchema).max(200),
  memory: z.record(z.string(), AccountMemorySchema),
  refreshFailing: z.boolean(),
  /** Why the last refresh failed: the backend unreachable, or nobody signed in to ask it. */
  refreshFailure: z.enum(['unreachable', 'signed-out']).nullable().default(null),
  lastRefreshAt: z.string().max(40).nullable(),
  /** The clock at the last evaluation: a later evaluation earlier than this means the clock was set back. */
  lastTickAt: z.string().max(40).nullable(),
  /** Accounts that signed in on this workstation: the ones whose status is fetched and reminded. */
  followed: z.array(z.string().max(64)).max(200).default([]),
  /** The CPS cards seen here whose end is reminded, and which step of it was shown. */
  cards: z.array(KnownCardSchema).max(8).default([]),
});
export type ReminderState = z.infer<typeof ReminderStateSchema>;

/** This workstation's identity: the public half only (the private key is in the keychain). */
export const WorkstationIdentitySchema = z.object({
  id: z.uuid(),
  /** Ed25519 public key, SPKI DER in base64. */
  publicKey: z.string().max(200),
  createdAt: z.string().max(40),
  registeredAt: z.string().max(40).nullable(),
  /** The label the backend registered (a later change of the label in the settings registers it again). */
  registeredLabel: z.string().max(60).nullable().optional(),
  revokedAt: z.string().max(40).nullable(),
});
export type WorkstationIdentity = z.infer<typeof WorkstationIdentitySchema>;

/**
 * A postal unblock request made here: the backend shows the letter's state only to the holder of its handle. Keyed
 * by a hash of the identifier; kept until the letter's code expires. Not a way in: it shows a letter's progress.
 */
const PostalLetterHandleSchema = z.object({
  handle: z.string().max(200),
  requestedAt: z.string().max(40),
  expiresAt: z.string().max(40),
});
export type PostalLetterHandle = z.infer<typeof PostalLetterHandleSchema>;

export const SettingsSchema = WorkstationSettingsSchema.extend({
  workstation: WorkstationIdentitySchema.nullable(),
  reminders: ReminderStateSchema,
  /** Account ids whose refresh token is kept in the keychain ("remember me"). Ids only, never the token. */
  rememberedAccounts: z.array(z.string().max(64)).max(50),
  /** When each account's events log was last read here (for the "events reviewed" security check). */
  eventsReviewedAt: z.record(z.string().max(64), z.string().max(40)).default({}),
  /** The postal unblock requests made on this workstation (the unblock wizard's letters). */
  postalLetters: z.record(z.string().max(64), PostalLetterHandleSchema).default({}),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  language: 'fr',
  backendUrl: '',
  readerName: '',
  reminderDays: [...DEFAULT_REMINDER_DAYS],
  startAtLogin: true,
  workstationLabel: 'Poste Vigie',
  workstation: null,
  reminders: {
    accounts: [],
    memory: {},
    refreshFailing: false,
    refreshFailure: null,
    lastRefreshAt: null,
    lastTickAt: null,
    followed: [],
    cards: [],
  },
  rememberedAccounts: [],
  eventsReviewedAt: {},
  postalLetters: {},
};

/** The format version of the file (not the app's): bump it with a migration below. */
export const SETTINGS_FORMAT_VERSION = '2.0.0';

/** Keys a pre-release build may have left in plain text. They are removed, never read. */
const SECRET_LOOKING_KEYS = ['token', 'refreshToken', 'accessToken', 'password', 'pin', 'privateKey'];

type Store = Conf<Settings>;
const migrations: Record<string, (store: Store) => void> = {
  // 1.x: { language, backendUrl } only. 2.0.0: workstation settings, reminders memory, identity; no secrets.
  '2.0.0': (store) => {
    const raw = store.store as Record<string, unknown>;
    const url = raw.backendUrl;
    if (typeof url === 'string' && url.endsWith('/')) store.set('backendUrl', url.replace(/\/+$/, ''));
    for (const key of SECRET_LOOKING_KEYS) if (key in raw) store.delete(key as keyof Settings);
  },
};

let cachedSchema: Schema<Settings> | null = null;
function confSchema(): Schema<Settings> {
  if (cachedSchema) return cachedSchema;
  const json = z.toJSONSchema(SettingsSchema, { target: 'draft-7', io: 'input' }) as {
    properties: Record<string, object>;
  };
  const out: Record<string, object> = {};
  for (const [key, prop] of Object.entries(json.properties)) {
    out[key] = { ...prop, default: DEFAULT_SETTINGS[key as keyof Settings] };
  }
  return (cachedSchema = out as unknown as Schema<Settings>);
}

export type RecoveryReason = 'unreadable' | 'invalid';
export interface SettingsRecovery {
  reason: RecoveryReason;
  /** Where the bad file was put aside. */
  movedTo: string;
  restoredFrom: 'backup' | 'defaults';
  at: string;
  detail: string;
}

export interface SettingsStore {
  get<K extends keyof Settings>(key: K): Settings[K];
  set<K extends keyof Settings>(key: K, value: Settings[K]): void;
  /** What the settings screen shows and edits. */
  getWorkstationSettings(): WorkstationSettings;
  /** Validates (zod) and saves a partial change; returns the full settings. Throws on an invalid value. */
  updateWorkstationSettings(patch: Partial<WorkstationSettings>): WorkstationSettings;
  /** Called after every saved change of the workstation settings (the shell applies start-at-login, the tray…). */
  onChanged(listener: (next: WorkstationSettings) => void): () => void;
  /** Called after a recovery (at open or while running). */
  onRecovered(listener: (r: SettingsRecovery) => void): () => void;
  /** Set when the file on disk was unreadable and was put aside (the app goes on with defaults). */
  readonly recoveredFrom: string | null;
  /** Every recovery since the store was opened, oldest first. */
  readonly recoveries: readonly SettingsRecovery[];
  readonly path: string;
}

export function openSettings(dir: string, opts: { now?: () => Date } = {}): SettingsStore {
  const now = opts.now ?? (() => new Date());
  const file = join(dir, 'settings.json');
  const backup = join(dir, 'settings.backup.json');
  const schema = confSchema();
  const recoveries: SettingsRecovery[] = [];
  const listeners = new Set<(r: SettingsRecovery) => void>();
  const changeListeners = new Set<(next: WorkstationSettings) => void>();

  const open = (): Store => {
    const conf = new Conf<Settings>({
      cwd: dir,
      configName: 'settings',
      schema,
      clearInvalidConfig: false,
      projectVersion: SETTINGS_FORMAT_VERSION,
      migrations,
      ajvOptions: { strict: false },
    });
    // conf validates the JSON schema; zod checks what JSON schema cannot say (URL protocols, uuid versions).
    const parsed = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...stripInternal(conf.store) });
    if (!parsed.success) throw new Error(`Config schema violation: ${z.prettifyError(parsed.error)}`);
    return conf;
  };

  const writeBackup = () => {
    try {
      const text = readFileSync(file, 'utf8');
      writeFileSync(`${backup}.tmp`, text, { mode: 0o600 });
      renameSync(`${backup}.tmp`, backup);
    } catch {
      // a missing backup only means the defaults are the fallback
    }
  };

  const recover = (e: unknown): Store => {
    const reason: RecoveryReason = e instanceof SyntaxError ? 'unreadable' : 'invalid';
    const movedTo = `${file}.corrupt-${now().getTime()}`;
    if (existsSync(file)) renameSync(file, movedTo);
    let restoredFrom: SettingsRecovery['restoredFrom'] = 'defaults';
    let conf: Store | null = null;
    if (existsSync(backup)) {
      writeFileSync(file, readFileSync(backup));
      try {
        conf = open();
        restoredFrom = 'backup';
      } catch {
        rmSync(file, { force: true });
        rmSync(backup, { force: true });
      }
    }
    conf ??= open();
    const r: SettingsRecovery = {
      reason,
      movedTo,
      restoredFrom,
      at: now().toISOString(),
      detail: e instanceof Error ? e.message.slice(0, 300) : String(e),
    };
    recoveries.push(r);
    for (const l of listeners) l(r);
    return conf;
  };

  let conf: Store;
  try {
    conf = open();
  } catch (e) {
    conf = recover(e);
  }
  writeBackup();

  /** conf re-reads the file at every access: a file broken while the app runs is recovered, not thrown. */
  const guarded = <T>(fn: (c: Store) => T): T => {
    try {
      return fn(conf);
    } catch (e) {
      conf = recover(e);
      return fn(conf);
    }
  };

  const store: SettingsStore = {
    get: (key) => guarded((c) => c.get(key)),
    set: (key, value) => {
      guarded((c) => c.set(key, value));
      writeBackup();
      // A workstation setting changed through `set` (app.setLanguage does) is announced like any other change.
      if (key in WorkstationSettingsSchema.shape) {
        const next = store.getWorkstationSettings();
        for (const l of changeListeners) l(next);
      }
    },
    getWorkstationSettings: () => {
      const all = guarded((c) => c.store);
      return WorkstationSettingsSchema.parse({ ...pick(DEFAULT_SETTINGS), ...pick(all) });
    },
    updateWorkstationSettings: (patch) => {
      const next = WorkstationSettingsSchema.parse({ ...store.getWorkstationSettings(), ...patch });
      guarded((c) => c.set(next));
      writeBackup();
      for (const l of changeListeners) l(next);
      return next;
    },
    onChanged: (l) => {
      changeListeners.add(l);
      return () => changeListeners.delete(l);
    },
    onRecovered: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    get recoveredFrom() {
      return recoveries[0]?.movedTo ?? null;
    },
    recoveries,
    path: file,
  };
  return store;
}

function stripInternal(s: Record<string, unknown>): Record<string, unknown> {
  const { __internal__: _i, ...rest } = s;
  return rest;
}

function pick(s: Partial<Settings>): WorkstationSettings {
  const { language, backendUrl, readerName, reminderDays, startAtLogin, workstationLabel } =
    s as WorkstationSettings;
  return { language, backendUrl, readerName, reminderDays, startAtLogin, workstationLabel };
}
