import { useEffect, useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { PostalState } from '../../../../domain/api/groups/unblock';
import type { ErrorCode } from '../../../../domain/errors';
import { TextField } from '../../components/TextField';
import { ErrorState, Loading } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { formatDate } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { LetterJourney } from './LetterJourney';

/** The letter: ask for one (once at a time), follow its journey, then type the code it brings. */
export function PostalStep({
  identifier,
  onTicket,
}: {
  identifier: string;
  onTicket: (ticket: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [state, setState] = useState<PostalState | null>(null);
  const [loadError, setLoadError] = useState<ErrorCode | null>(null);
  const [code, setCode] = useState('');
  const action = useAction();
  useEffect(() => {
    void api.unblock
      .postalState({ identifier })
      .then((r) => (r.ok ? setState(r.value) : setLoadError(r.code)));
  }, [api, identifier]);
  const request = () => action.run(() => api.unblock.requestPostalCode({ identifier }), setState);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(
      () => api.unblock.submitPostalCode({ identifier, code: code.trim() }),
      (v) => onTicket(v.ticket),
    );
  };
  const err = action.error ?? (state ? null : loadError);
  if (!state && !err) return <Loading />;
  const canRequest =
    !state || state.status === 'none' || state.status === 'expired' || state.status === 'used';
  const tooSoon = state?.nextRequestAt && new Date(state.nextRequestAt) > new Date();
  return (
    <div className="form" data-testid="postal">
      {state && state.status !== 'none' && <LetterJourney state={state} />}
      {state?.reference && (
        <p className="muted small">{t('unblock.postal.reference', { reference: state.reference })}</p>
      )}
      {canRequest ? (
        <>
          <p>{t('unblock.postal.intro')}</p>
          <Button
            className="button button-primary"
            onPress={() => void request()}
            isDisabled={action.busy || !!tooSoon}
          >
            {t('unblock.postal.request')}
          </Button>
          {tooSoon && state?.nextRequestAt && (
            <p className="muted">
              {t('unblock.postal.nextAt', { date: formatDate(state.nextRequestAt, i18n.language) })}
            </p>
          )}
        </>
      ) : (
        <form className="form" onSubmit={(e) => void submit(e)}>
          <TextField
            label={t('unblock.postal.code')}
            autoComplete="one-time-code"
            value={code}
            onChange={setCode}
            className="code-input"
            data-testid="postal-code"
            help={t('unblock.postal.codeHelp')}
          />
          <Button
            type="submit"
            className="button button-primary"
            isDisabled={action.busy || code.trim().length < 6}
          >
            {t('unblock.postal.submit')}
          </Button>
        </form>
      )}
      {err && <ErrorState code={err} compact />}
    </div>
  );
}
