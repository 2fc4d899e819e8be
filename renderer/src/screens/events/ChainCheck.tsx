import { ShieldAlert, ShieldCheck, ShieldQuestion } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../lib/format';
import type { ChainCheck } from './use-chain-check';

/**
 * What this workstation showed before and the server no longer has as it was: someone changed the history.
 * Named by its number, date and type, with what to do. A retention purge says nothing here.
 */
export function HistoryChanged({ v }: { v: ChainCheck }) {
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

/** Whether the log is whole: checking, unknown, intact or changed. */
export function ChainBadge({ v }: { v: ChainCheck }) {
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
