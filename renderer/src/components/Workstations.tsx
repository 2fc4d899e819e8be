import { KeyRound, MonitorSmartphone, MonitorX } from 'lucide-react';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { ThisWorkstation } from '../../../domain/api/groups/settings';
import type { PharmacyWorkstation } from '../../../domain/backend-api/schemas';
import { useApi } from '../lib/api-context';
import { formatDate, formatDateTime } from '../lib/format';
import { useCall } from '../lib/hooks';
import { useAction } from '../lib/use-action';
import { ConfirmDialog, Empty, ErrorState, Loading, Success } from './ui';

/** Settings: this workstation, its key and the OS keychain, in words a pharmacist reads at a glance. */
export function ThisWorkstationView({ w }: { w: ThisWorkstation }) {
  const { t, i18n } = useTranslation();
  const registration = w.revokedAt
    ? t('workstations.this.revoked', { date: formatDate(w.revokedAt, i18n.language) })
    : w.registeredAt
      ? w.labelPending
        ? t('workstations.this.labelPending')
        : t('workstations.this.registered', { date: formatDate(w.registeredAt, i18n.language) })
      : w.hasKey
        ? t('workstations.this.pending')
        : t('workstations.this.unregistered');
  return (
    <section className="panel" aria-labelledby="this-ws-title" data-testid="this-workstation">
      <h2 id="this-ws-title" className="panel-title">
        <MonitorSmartphone aria-hidden="true" size={20} /> {t('workstations.this.title', { label: w.label })}
      </h2>
      <dl className="facts">
        <div>
          <dt>{t('workstations.this.registration')}</dt>
          <dd data-testid="ws-registration" className={w.revokedAt ? 'text-danger' : undefined}>
            {registration}
          </dd>
        </div>
        <div>
          <dt>{t('workstations.this.keychain')}</dt>
          <dd data-testid="ws-keychain">
            <KeyRound aria-hidden="true" size={16} />{' '}
            {w.keychain.available
              ? w.hasKey
                ? t('workstations.this.keychainOk')
                : t('workstations.this.keychainNoKey')
              : t('workstations.this.keychainMissing')}
          </dd>
        </div>
        {w.id && (
          <div>
            <dt>{t('workstations.this.id')}</dt>
            <dd className="mono small">{w.id}</dd>
          </div>
        )}
      </dl>
      {!w.keychain.available && <p className="note small">{t('workstations.this.keychainHelp')}</p>}
    </section>
  );
}

export function ThisWorkstationPanel() {
  const api = useApi();
  const w = useCall(() => api.settings.workstation(), [api]);
  if (w.status === 'loading') return <Loading />;
  if (w.status === 'error') return <ErrorState code={w.code} onRetry={w.reload} compact />;
  return w.value ? <ThisWorkstationView w={w.value} /> : null;
}

export function WorkstationsList({
  workstations,
  onRevoke,
}: {
  workstations: PharmacyWorkstation[];
  onRevoke?: (w: PharmacyWorkstation) => void;
}) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="ws-list" data-testid="workstation-list">
      {workstations.map((w) => (
        <li
          key={w.id}
          className={`ws-row${w.revokedAt ? ' ws-revoked' : ''}`}
          data-testid="workstation-row"
          data-label={w.label}
        >
          <div className="ws-main">
            <h3 className="account-name">
              {w.revokedAt ? (
                <MonitorX aria-hidden="true" size={18} />
              ) : (
                <MonitorSmartphone aria-hidden="true" size={18} />
              )}{' '}
              {w.label}
              {w.current && <span className="chip">{t('workstations.current')}</span>}
              {w.isNew && !w.current && !w.revokedAt && (
                <span className="chip" data-testid="workstation-new">
                  {t('workstations.new')}
                </span>
              )}
            </h3>
            <p className="muted small">
              {w.revokedAt
                ? t('workstations.revokedOn', { date: formatDate(w.revokedAt, i18n.language) })
                : t('workstations.lastSeen', {
                    date: formatDateTime(w.lastSeenAt, i18n.language),
                    name: w.lastUsedBy ?? '—',
                  })}
            </p>
            <p className="muted small">
              {w.registeredAt
                ? t('workstations.registeredOn', { date: formatDate(w.registeredAt, i18n.language) })
                : t('workstations.notRegistered')}
              {!w.revokedAt && w.openSessions > 0 && (
                <> · {t('workstations.openSessions', { count: w.openSessions })}</>
              )}
            </p>
            {w.isNew && !w.current && !w.revokedAt && <p className="small">{t('workstations.newHelp')}</p>}
            {w.otherPharmacy && <p className="muted small">{t('workstations.otherPharmacy')}</p>}
          </div>
          {onRevoke && !w.revokedAt && !w.current && !w.otherPharmacy && (
            <Button className="button button-quiet" onPress={() => onRevoke(w)}>
              {t('workstations.revoke')}
            </Button>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Accounts page, holder only: the pharmacy's workstations, and withdrawing one that is lost, sold or replaced. */
export function PharmacyWorkstations() {
  const { t } = useTranslation();
  const api = useApi();
  const list = useCall(() => api.accounts.listWorkstations(), [api]);
  const [revoking, setRevoking] = useState<PharmacyWorkstation | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const revoke = async () => {
    if (!revoking) return;
    await run(
      () => api.accounts.revokeWorkstation({ id: revoking.id }),
      () => {
        setNotice(t('workstations.revoked', { label: revoking.label }));
        setRevoking(null);
        list.reload();
      },
    );
  };
  if (list.status === 'error' && list.code === 'FORBIDDEN') return null;
  return (
    <section className="panel" aria-labelledby="ws-title" data-testid="pharmacy-workstations">
      <h2 id="ws-title" className="panel-title">
        {t('workstations.title')}
      </h2>
      <p className="muted">{t('workstations.intro')}</p>
      {notice && <Success title={notice} />}
      {list.status === 'loading' && <Loading />}
      {list.status === 'error' && <ErrorState code={list.code} onRetry={list.reload} compact />}
      {list.value && list.value.workstations.length === 0 && <Empty title={t('workstations.empty')} />}
      {list.value && list.value.workstations.length > 0 && (
        <WorkstationsList
          workstations={list.value.workstations}
          onRevoke={(w) => (setError(null), setRevoking(w))}
        />
      )}
      <ConfirmDialog
        isOpen={revoking !== null}
        title={t('workstations.revokeTitle', { label: revoking?.label ?? '' })}
        body={t('workstations.revokeHelp', { count: revoking?.openSessions ?? 0 })}
        confirmLabel={t('workstations.revokeConfirm')}
        error={error}
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      />
    </section>
  );
}
