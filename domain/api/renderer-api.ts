import { accountsGroup } from './groups/accounts';
import { appGroup } from './groups/app';
import { backendGroup } from './groups/backend';
import { cardGroup } from './groups/card';
import { demoGroup } from './groups/demo';
import { eventsGroup } from './groups/events';
import { remindersGroup } from './groups/reminders';
import { sessionGroup } from './groups/session';
import { settingsGroup } from './groups/settings';
import { unblockGroup } from './groups/unblock';
import type { Client, EventChannel, Handlers } from './define';

/**
 * The one renderer API: capabilities grouped by domain. Add a group in ./groups and list it here.
 * The preload object, the IPC and WebSocket bindings and the renderer client all derive from this object.
 * Shaped by capabilities, never by transport: no "send APDU", no "fetch URL" reaches the renderer.
 */
export const rendererApi = {
  app: appGroup,
  backend: backendGroup,
  card: cardGroup,
  session: sessionGroup,
  accounts: accountsGroup,
  events: eventsGroup,
  unblock: unblockGroup,
  reminders: remindersGroup,
  settings: settingsGroup,
  demo: demoGroup,
};

export type RendererApi = typeof rendererApi;
export type VigieClient = Client<RendererApi>;
export type VigieHandlers = Handlers<RendererApi>;
export type VigieEventChannel = EventChannel<RendererApi>;

/** The one global the preload exposes. */
export const PRELOAD_GLOBAL = 'vigie';
