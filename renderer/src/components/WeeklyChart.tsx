import { useTranslation } from 'react-i18next';
import { formatDayMonth } from '../lib/format';

export interface Week {
  weekStart: string;
  success: number;
  failure: number;
}

/** Sign-ins per week, failures in another colour on top, so an unusual burst stands out (UX.md). */
export function WeeklyChart({ weeks }: { weeks: Week[] }) {
  const { t, i18n } = useTranslation();
  const max = Math.max(1, ...weeks.map((w) => w.success + w.failure));
  const totalFail = weeks.reduce((n, w) => n + w.failure, 0);
  const totalOk = weeks.reduce((n, w) => n + w.success, 0);
  return (
    <figure className="weekly-chart" data-testid="weekly-chart">
      <figcaption className="small muted">
        {t('events.chart.caption', { weeks: weeks.length, ok: totalOk, failed: totalFail })}
        <span className="legend">
          <span className="legend-swatch swatch-ok" aria-hidden="true" /> {t('events.chart.success')}
          <span className="legend-swatch swatch-fail" aria-hidden="true" /> {t('events.chart.failure')}
        </span>
      </figcaption>
      <ul className="bars">
        {weeks.map((w) => (
          <li key={w.weekStart} className="bar-col">
            <span
              className="bar-stack"
              title={t('events.chart.week', {
                date: formatDayMonth(w.weekStart, i18n.language),
                ok: w.success,
                failed: w.failure,
              })}
            >
              <span className="bar bar-fail" style={{ height: `${(w.failure / max) * 100}%` }} />
              <span className="bar bar-ok" style={{ height: `${(w.success / max) * 100}%` }} />
            </span>
            <span className="visually-hidden">
              {t('events.chart.week', {
                date: formatDayMonth(w.weekStart, i18n.language),
                ok: w.success,
                failed: w.failure,
              })}
            </span>
            <span className="bar-label small" aria-hidden="true">
              {formatDayMonth(w.weekStart, i18n.language).replace(/ .*/, '')}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
