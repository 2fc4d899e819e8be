import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApi } from '../../lib/api-context';
import { useCardState } from '../../lib/hooks';
import { useAction } from '../../lib/use-action';
import type { UnblockStart } from '../sign-in';
import type { Path } from './PathChoice';

/**
 * `generic`: the same choice for everyone (an identifier alone proves nothing); `notEnough`: the key was right but
 * is not enough for this account, so these are the person's own remaining ways.
 */
export type Choice = { paths: Path[]; triesLeft: number | null; generic: boolean; notEnough?: boolean };
export type Stage =
  | { s: 'start' }
  | ({ s: 'paths' } & Choice)
  | { s: 'key' }
  | { s: 'postal' }
  | { s: 'password'; ticket: string }
  | { s: 'done' };

/** The wizard's stages: the identifier, the ways out that can work now, the chosen way, a new password. */
export function useUnblockWizard(from: UnblockStart) {
  const api = useApi();
  const navigate = useNavigate();
  const card = useCardState();
  const [identifier, setIdentifier] = useState(from.identifier ?? '');
  const [stage, setStage] = useState<Stage>({ s: 'start' });
  const [lastPaths, setLastPaths] = useState<Choice | null>(null);
  const action = useAction();
  const ident = identifier.trim();
  const show = (found: Choice) => {
    setLastPaths(found);
    setStage({ s: 'paths', ...found });
  };
  /** Which ways out can work now. */
  const ask = async () => {
    action.setError(null);
    // From a sign-in whose password was right: the person's own paths, as that answer listed them.
    const own = from.paths?.length && from.identifier && ident === from.identifier.trim();
    if (own) return show({ paths: from.paths!, triesLeft: null, generic: false });
    await action.run(
      () =>
        api.unblock.eligibility({
          identifier: ident || undefined,
          has: { card: card?.status === 'present' },
        }),
      (v) =>
        show({
          paths: v.paths,
          // with an identifier alone the count is the same for everyone: it says nothing about this account
          triesLeft: ident ? null : v.securityKeyTriesLeft,
          generic: !!ident,
        }),
    );
  };
  /** The key was right but not enough here: the ways that remain for this person. */
  const keyNotEnough = () =>
    show({
      paths: [
        ...(card?.status === 'present' ? (['card'] as const) : []),
        ...(from.paths ?? ['postal_code']).filter((p) => p !== 'security_key' && p !== 'card'),
      ],
      triesLeft: null,
      generic: false,
      notEnough: true,
    });
  const choose = (p: Path) => {
    if (p === 'card') void navigate('/', { state: { method: 'card' } });
    else if (p === 'ecps') void navigate('/', { state: { method: 'ecps' } });
    else setStage({ s: p === 'security_key' ? 'key' : 'postal' });
  };
  const back = () =>
    setStage(stage.s === 'paths' || !lastPaths ? { s: 'start' } : { s: 'paths', ...lastPaths });
  return { identifier, setIdentifier, ident, stage, setStage, ask, keyNotEnough, choose, back, action };
}
