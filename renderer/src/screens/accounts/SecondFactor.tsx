import { AlertTriangle, ShieldCheck, ShieldOff } from 'lucide-react';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { DelegateFactor } from '../../../../domain/api/groups/accounts';
import type { AccountStatus } from '../../../../domain/backend-api/schemas';
import type { FactorGrace } from '../../../../domain/backend-api/schemas-factors';
import type { ErrorCode } from '../../../../domain/errors';
import { ConfirmDialog, ErrorState, Success } from '../../components/ui';
import { useApi } from '../../lib/api-context';
import { formatDate } from '../../lib/format';
import { useAction } from '../../lib/use-action';

/**
 * A refusal of the holder's controls, in words: a password session cannot reset a delegate's factor (the backend
 * asks for the card or e-CPS), which the generic text of that code does not say.
 */
function Refusal({ code }: { code: ErrorCode }) {
  const { t } = useTranslation();
  if (code !== 'FRESH_PROOF_REQUIRED') return <ErrorState code={code} compact />;
  return (
    <div className="state state-error state-compact" role="alert" data-testid="error-state" data-code={code}>
      <AlertTriangle aria-hidden="true" size={24} />
      <div>
        <p className="state-title">{t('accounts.factor.needCard')}</p>
        <p className="muted">{t('accounts.factor.needCardNext')}</p>
      </div>
    </div>
  );
}

/**
 * The pharmacy's grace period, for the holder: until when a password alone is accepted, and the one extension of
 * 30 days she may give. After it, the new date and no more button.
 */
export function GracePanel({
  grace,
  inGrace,
  onExtended,
}: {
  grace: FactorGrace | null;
  /** A password alone still opens a session now, by the core's clock. */
  inGrace: boolean;
  onExtended: (g: FactorGrace) => void;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { busy, error, run } = useAction();
  const [extended, setExtended] = useState<FactorGrace | null>(null);
  const extend = () =>
    run(
      () => api.accounts.extendFactorGrace(),
      (g) => {
        setExtended(g);
        onExtended(g);
      },
    );
  const date = grace ? formatDate(grace.graceEndsAt, i18n.language) : '';
  return (
    <section className="panel" aria-labelledby="factor-grace-title" data-testid="factor-grace">
      <h2 id="factor-grace-title" className="panel-title">
        <ShieldCheck aria-hidden="true" size={20} /> {t('accounts.grace.title')}
      </h2>
      {grace === null ? (
        <p className="muted">{t('accounts.grace.notStarted')}</p>
      ) : (
        <>
          <p data-testid="grace-end" data-ends-at={grace.graceEndsAt}>
            <strong>
              {inGrace ? t('accounts.grace.until', { date }) : t('accounts.grace.ended', { date })}
            </strong>
          </p>
          {inGrace && <p className="muted small">{t('accounts.grace.then')}</p>}
          {extended && <Success title={t('accounts.grace.extended')} />}
          {grace.extendable ? (
            <div className="actions">
              <Button className="button" onPress={() => void extend()} isDisabled={busy}>
                {t('accounts.grace.extend')}
              </Button>
              <span className="muted small">{t('accounts.grace.once')}</span>
            </div>
          ) : (
            !extended && <p className="muted small">{t('accounts.grace.alreadyExtended')}</p>
          )}
          {error && <Refusal code={error} />}
        </>
      )}
    </section>
  );
}

/**
 * A password delegate's second factor, on its row of the holder's screen: which one, since when, and the holder's
 * reset (from her card or e-CPS session). After a reset the delegate has none and enrols again through the code
 * mailed to the dedicated address.
 */
export function DelegateSecondFactor({
  account,
  factor,
  grace,
  inGrace,
  onReset,
}: {
  account: AccountStatus;
  factor: DelegateFactor;
  grace: FactorGrace | null;
  inGrace: boolean;
  onReset: () => void;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { busy, error, setError, run } = useAction();
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState(false);
  const name = account.displayName;
  const graceDate = grace ? formatDate(grace.graceEndsAt, i18n.language) : '';
  const next = inGrace ? t('accounts.factor.nextInGrace', { date: graceDate }) : t('accounts.factor.next');
  const reset = async () => {
    setAsking(false);
    await run(
      () => api.accounts.resetDelegateFactor({ accountId: account.accountId }),
      () => {
        setDone(true);
        onReset();
      },
    );
  };
  return (
    <div className="delegate-factor" data-testid="delegate-factor" data-factor={factor.kind ?? 'none'}>
      {factor.kind ? (
        <div className="actions">
          <p className="small">
            <ShieldCheck aria-hidden="true" size={16} />{' '}
            {t(`accounts.factor.${factor.kind}`, {
              date: factor.enrolledAt ? formatDate(factor.enrolledAt, i18n.language) : '',
            })}
          </p>
          <Button
            className="button button-quiet"
            isDisabled={busy}
            onPress={() => (setError(null), setAsking(true))}
          >
            {t('accounts.factor.reset')}
          </Button>
        </div>
      ) : (
        <p className="small">
          <ShieldOff aria-hidden="true" size={16} /> {t('accounts.factor.none')} {next}
        </p>
      )}
      {done && !factor.kind && <Success title={t('accounts.factor.resetDone', { name })} />}
      {error && <Refusal code={error} />}
      <ConfirmDialog
        isOpen={asking}
        title={t('accounts.factor.confirmTitle', { name })}
        body={t('accounts.factor.confirmText', { name, next })}
        confirmLabel={t('accounts.factor.confirm')}
        error={null}
        onConfirm={() => void reset()}
        onCancel={() => setAsking(false)}
      />
    </div>
  );
}
