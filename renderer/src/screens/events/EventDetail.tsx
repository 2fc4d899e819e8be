import { ShieldAlert } from 'lucide-react';
import { Fragment } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { VigieEvent } from '../../../../domain/backend-api/schemas';
import { formatDateTime } from '../../lib/format';

/** Everything known about the selected event, and the way to report it. */
export function EventDetail({
  event,
  onReport,
}: {
  event: VigieEvent | null;
  onReport: (e: VigieEvent) => void;
}) {
  const { t, i18n } = useTranslation();
  if (!event)
    return (
      <aside className="panel event-detail" aria-label={t('events.detail')}>
        <p className="muted">{t('events.pick')}</p>
      </aside>
    );
  const details = Object.entries(event.details);
  return (
    <aside className="panel event-detail" aria-label={t('events.detail')} data-testid="event-detail">
      <h2 className="panel-title">{t(`eventType.${event.type}`)}</h2>
      <dl className="facts">
        <dt>{t('events.col.at')}</dt>
        <dd>{formatDateTime(event.at, i18n.language)}</dd>
        <dt>{t('events.col.outcome')}</dt>
        <dd>{t(`outcome.${event.outcome}`)}</dd>
        <dt>{t('events.col.method')}</dt>
        <dd>{event.method ? t(`method.${event.method}`) : '—'}</dd>
        <dt>{t('events.col.workstation')}</dt>
        <dd>{event.workstationLabel ?? '—'}</dd>
        <dt>{t('events.ip')}</dt>
        <dd>{event.ip ?? '—'}</dd>
        <dt>{t('events.appVersion')}</dt>
        <dd>{event.appVersion ?? '—'}</dd>
        {event.cardSerial && (
          <>
            <dt>{t('events.cardSerial')}</dt>
            <dd>{event.cardSerial}</dd>
          </>
        )}
        {details.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </Fragment>
        ))}
        <dt>{t('events.seq')}</dt>
        <dd>{event.seq}</dd>
      </dl>
      <Button
        className="button button-danger-quiet"
        onPress={() => onReport(event)}
        data-testid="report-open"
      >
        <ShieldAlert aria-hidden="true" size={20} /> {t('report.open')}
      </Button>
    </aside>
  );
}
