import type { RendererApi, VigieHandlers } from '../../domain/api/renderer-api';
import type { EmbeddedDemo } from './embedded-backend';
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

/**
 * Demo mode's parts (./demo/), plugged in by the composition root only when demo mode is asked for; without it the
 * demo group of the renderer API refuses and the embedded backend takes its sign-in configuration from the
 * environment.
 */
export interface DemoPlug {
  /** « Cartes de démonstration »: the demo group of the renderer API. */
  handlers(ctx: CoreContext): VigieHandlers['demo'];
  /** The embedded backend's demo configuration: test PKI, Pro Santé Connect sandbox, demo pharmacy. */
  readonly embedded: EmbeddedDemo;
  /** Pulls the virtual card, if any. */
  stop(): Promise<void>;
}
