import { Download, ShieldAlert, ShieldCheck, ShieldQuestion } from 'lucide-react';
import { Fragment, useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Button, Checkbox } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Case, EventFilters } from '../../../domain/api/groups/events';
import { EVENT_TYPES, type VigieEvent } from '../../../domain/backend-api/schemas';
import type { ErrorCode } from '../../../domain/errors';
import { EventsTable } from '../components/EventsTable';
import { WeeklyChart } from '../components/WeeklyChart';
import { CaseView } from '../components/CaseView';
import { AppDialog, Empty, ErrorState, Loading } from '../components/ui';
import { useApi, useShell } from '../lib/api-context';
import { downloadText, formatDateTime, formatNumber } from '../lib/format';
import { useCall } from '../lib/hooks';

const METHODS = ['card', 'ecps', 'password', 'security_key', 'postal_code', 'system'] as const;
const OUTCOMES = ['success', 'failure', 'info'] as const;

function ReportDialog({
  event,
  onClose,
  onReported,
}: {
  event: VigieEvent | null;
  onClose: () => void;
  onReported: (c: Case) => void;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const shell = useShell();
  const id = useId();
  const [comment, setComment] = useState('');
  const [blockAccount, setBlock] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorCode | null>(null);
  const [result, setResult] = useState<Case | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!event) return;
    setBusy(true);
    const r = await api.events.report({
      eventId: event.id,
      comment: comment.trim() || undefined,
      blockAccount,
    });
    setBusy(false);
    if (r.ok) {
      // the report may close this session too: the shell keeps the case on screen after sign-out
      shell.caseOpened(r.value);
      setResult(r.value);
      onReported(r.value);
    } else setError(r.code);
  };
  return (
    <AppDialog
      isOpen={event !== null}
      onOpenChange={(o) => !o && onClose()}
      title={result ? t('report.doneTitle') : t('report.title')}
    >
      {result ? (
        <>
          <CaseView c={result} />
          <Button className="button button-primary" onPress={onClose} autoFocus>
            {t('common.close')}
          </Button>
        </>
      ) : (
        event && (
          <form className="form" onSubmit={(e) => void submit(e)}>
            <p>
              {t('report.about', {
                type: t(`eventType.${event.type}`),
                date: formatDateTime(event.at, i18n.language),
                workstation: event.workstationLabel ?? '—',
              })}
            </p>
            <p className="muted">{t('report.what')}</p>
            <div className="field">
              <label htmlFor={`${id}-c`}>{t('report.comment')}</label>
              <textarea
                id={`${id}-c`}
                rows={3}
                maxLength={1000}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
              />
            </div>
            <Checkbox isSelected={blockAccount} onChange={setBlock} className="checkbox">
              <span className="checkbox-box" aria-hidden="true" />
              {t('report.block')}
            </Checkbox>
            {error && <ErrorState code={error} compact />}
            <div className="actions">
              <Button
                type="submit"
                className="button button-danger"
                isDisabled={busy}
                data-testid="report-submit"
              >
                {t('report.submit')}
              </Button>
              <Button className="button" onPress={onClose}>
                {t('common.cancel')}
              </Button>
            </div>
          </form>
        )
      )}
    </AppDialog>
  );
}

