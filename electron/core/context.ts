import type { RendererApi } from '../../domain/api/renderer-api';
import type { EventHub } from './api/event-hub';
import type { CardSource } from './card-source';
import type { SettingsStore } from './settings/settings-store';
import type { WorkstationServices } from './workstation/services';
import type { BackendLink } from './backend-link';
import type { SessionService } from './session/session-service';

export type LogFn = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/**
 * What the core is built from: its inputs and the link to the backend. The workstation services are built from
 * this, the session service from this plus them (./core.ts composes them once, in that order).
 */
export interface CoreBase {
  readonly mode: 'electron' | 'browser';
  readonly appVersion: string;
  readonly versions: { electron?: string; chrome?: string };
  readonly demo: boolean;
  readonly userDataDir: string;
  readonly events: EventHub<RendererApi>;
  readonly settings: SettingsStore;
  readonly card: CardSource;
  /** Demo mode: the private virtual reader's port (null: no demo reader here). */
  demoVpcdPort(): number | null;
  /** Demo mode: the virtual card currently in the reader, if any (set by the demo handlers). */
  demoCards?: { stop(): Promise<void> };
  /** The backend client (it alone holds the session token), the embedded backend, and its reachability. */
  readonly backend: BackendLink;
  readonly log: LogFn;
  /** The clock; tests move it. The server's clock decides blocks, this one only schedules and displays. */
  now(): Date;
}

/**
 * What every handler module of the core may use. Handler modules (./handlers/<group>.ts) each build one group of
 * the renderer API from this context; ./core.ts composes them.
 */
export interface CoreContext extends CoreBase {
  /** Keychain, "remember me", workstation identity, reminder scheduler. */
  readonly workstation: WorkstationServices;
  /** Who is signed in here. */
  readonly session: SessionService;
}
