import { useSyncExternalStore } from 'react';
import { getConnection, onConnection } from './api';
import type { ConnectionState } from './ws-transport';

/** The link between this window and the workstation's core (browser mode: the loopback WebSocket). */
export function useConnection(): ConnectionState {
  return useSyncExternalStore(onConnection, getConnection);
}
