import { rendererApi, type RendererApi, type VigieHandlers } from '../../domain/api/renderer-api';
import type { AppInfo, Language } from '../../domain/api/groups/app';
import type { CardState } from '../../domain/card';
import { createDispatcher, type Dispatcher } from './api/dispatcher';
import { EventHub } from './api/event-hub';
import { BackendMonitor } from './backend-monitor';
import type { CardSource } from './card-source';
import { openSettings, type SettingsStore } from './settings/settings-store';

export interface CoreOptions {
  mode: AppInfo['mode'];
  /** The user-data folder: settings, logs, embedded backend data. */
  userDataDir: string;
  appVersion: string;
  versions?: { electron?: string; chrome?: string };
  demo?: boolean;
  /** A remote backend; when absent the core reports the embedded one. */
  backendUrl?: string;
  cardSource?: CardSource;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export interface Core {
  readonly dispatcher: Dispatcher;
  readonly events: EventHub<RendererApi>;
  readonly settings: SettingsStore;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The workstation's brain, with no `electron` import: it implements the renderer API. The Electron shell binds
 * it to IPC; the web host binds it to a loopback WebSocket.
 */
export function createCore(opts: CoreOptions): Core {
  const log = opts.log ?? (() => {});
  const events = new EventHub<RendererApi>();
  const settings = openSettings(opts.userDataDir);
  if (settings.recoveredFrom) log('warn', 'settings file was unreadable and was put aside', { file: settings.recoveredFrom });

  const card = opts.cardSource ?? unavailableCardSource();
  const backendUrl = opts.backendUrl || settings.get('backendUrl');
  const backend = new BackendMonitor({
    baseUrl: backendUrl || 'http://127.0.0.1:0',
    mode: backendUrl ? 'remote' : 'embedded',
    onChange: (s) => events.emit('backend.status', s),
  });

  const handlers: VigieHandlers = {
    app: {
      getInfo: () => ({
        name: 'Vigie',
        version: opts.appVersion,
        mode: opts.mode,
        demo: opts.demo ?? false,
        versions: { node: process.versions.node, ...opts.versions },
        language: settings.get('language'),
      }),
      setLanguage: ({ language }: { language: Language }) => {
        settings.set('language', language);
        events.emit('app.language', language);
        return { language };
      },
    },
    card: {
      getState: () => card.getState(),
    },
    backend: {
      getStatus: () => backend.check(),
    },
  };

  const dispatcher = createDispatcher(rendererApi, handlers, {
    onInternalError: (channel, e) => log('error', 'renderer API handler failed', { channel, error: String(e) }),
  });

  let unsubscribeCard: (() => void) | null = null;
  return {
    dispatcher,
    events,
    settings,
    async start() {
      unsubscribeCard = card.onState((s) => events.emit('card.state', s));
      await card.start();
      if (backendUrl) backend.start();
    },
    async stop() {
      unsubscribeCard?.();
      backend.stop();
      await card.stop();
    },
  };
}

/** Until a card service is attached: PC/SC reported as unavailable, which the UI explains. */
function unavailableCardSource(): CardSource {
  const state: CardState = {
    status: 'no-service',
    readers: [],
    activeReader: null,
    pinTriesLeft: null,
    updatedAt: new Date().toISOString(),
  };
  return { getState: () => state, onState: () => () => {}, start: async () => {}, stop: async () => {} };
}
