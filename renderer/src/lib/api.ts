import { createClient } from '../../../domain/api/define';
import { PRELOAD_GLOBAL, rendererApi, type VigieClient } from '../../../domain/api/renderer-api';
import { createWsTransport, type ConnectionState } from './ws-transport';

type Listener = (s: ConnectionState) => void;
const connectionListeners = new Set<Listener>();
let connection: ConnectionState = 'connecting';
const setConnection = (s: ConnectionState) => {
  connection = s;
  for (const l of connectionListeners) l(s);
};

/** The session token of browser mode: read once from the URL fragment, then kept for reloads of this tab. */
function takeToken(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem('vigie.token', match[1]);
    window.history.replaceState(null, '', `${window.location.pathname}#/`);
    return match[1];
  }
  return sessionStorage.getItem('vigie.token');
}

/**
 * The renderer's one way to reach the core: the preload object in Electron, the web host's WebSocket in a
 * browser. The renderer makes no other network request.
 */
function connect(): VigieClient {
  const fromPreload = (window as unknown as Record<string, unknown>)[PRELOAD_GLOBAL] as
    VigieClient | undefined;
  if (fromPreload) {
    setConnection('open');
    return fromPreload;
  }
  const token = takeToken() ?? '';
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api?token=${encodeURIComponent(token)}`;
  return createClient(rendererApi, createWsTransport(url, setConnection));
}

export const api: VigieClient = connect();

export function getConnection(): ConnectionState {
  return connection;
}
export function onConnection(l: () => void): () => void {
  connectionListeners.add(l);
  return () => void connectionListeners.delete(l);
}
