import { useState } from 'react';
import type { SignInOutcome } from '../../../../domain/api/groups/session';
import type { Result } from '../../../../domain/result';
import { useShell } from '../../lib/api-context';
import { useAction } from '../../lib/use-action';

/**
 * A sign-in attempt and what it gave: signed in (the shell takes the session), blocked (`outcome`), or an error
 * code; `busy` while it runs.
 */
export function useOutcome() {
  const shell = useShell();
  const action = useAction();
  const [outcome, setOutcome] = useState<SignInOutcome | null>(null);
  const attempt = async (call: () => Promise<Result<SignInOutcome>>) => {
    const r = await action.run(call, (value) => {
      if (value.status === 'signed-in') shell.sessionChanged(value.session);
    });
    setOutcome(r.ok ? r.value : null);
  };
  const reset = () => (setOutcome(null), action.setError(null));
  return { outcome, error: action.error, busy: action.busy, attempt, reset };
}
