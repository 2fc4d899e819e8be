import { useEffect, useState, useSyncExternalStore } from 'react';
import type { AppInfo } from '../../../domain/api/groups/app';
import type { BackendStatus } from '../../../domain/api/groups/backend';
import type { CardState } from '../../../domain/card';
import { api, getConnection, onConnection } from './api';
import type { ConnectionState } from './ws-transport';

/** Live value of a renderer-API event, primed by a call (events only say what changed). */
function useLive<T>(
  load: () => Promise<{ ok: true; value: T } | { ok: false }>,
  subscribe: (l: (v: T) => void) => () => void,
): T | null {
  const [value, setValue] = useState<T | null>(null);
  useEffect(() => {
    let alive = true;
    const off = subscribe((v) => alive && setValue(v));
    void load().then((r) => alive && r.ok && setValue((prev) => prev ?? r.value));
    return () => {
      alive = false;
      off();
    };
  }, [load, subscribe]);
  return value;
}

export const useCardState = (): CardState | null => useLive(api.card.getState, api.card.onState);
export const useBackendStatus = (): BackendStatus | null => useLive(api.backend.getStatus, api.backend.onStatus);

export function useAppInfo(): AppInfo | null {
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    void api.app.getInfo().then((r) => r.ok && setInfo(r.value));
  }, []);
  return info;
}

export function useConnection(): ConnectionState {
  return useSyncExternalStore(onConnection, getConnection);
}
