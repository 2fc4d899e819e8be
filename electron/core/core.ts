import { rendererApi, type RendererApi, type VigieHandlers } from '../../domain/api/renderer-api';
import type { AppInfo } from '../../domain/api/groups/app';
import type { BackendStatus } from '../../domain/api/groups/backend';
import { createDispatcher, type Dispatcher } from './api/dispatcher';
import { EventHub } from './api/event-hub';
import { BackendMonitor } from './backend-monitor';
import { startEmbeddedBackend, type EmbeddedBackend } from './embedded-backend';
import { unavailableCardSource, type CardSource } from './card-source';
import { BackendLink } from './backend-link';
import type { CoreBase, CoreContext, DemoPlug, LogFn } from './context';
import { appHandlers } from './handlers/app';
import { demoOffHandlers } from './handlers/demo-off';
import { accountsHandlers } from './handlers/accounts';
import { cardHandlers } from './handlers/card';
import { eventsHandlers } from './handlers/events';
import { sessionHandlers } from './handlers/session';
import { unblockHandlers } from './handlers/unblock';
import { BackendClient } from './backend-client';
import { SessionService } from './session/session-service';
import { fetchFollowedStatuses } from './reminders/statuses';
import { randomUUID } from 'node:crypto';
import { remindersHandlers } from './handlers/reminders';
import { settingsHandlers } from './handlers/settings';
import type { LogLine } from './diagnostics/logger';
import type { StatusLike } from './reminders/scheduler';
import { createWorkstationServices, type WorkstationServices } from './workstation/services';
import { openSettings, type SettingsStore } from './settings/settings-store';

export interface CoreOptions {
  mode: AppInfo['mode'];
  /** The user-data folder: settings, logs, embedded backend data. */
  userDataDir: string;
  appVersion: string;
  versions?: { electron?: string; chrome?: string };
  /** Demo mode: the demo module (./demo/), plugged in by the composition root (./index.ts) when asked for. */
  demo?: DemoPlug;
  /** A remote backend; when absent the core reports the embedded one. */
  backendUrl?: string;
  cardSource?: CardSource;
  log?: LogFn;
  /** The status of the accounts followed on this workstation, for reminders (the backend client's status calls). */
  fetchAccountStatuses?: (followed: readonly string[]) => Promise<readonly StatusLike[]>;
  /** The file logger's last warnings and errors, for "copy diagnostics". */
  recentLog?: () => readonly LogLine[];
  now?: () => Date;
}

