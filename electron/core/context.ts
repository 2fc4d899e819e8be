import type { RendererApi } from '../../domain/api/renderer-api';
import type { EventHub } from './api/event-hub';
import type { CardSource } from './card-source';
import type { SettingsStore } from './settings/settings-store';
import type { WorkstationServices } from './workstation/services';
import type { BackendClient } from './backend-client';
import type { SessionService } from './session/session-service';
import type { EmbeddedBackend } from './embedded-backend';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/**
 * What every handler module of the core may use. Handler modules (./handlers/<group>.ts) each build one group of
 * the renderer API from this context; ./core.ts composes them.
 */
export interface CoreContext {
  readonly mode: 'electron' | 'browser';
  readonly appVersion: string;
  readonly versions: { electron?: string; chrome?: string };
  readonly demo: boolean;
  readonly userDataDir: string;
  readonly events: EventHub<RendererApi>;
  readonly settings: SettingsStore;
  readonly card: CardSource;
  /** Demo mode: the private virtual reader's port (null: no demo reader here). */
  readonly demoVpcdPort: number | null;
  /** Demo mode: the virtual card currently in the reader, if any (set by the demo handlers). */
  demoCards?: { stop(): Promise<void> };
  /** Keychain, "remember me", workstation identity, reminder scheduler (set by ./core.ts). */
  workstation?: WorkstationServices;
  /** The backend client (it alone holds the session token); null until the backend is known. */
  backendClient?: () => BackendClient | null;
  /** Who is signed in here (set by ./core.ts). */
  session?: SessionService;
  /** The embedded backend, when this app runs one (demo: its PSC sandbox and letters outbox). Set by ./core.ts. */
  embedded?: () => EmbeddedBackend | null;
  /** The backend's reachability as last checked, for diagnostics (set by ./core.ts). */
  backendStatus?: () => { mode: string; reachable: boolean; address?: string };
  readonly log: LogFn;
  /** The clock; tests move it. The server's clock decides blocks, this one only schedules and displays. */
  now(): Date;
}
