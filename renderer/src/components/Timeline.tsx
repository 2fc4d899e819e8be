import { useTranslation } from 'react-i18next';
import type { AccountStatus } from '../../../domain/backend-api/schemas';
import { formatDate, formatDayMonth, urgencyOf } from '../lib/format';

const DAY = 86_400_000;
const REMINDER_DAYS = [30, 7, 1];

/**
 * Blocked for another reason than the inactivity clock: reported or considered suspicious, or blocked before its
 * inactivity date came. Its block date is the clock's, not the block's, so it has no place on a timeline.
 */
export function blockedAsSuspicious(status: AccountStatus): boolean {
  return status.state === 'blocked' && (status.reason === 'suspicious' || status.daysLeft > 0);
}

/** A suspicious block shows its own state: no countdown, no reminder ticks, the last activity for context. */
function SuspiciousBlock({ compact, lastText }: { compact: boolean; lastText: string }) {
  const { t } = useTranslation();
  const summary = t('timeline.suspicious');
  return (
    <figure
      className={`timeline timeline-suspicious${compact ? ' timeline-compact' : ''}`}
      data-testid="timeline"
      data-urgency="blocked"
      data-state="suspicious"
    >
      <div className="timeline-track" role="img" aria-label={`${lastText}. ${summary}`} title={lastText}>
        <div className="timeline-elapsed u-blocked" style={{ width: '100%' }} />
      </div>
      <figcaption className="timeline-legend small">
        <span>{lastText}</span>
        <span className="timeline-end">{t('timeline.suspiciousEnd')}</span>
      </figcaption>
    </figure>
  );
}

/**
 * The 6-month timeline (UX.md): a bar from the last activity to the block date, today marked, the reminder days
 * as ticks, the method and workstation of the last activity on hover. One glance says how much time is left.
 */
export function Timeline({
  status,
  now = new Date(),
  compact = false,
}: {
  status: AccountStatus;
  now?: Date;
  compact?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const start = new Date(status.lastActivity?.at ?? status.createdAt).getTime();
  const end = new Date(status.blockAt).getTime();
  const span = Math.max(end - start, DAY);
  const pos = (ms: number) => Math.min(100, Math.max(0, ((ms - start) / span) * 100));
  const today = pos(now.getTime());
  const urgency = urgencyOf(status.state, status.daysLeft);
  const last = status.lastActivity;
  const lastText = last
    ? t('timeline.lastActivity', {
        date: formatDate(last.at, lang),
        method: t(`method.${last.method}`),
        workstation: last.workstationLabel ?? t('common.unknownWorkstation'),
      })
    : t('timeline.noActivity', { date: formatDate(status.createdAt, lang) });
  if (blockedAsSuspicious(status)) return <SuspiciousBlock compact={compact} lastText={lastText} />;
  const summary =
    status.state === 'blocked'
      ? t('timeline.summaryBlocked', { date: formatDate(status.blockAt, lang) })
      : t('timeline.summary', { date: formatDate(status.blockAt, lang), count: status.daysLeft });
  return (
    <figure
      className={`timeline${compact ? ' timeline-compact' : ''}`}
      data-testid="timeline"
      data-urgency={urgency}
    >
      <div className="timeline-track" role="img" aria-label={`${lastText}. ${summary}`} title={lastText}>
        <div className={`timeline-elapsed u-${urgency}`} style={{ width: `${today}%` }} />
        {REMINDER_DAYS.map((d) => {
          const at = end - d * DAY;
          if (at <= start) return null;
          return (
            <span
              key={d}
              className="timeline-tick"
              style={{ left: `${pos(at)}%` }}
              title={t('timeline.tick', { count: d })}
            />
          );
        })}
        <span className="timeline-today" style={{ left: `${today}%` }}>
          <span className={`timeline-today-label${today > 85 ? ' at-end' : today < 15 ? ' at-start' : ''}`}>
            {t('timeline.today')}
          </span>
        </span>
      </div>
      <figcaption className="timeline-legend small">
        <span>
          {last ? t(`method.${last.method}`) : t('timeline.created')} ·{' '}
          {formatDayMonth(last?.at ?? status.createdAt, lang)}
        </span>
        <span className="timeline-end">
          {status.state === 'blocked' ? t('timeline.blockedOn') : t('timeline.blockOn')}{' '}
          {formatDayMonth(status.blockAt, lang)}
        </span>
      </figcaption>
    </figure>
  );
}
