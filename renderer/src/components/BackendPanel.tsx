import { useTranslation } from 'react-i18next';
import type { BackendStatus } from '../../../domain/api/groups/backend';
import { formatTime } from '../lib/format';

export function BackendPanel({ status }: { status: BackendStatus | null }) {
  const { t, i18n } = useTranslation();
  if (!status) return null;
  const time = formatTime(status.checkedAt, i18n.language);
  return (
    <section className="panel backend-panel" aria-labelledby="backend-title" data-testid="backend-panel">
      <h2 id="backend-title" className="panel-title">
        {t('backend.title')}
      </h2>
      <p>
        <span
          className={`badge ${status.reachable ? 'badge-active' : 'badge-blocked'}`}
          data-testid="backend-status"
          data-reachable={status.reachable}
        >
          {status.reachable ? t('backend.reachable') : t('backend.unreachable')}
        </span>{' '}
        <span className="muted">
          {status.mode === 'embedded'
            ? t('backend.embedded')
            : t('backend.remote', { address: status.address })}
          {' · '}
          {t('backend.checkedAt', { time })}
        </span>
      </p>
      {!status.reachable && <p className="muted">{t('backend.unreachableHelp')}</p>}
    </section>
  );
}
