import { AppError } from '../../../domain/result';
import type { CoreBase } from '../context';
import type { LogLine } from '../diagnostics/logger';
import { createReminderScheduler, type ReminderScheduler, type StatusLike } from '../reminders/scheduler';
import { createSecretStore, type KeychainStatus, type SecretStore } from '../secrets/secret-store';
import { createTokenVault, type TokenVault } from '../secrets/token-vault';
import { openWorkstation, type Workstation } from './identity';
import { registrationSync, syncRegistration, type RegistrationOutcome } from './registration';

/**
 * The workstation services of the core, composed once by ./core.ts: the OS keychain, "remember me",
 * the workstation identity and the reminder scheduler. Nothing here imports `electron`: the shell subscribes to
 * `reminders.onNotify` to show OS notifications; in browser mode the renderer shows the banner from
 * `reminders.list` / `reminders.changed`.
 */
export interface WorkstationServicesOptions {
  /** The status of every account followed here; the composition root passes the backend client's status call. */
  fetchStatuses?: (followed: readonly string[]) => Promise<readonly StatusLike[]>;
  /** Tests use their own keychain service name. */
  keychainService?: string;
  /** The file logger's last warnings and errors, for "copy diagnostics". */
  recentLog?: () => readonly LogLine[];
  /** The card supervisor's restart count, for "copy diagnostics". */
  cardProcessRestarts?: () => number;
}

export interface WorkstationServices {
  readonly secrets: SecretStore;
  readonly tokens: TokenVault;
  readonly reminders: ReminderScheduler;
  /** Null until `start()` made or loaded the identity. */
  workstation(): Workstation | null;
  keychain(): KeychainStatus | null;
  recentLog(): readonly LogLine[];
  cardProcessRestarts(): number | null;
  /** Reader names seen since the start (for diagnostics: a reader that comes and goes is a clue). */
  readersSeen(): string[];
  /** Registers the workstation key with the backend if not done yet or the label changed (one at a time). */
  syncRegistration(): Promise<RegistrationOutcome | null>;
  /** What the last registration attempt gave (null: none yet). */
  registration(): RegistrationOutcome | null;
  start(): Promise<void>;
  stop(): void;
}

export function createWorkstationServices(
  ctx: CoreBase,
  opts: WorkstationServicesOptions = {},
): WorkstationServices {
  const secrets = createSecretStore(opts.keychainService ? { service: opts.keychainService } : {});
  const tokens = createTokenVault(secrets, ctx.settings, ctx.log);
  const reminders = createReminderScheduler({
    settings: ctx.settings,
    fetchStatuses:
      opts.fetchStatuses ??
      (() =>
        Promise.reject(
          new AppError('BACKEND_UNREACHABLE', 'account statuses are not wired to the backend yet', true),
        )),
    now: () => ctx.now(),
    log: ctx.log,
    card: ctx.card,
  });
  let ws: Workstation | null = null;
  let keychain: KeychainStatus | null = null;
  let offChanged: (() => void) | null = null;
  let offCard: (() => void) | null = null;
  let offSession: (() => void) | null = null;
  const readers = new Set<string>();
  const registration = registrationSync(async () => {
    const client = ctx.backend.clientIfReady();
    if (!ws || !client) return 'failed';
    return syncRegistration(ws, client, { log: ctx.log, now: () => ctx.now() });
  });
  const noteReaders = (names: readonly string[]) => {
    for (const n of names) if (readers.size < 16) readers.add(n.slice(0, 120));
  };

  return {
    secrets,
    tokens,
    reminders,
    workstation: () => ws,
    keychain: () => keychain,
    recentLog: () => opts.recentLog?.() ?? [],
    cardProcessRestarts: () => {
      if (opts.cardProcessRestarts) return opts.cardProcessRestarts();
      // The card supervisor (card-service) counts its restarts; a plain CardSource does not.
      const n = (ctx.card as { restartCount?: unknown }).restartCount;
      return typeof n === 'number' ? n : null;
    },
    readersSeen: () => [...readers],
    syncRegistration: () => registration.request(),
    registration: () => registration.last(),
    async start() {
      offChanged = reminders.onChanged((list) => ctx.events.emit('reminders.changed', { reminders: list }));
      noteReaders(ctx.card.getState().readers.map((r) => r.name));
      offCard = ctx.card.onState((st) => noteReaders(st.readers.map((r) => r.name)));
      // A workstation the backend already knows without a key (it signed in before it had a keychain) registers
      // from a session opened on it: try again once someone is signed in.
      offSession = ctx.events.subscribe('session.state', (state) => {
        const last = registration.last();
        if ((state as { status?: string }).status === 'signed-in' && (last === 'failed' || last === null)) {
          void registration.request();
        }
      });
      keychain = await secrets.status();
      if (!keychain.available)
        ctx.log('warn', 'no OS keychain: "remember me" is off', {
          code: 'KEYCHAIN_UNAVAILABLE',
          reason: keychain.reason,
        });
      try {
        ws = await openWorkstation(ctx.settings, secrets, { now: () => ctx.now(), log: ctx.log });
      } catch (e) {
        ctx.log('error', 'workstation identity could not be set up', {
          error: e instanceof Error ? e.message : String(e),
        });
      }
      // Never blocks the start: the first fetch may wait for the backend.
      void reminders
        .start()
        .catch((e: unknown) => ctx.log('error', 'reminder scheduler failed to start', { error: String(e) }));
    },
    stop() {
      offChanged?.();
      offCard?.();
      offSession?.();
      reminders.stop();
    },
  };
}
