import { Download } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { VigieEvent } from '../../../../domain/backend-api/schemas';
import { EventsTable } from '../../components/EventsTable';
import { Empty, ErrorState, Loading } from '../../components/ui';
import { WeeklyChart } from '../../components/WeeklyChart';
import { useApi } from '../../lib/api-context';
import { downloadText, formatNumber } from '../../lib/format';
import { useCall } from '../../lib/hooks';
import { useAction } from '../../lib/use-action';
import { Cases } from './Cases';
import { ChainBadge, HistoryChanged } from './ChainCheck';
import { EventDetail } from './EventDetail';
import { Filters } from './Filters';
import { ReportDialog } from './ReportDialog';
import { useChainCheck } from './use-chain-check';
import { useEventLog } from './use-event-log';

/** « Derniers événements »: the weekly chart, the filtered log with its detail, reports and their cases. */
export default function Events() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const log = useEventLog();
  const { events, status, filters } = log;
  const [selected, setSelected] = useState<VigieEvent | null>(null);
  const [reporting, setReporting] = useState<VigieEvent | null>(null);
  const [casesTick, setCasesTick] = useState(0);
  const exporting = useAction();
  const weekly = useCall(() => api.events.weekly({ weeks: 12 }), [api]);
  const chain = useChainCheck();
  useEffect(() => {
    void api.events.markReviewed();
  }, [api]);

  const exportCsv = () =>
    exporting.run(
      () => api.events.exportCsv({ filters }),
      (v) => downloadText(v.filename, v.csv),
    );
  const filtered = Object.values(filters).some((v) => v !== undefined);
  return (
    <>
      <div className="page-head">
        <h1 className="page-title">{t('events.title')}</h1>
        <ChainBadge v={chain} />
      </div>
      <p className="lead">{t('events.intro')}</p>
      <HistoryChanged v={chain} />
      <section className="panel" aria-labelledby="chart-title">
        <h2 id="chart-title" className="panel-title">
          {t('events.chart.title')}
        </h2>
        {weekly.status === 'loading' && <Loading />}
        {weekly.value && <WeeklyChart weeks={weekly.value.weeks} />}
        {weekly.status === 'error' && !weekly.value && (
          <ErrorState code={weekly.code} compact onRetry={weekly.reload} />
        )}
      </section>
      <Filters
        value={filters}
        workstations={log.workstations}
        onChange={(f) => (setSelected(null), log.setFilters(f))}
      />
      <div className="events-toolbar">
        <span className="muted" role="status">
          {status === 'ok' &&
            t('events.count', {
              count: events.length,
              shown: formatNumber(events.length, i18n.language),
              more: log.hasMore ? '+' : '',
            })}
        </span>
        <Button
          className="button"
          onPress={() => void exportCsv()}
          isDisabled={status !== 'ok' || events.length === 0}
        >
          <Download aria-hidden="true" size={20} /> {t('events.export')}
        </Button>
      </div>
      {exporting.error && <ErrorState code={exporting.error} compact />}
      <div className="events-layout">
        <div className="events-main">
          {status === 'loading' && <Loading />}
          {status === 'error' && <ErrorState code={log.code} onRetry={log.reload} />}
          {status === 'ok' && events.length === 0 && (
            <Empty title={filtered ? t('events.emptyFiltered') : t('events.empty')} />
          )}
          {status === 'ok' && events.length > 0 && (
            <EventsTable
              events={events}
              selectedId={selected?.id ?? null}
              onSelect={setSelected}
              onEndReached={log.more}
              label={t('events.tableLabel')}
            />
          )}
        </div>
        <EventDetail event={selected} onReport={setReporting} />
      </div>
      <Cases refresh={casesTick} />
      <ReportDialog
        key={reporting?.id ?? 'none'}
        event={reporting}
        onClose={() => setReporting(null)}
        onReported={() => setCasesTick((x) => x + 1)}
      />
    </>
  );
}