export interface Core {
  readonly dispatcher: Dispatcher;
  readonly events: EventHub<RendererApi>;
  readonly settings: SettingsStore;
  /** Keychain, remember-me, workstation identity, reminders: the shell shows their notifications and tray. */
  readonly workstation: WorkstationServices;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The workstation's brain, with no `electron` import: it implements the renderer API. The Electron shell binds
 * it to IPC; the web host binds it to a loopback WebSocket.
 */
export function createCore(opts: CoreOptions): Core {
  const log: LogFn = opts.log ?? (() => {});
  const events = new EventHub<RendererApi>();
  const settings = openSettings(opts.userDataDir);
  if (settings.recoveredFrom)
    log('warn', 'settings file was unreadable and was put aside', { file: settings.recoveredFrom });

  const card = opts.cardSource ?? unavailableCardSource();
  const backendLink = new BackendLink();
  const base: CoreBase = {
    mode: opts.mode,
    appVersion: opts.appVersion,
    versions: opts.versions ?? {},
    demo: opts.demo !== undefined,
    userDataDir: opts.userDataDir,
    events,
    settings,
    card,
    backend: backendLink,
    log,
    now: opts.now ?? (() => new Date()),
  };

  // Built once, in order: the workstation services, then who is signed in (which uses them). The statuses for
  // reminders ask the session lazily, when the scheduler runs.
  const workstation = createWorkstationServices(base, {
    fetchStatuses:
      opts.fetchAccountStatuses ??
      ((followed) =>
        fetchFollowedStatuses(
          backendLink,
          () => ctx.session.current.user,
          followed,
          (e) => ctx.session.noticeError(e),
        )),
    recentLog: opts.recentLog,
  });
  const withWorkstation = Object.assign(base, { workstation });
  const ctx: CoreContext = Object.assign(withWorkstation, { session: new SessionService(withWorkstation) });
  const session = ctx.session;
  let client: BackendClient | null = null;

  const onBackendChange = (s: BackendStatus) => {
    events.emit('backend.status', s);
    if (!s.reachable || !client) return;
    if (workstation.registration() !== 'up-to-date') void workstation.syncRegistration();
    // The backend is back: fresh statuses now rather than at the next backoff slot (the reminders say stale until then).
    if (ctx.settings.get('reminders').refreshFailing)
      void workstation.reminders.refresh().catch(() => undefined);
  };

  // A remote backend when configured; otherwise the one embedded in this app (started by `start()`).
  const remoteUrl = opts.backendUrl || settings.get('backendUrl');
  let embedded: EmbeddedBackend | null = null;
  let backend = new BackendMonitor({
    baseUrl: remoteUrl || 'http://127.0.0.1:0',
    mode: remoteUrl ? 'remote' : 'embedded',
    onChange: onBackendChange,
  });
  backendLink.watch(() => backend.current);

  const handlers: VigieHandlers = {
    app: appHandlers(ctx),
    backend: { getStatus: () => backend.check() },
    card: cardHandlers(ctx),
    session: sessionHandlers(ctx),
    accounts: accountsHandlers(ctx),
    events: eventsHandlers(ctx),
    unblock: unblockHandlers(ctx),
    reminders: remindersHandlers(ctx),
    settings: settingsHandlers(ctx),
    demo: opts.demo?.handlers(ctx) ?? demoOffHandlers(),
  };

  const dispatcher = createDispatcher(rendererApi, handlers, {
    onInternalError: (channel, e) =>
      log('error', 'renderer API handler failed', { channel, error: String(e) }),
  });

  let unsubscribeCard: (() => void) | null = null;
  return {
    dispatcher,
    events,
    settings,
    workstation,
    async start() {
      unsubscribeCard = card.onState((s) => {
        events.emit('card.state', s);
        session.onCardState(s);
      });
      await card.start();
      await workstation.start();
      if (!remoteUrl) {
        try {
          embedded = await startEmbeddedBackend({
            userDataDir: opts.userDataDir,
            demo: opts.demo?.embedded,
            log,
            now: ctx.now,
          });
          backend = new BackendMonitor({
            baseUrl: embedded.url,
            mode: 'embedded',
            onChange: onBackendChange,
          });
        } catch (e) {
          // The app stays usable (card state, settings); the backend panel says it is unreachable.
          log('error', 'embedded backend failed to start', { error: String(e) });
        }
      }
      const ws = workstation.workstation()?.info();
      client = new BackendClient({
        baseUrl: remoteUrl || embedded?.url || 'http://127.0.0.1:0',
        workstation: {
          id: ws?.id ?? randomUUID(),
          label: settings.get('workstationLabel'),
          // Sign-in requests carry the workstation's proof once its key is registered (the backend checks it then).
          ...(ws?.canSign
            ? {
                sign: (m: string) =>
                  workstation.workstation()!.sign(Buffer.from(m, 'utf8')).toString('base64'),
              }
            : {}),
        },
        appVersion: opts.appVersion,
      });
      backendLink.connect(client, embedded, () => backend.current);
      backend.start();
      // The workstation key is registered once the backend answers (now, or when it comes back).
      void workstation.syncRegistration();
      // "Remember me": a session kept in the keychain resumes if the backend still accepts it (here only).
      await session.resumeRemembered({ waitMs: 3000 });
    },
    async stop() {
      session.stop();
      workstation.stop();
      unsubscribeCard?.();
      await opts.demo?.stop();
      backend.stop();
      await card.stop();
      await embedded?.close();
    },
  };
}
