import { appGroup } from './groups/app';
import { backendGroup } from './groups/backend';
import { cardGroup } from './groups/card';
import type { Client, EventChannel, Handlers } from './define';

/**
 * The one renderer API: capabilities grouped by domain. Add a group in ./groups and list it here.
 * The preload object, the IPC and WebSocket bindings and the renderer client all derive from this object.
 */
export const rendererApi = {
  app: appGroup,
  card: cardGroup,
  backend: backendGroup,
};

export type RendererApi = typeof rendererApi;
export type VigieClient = Client<RendererApi>;
export type VigieHandlers = Handlers<RendererApi>;
export type VigieEventChannel = EventChannel<RendererApi>;

/** The one global the preload exposes. */
export const PRELOAD_GLOBAL = 'vigie';
