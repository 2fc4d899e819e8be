import { useCallback, useEffect, useState } from 'react';
import type { AppInfo } from '../../../domain/api/groups/app';
import type { BackendStatus } from '../../../domain/api/groups/backend';
import type { Reminder } from '../../../domain/api/groups/reminders';
import type { EcpsState, SessionState } from '../../../domain/api/groups/session';
import type { CardState } from '../../../domain/card';
import type { ErrorCode } from '../../../domain/errors';
import type { Result } from '../../../domain/result';
import { useApi } from './api-context';

/** Live value of a renderer-API event, primed by a call (events only say what changed). */
export function useLive<T>(
  load: () => Promise<Result<T>>,
  subscribe: (l: (v: T) => void) => () => void,
): { value: T | null; error: ErrorCode | null; set: (v: T) => void } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);
  useEffect(() => {
    let alive = true;
    const off = subscribe((v) => {
      if (!alive) return;
      setValue(v);
      setError(null);
    });
    void load().then((r) => {
      if (!alive) return;
      if (r.ok) setValue((prev) => prev ?? r.value);
      else setError(r.code);
    });
    return () => {
      alive = false;
      off();
    };
  }, [load, subscribe]);
  return { value, error, set: setValue };
}

export function useCardState(): CardState | null {
  const api = useApi();
  return useLive(api.card.getState, api.card.onState).value;
}
export function useBackendStatus(): BackendStatus | null {
  const api = useApi();
  return useLive(api.backend.getStatus, api.backend.onStatus).value;
}
/** The session; `error` set when the core cannot say (it is down or answers UNAVAILABLE): the app shows sign-in. */
export function useSessionState() {
  const api = useApi();
  return useLive<SessionState>(api.session.getState, api.session.onState);
}
export function useEcpsState(): EcpsState | null {
  const api = useApi();
  const [state, setState] = useState<EcpsState | null>(null);
  useEffect(() => api.session.onEcps(setState), [api]);
  return state;
}
/** Reminders for every account known here; asked again when who is signed in changes (`key`). */
export function useReminders(key = ''): Reminder[] {
  const api = useApi();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const load = useCallback(() => api.reminders.list(), [api, key]);
  const sub = useCallback((l: (v: { reminders: Reminder[] }) => void) => api.reminders.onChanged(l), [api]);
  return useLive(load, sub).value?.reminders ?? [];
}

export function useAppInfo(): AppInfo | null {
  const api = useApi();
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    void api.app.getInfo().then((r) => r.ok && setInfo(r.value));
  }, [api]);
  return info;
}

export type Loaded<T> =
  | { status: 'loading'; value: null; code: null }
  | { status: 'ok'; value: T; code: null }
  | { status: 'error'; value: T | null; code: ErrorCode };

/**
 * One renderer-API call, loaded on mount and on `reload()`. Keeps the last good value when a reload fails,
 * so a screen can show its data and say it may be out of date (offline state).
 */
export function useCall<T>(
  run: () => Promise<Result<T>>,
  deps: readonly unknown[],
): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading', value: null, code: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    void run().then((r) => {
      if (!alive) return;
      setState((prev) =>
        r.ok
          ? { status: 'ok', value: r.value, code: null }
          : { status: 'error', value: prev.value, code: r.code },
      );
    });
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick, ...deps]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
