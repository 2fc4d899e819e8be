import { useCallback, useState } from 'react';
import type { ErrorCode } from '../../../domain/errors';
import type { Result } from '../../../domain/result';

export interface Action {
  /** True while a call runs: the button that started it is disabled. */
  busy: boolean;
  /** The code of the last call if it failed: it stays on screen while the next call runs, until its answer. */
  error: ErrorCode | null;
  setError: (code: ErrorCode | null) => void;
  /** Runs one renderer-API call; `onOk` gets its value. Resolves to the call's result. */
  run: <T>(call: () => Promise<Result<T>>, onOk?: (value: T) => void) => Promise<Result<T>>;
}

/** One user action that calls the core: busy while it runs, then its error or what to do with its value. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorCode | null>(null);
  const run = useCallback(async <T>(call: () => Promise<Result<T>>, onOk?: (value: T) => void) => {
    setBusy(true);
    const r = await call();
    setBusy(false);
    setError(r.ok ? null : r.code);
    if (r.ok) onOk?.(r.value);
    return r;
  }, []);
  return { busy, error, setError, run };
}
