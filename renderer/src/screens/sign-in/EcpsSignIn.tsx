import { ShieldAlert, Smartphone } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { EcpsState } from '../../../../domain/api/groups/session';
import { TextField } from '../../components/TextField';
import { ErrorState } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { formatTime } from '../../lib/format';
import { useEcpsState } from '../../lib/hooks';
import { useAction } from '../../lib/use-action';

/** The e-CPS tab: the national id, then the request waiting on the phone with its binding message. */
export function EcpsSignIn() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const live = useEcpsState();
  const [nationalId, setNationalId] = useState('');
  const [started, setStarted] = useState<EcpsState | null>(null);
  const action = useAction();
  const state = live ?? started;
  const pending = state?.status === 'pending';
  const valid = /^[08][0-9]{8,11}$/.test(nationalId);
  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    await action.run(() => api.session.startEcps({ nationalId }), setStarted);
  };
  const cancel = async () => {
    const r = await api.session.cancelEcps();
    setStarted(r.ok ? r.value : null);
  };
  if (pending)
    return (
      <>
        <div className="ecps-wait" role="status" aria-live="polite" data-testid="ecps-pending">
          <Smartphone aria-hidden="true" size={48} className="pulse" />
          <p className="state-title">{t('ecps.pending')}</p>
          {state.bindingMessage && (
            <p>
              {t('ecps.binding')} <strong className="binding">{state.bindingMessage}</strong>
            </p>
          )}
          {state.expiresAt && (
            <p className="muted">{t('ecps.expires', { time: formatTime(state.expiresAt, i18n.language) })}</p>
          )}
          <Button className="button" onPress={() => void cancel()}>
            {t('common.cancel')}
          </Button>
        </div>
        <div className="note" data-testid="ecps-never-by-phone">
          <ShieldAlert aria-hidden="true" size={20} />
          <div>
            <p className="state-title">{t('ecps.neverByPhone.title')}</p>
            <p>{t('ecps.neverByPhone.body')}</p>
            <p>{t('ecps.neverByPhone.refuse')}</p>
          </div>
        </div>
      </>
    );
  return (
    <form className="form" onSubmit={(e) => void start(e)}>
      <p>{t('ecps.intro')}</p>
      <TextField
        label={t('ecps.nationalId')}
        inputMode="numeric"
        autoComplete="off"
        value={nationalId}
        onChange={(v) => setNationalId(v.replace(/\s/g, ''))}
        help={t('ecps.nationalIdHelp')}
      />
      {state && state.status !== 'idle' && state.status !== 'approved' && (
        <p className="note" role="status" data-testid="ecps-result">
          {t(`ecps.status.${state.status}`)}
        </p>
      )}
      {action.error && <ErrorState code={action.error} compact />}
      <Button type="submit" className="button button-primary" isDisabled={!valid}>
        {t('ecps.start')}
      </Button>
    </form>
  );
}