function Detail({ event, onReport }: { event: VigieEvent | null; onReport: (e: VigieEvent) => void }) {
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

type ChainCheck = ReturnType<typeof useChainCheck>;
const useChainCheck = () => {
  const api = useApi();
  return useCall(() => api.events.verify({}), [api]);
};

/**
 * What this workstation showed before and the server no longer has as it was: someone changed the history.
 * Named by its number, date and type, with what to do. A retention purge says nothing here.
 */
function HistoryChanged({ v }: { v: ChainCheck }) {
  const { t, i18n } = useTranslation();
  const changed = v.value?.history?.changed;
  if (!changed) return null;
  return (
    <section className="note note-warn" role="alert" data-testid="history-changed" data-seq={changed.seq}>
      <p>
        <strong>{t('events.history.title')}</strong>
      </p>
      <p>
        {t(changed.problem === 'missing' ? 'events.history.missing' : 'events.history.altered', {
          seq: changed.seq,
          type: t(`eventType.${changed.type}`, { defaultValue: changed.type }),
          date: formatDateTime(changed.at, i18n.language),
        })}
      </p>
      <p>{t('events.history.next')}</p>
    </section>
  );
}

function ChainBadge({ v }: { v: ChainCheck }) {
  const { t } = useTranslation();
  if (v.status === 'loading')
    return <span className="badge badge-neutral">{t('events.chain.checking')}</span>;
  if (!v.value)
    return (
      <span className="badge badge-neutral" data-testid="chain-badge" data-ok="unknown">
        <ShieldQuestion aria-hidden="true" size={16} /> {t('events.chain.unknown')}
      </span>
    );
  return v.value.ok && !v.value.history?.changed ? (
    <span
      className="badge badge-active"
      data-testid="chain-badge"
      data-ok="true"
      title={t('events.chain.okHelp', { count: v.value.checked })}
    >
      <ShieldCheck aria-hidden="true" size={16} /> {t('events.chain.ok')}
    </span>
  ) : (
    <span className="badge badge-blocked" data-testid="chain-badge" data-ok="false">
      <ShieldAlert aria-hidden="true" size={16} /> {t('events.chain.bad')}
    </span>
  );
}

function Filters({
  value,
  onChange,
  workstations,
}: {
  value: EventFilters;
  onChange: (f: EventFilters) => void;
  workstations: Map<string, string>;
}) {
  const { t } = useTranslation();
  const id = useId();
  const set = <K extends keyof EventFilters>(k: K, v: EventFilters[K] | '') =>
    onChange({ ...value, [k]: v === '' ? undefined : v });
  const toIso = (d: string, end: boolean) =>
    d ? new Date(`${d}T${end ? '23:59:59' : '00:00:00'}`).toISOString() : '';
  const fromIso = (s?: string) =>
    s ? new Date(s).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' }) : '';
  return (
    <fieldset className="filters">
      <legend className="visually-hidden">{t('events.filters')}</legend>
      <div className="field">
        <label htmlFor={`${id}-t`}>{t('events.col.type')}</label>
        <select
          id={`${id}-t`}
          value={value.type ?? ''}
          onChange={(e) => set('type', e.target.value as EventFilters['type'])}
        >
          <option value="">{t('events.all')}</option>
          {EVENT_TYPES.map((x) => (
            <option key={x} value={x}>
              {t(`eventType.${x}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-m`}>{t('events.col.method')}</label>
        <select
          id={`${id}-m`}
          value={value.method ?? ''}
          onChange={(e) => set('method', e.target.value as EventFilters['method'])}
        >
          <option value="">{t('events.all')}</option>
          {METHODS.map((x) => (
            <option key={x} value={x}>
              {t(`method.${x}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-o`}>{t('events.col.outcome')}</label>
        <select
          id={`${id}-o`}
          value={value.outcome ?? ''}
          onChange={(e) => set('outcome', e.target.value as EventFilters['outcome'])}
        >
          <option value="">{t('events.all')}</option>
          {OUTCOMES.map((x) => (
            <option key={x} value={x}>
              {t(`outcome.${x}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-w`}>{t('events.col.workstation')}</label>
        <select
          id={`${id}-w`}
          value={value.workstationId ?? ''}
          onChange={(e) => set('workstationId', e.target.value)}
        >
          <option value="">{t('events.all')}</option>
          {[...workstations].map(([wid, label]) => (
            <option key={wid} value={wid}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-f`}>{t('events.from')}</label>
        <input
          id={`${id}-f`}
          type="date"
          value={fromIso(value.from)}
          onChange={(e) => set('from', toIso(e.target.value, false))}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>{t('events.to')}</label>
        <input
          id={`${id}-to`}
          type="date"
          value={fromIso(value.to)}
          onChange={(e) => set('to', toIso(e.target.value, true))}
        />
      </div>
    </fieldset>
  );
}

function Cases({ refresh }: { refresh: number }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const cases = useCall(() => api.events.listCases(), [api, refresh]);
  if (!cases.value || cases.value.cases.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="cases-title" data-testid="cases">
      <h2 id="cases-title" className="panel-title">
        {t('report.casesTitle')}
      </h2>
      {cases.value.cases.map((c) => (
        <details key={c.id} className="case-item" open={c.status !== 'closed'}>
          <summary>
            {t('report.caseSummary', {
              date: formatDateTime(c.openedAt, i18n.language),
              status: t(`report.step.${c.status}`),
            })}
          </summary>
          <CaseView c={c} />
        </details>
      ))}
    </section>
  );
}

export default function Events() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [filters, setFilters] = useState<EventFilters>({});
  const [events, setEvents] = useState<VigieEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'ok' | 'error'>('loading');
  const [code, setCode] = useState<ErrorCode | null>(null);
  const [selected, setSelected] = useState<VigieEvent | null>(null);
  const [reporting, setReporting] = useState<VigieEvent | null>(null);
  const [casesTick, setCasesTick] = useState(0);
  const [exportError, setExportError] = useState<ErrorCode | null>(null);
  const loadingMore = useRef(false);
  const weekly = useCall(() => api.events.weekly({ weeks: 12 }), [api]);
  const chain = useChainCheck();
  const [reload, setReload] = useState(0);
  // the workstations seen in the log, for the filter (the log names them; the filter needs their id)
  const [workstations, setWorkstations] = useState<Map<string, string>>(new Map());
  const remember = (list: VigieEvent[]) =>
    setWorkstations((prev) => {
      const next = new Map(prev);
      for (const e of list)
        if (e.workstationId) next.set(e.workstationId, e.workstationLabel ?? e.workstationId);
      return next.size === prev.size ? prev : next;
    });

  useEffect(() => {
    let alive = true;
    void api.events.list({ filters, limit: 200 }).then((r) => {
      if (!alive) return;
      if (r.ok) {
        remember(r.value.events);
        setEvents(r.value.events);
        setCursor(r.value.nextCursor);
        setStatus('ok');
      } else {
        setCode(r.code);
        setStatus('error');
      }
    });
    return () => {
      alive = false;
    };
  }, [api, filters, reload]);
  useEffect(() => {
    void api.events.markReviewed();
  }, [api]);

  const more = useCallback(() => {
    if (!cursor || loadingMore.current) return;
    loadingMore.current = true;
    void api.events.list({ filters, cursor, limit: 200 }).then((r) => {
      loadingMore.current = false;
      if (r.ok) {
        remember(r.value.events);
        setEvents((prev) => [...prev, ...r.value.events]);
        setCursor(r.value.nextCursor);
      }
    });
  }, [api, cursor, filters]);

  const exportCsv = async () => {
    setExportError(null);
    const r = await api.events.exportCsv({ filters });
    if (r.ok) downloadText(r.value.filename, r.value.csv);
    else setExportError(r.code);
  };
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
        workstations={workstations}
        onChange={(f) => (setSelected(null), setStatus('loading'), setFilters(f))}
      />
      <div className="events-toolbar">
        <span className="muted" role="status">
          {status === 'ok' &&
            t('events.count', {
              count: events.length,
              shown: formatNumber(events.length, i18n.language),
              more: cursor ? '+' : '',
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
      {exportError && <ErrorState code={exportError} compact />}
      <div className="events-layout">
        <div className="events-main">
          {status === 'loading' && <Loading />}
          {status === 'error' && (
            <ErrorState code={code} onRetry={() => (setStatus('loading'), setReload((x) => x + 1))} />
          )}
          {status === 'ok' && events.length === 0 && (
            <Empty title={filtered ? t('events.emptyFiltered') : t('events.empty')} />
          )}
          {status === 'ok' && events.length > 0 && (
            <EventsTable
              events={events}
              selectedId={selected?.id ?? null}
              onSelect={setSelected}
              onEndReached={more}
              label={t('events.tableLabel')}
            />
          )}
        </div>
        <Detail event={selected} onReport={setReporting} />
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
