import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { VigieEvent } from '../../../domain/backend-api/schemas';
import { formatDateTime } from '../lib/format';

const ROW = 48;

/**
 * The log as a virtualised list: only the rows on screen exist in the DOM, so 100 000 events show as fast as 100.
 * Keyboard: the list takes focus; arrows move the selection, which the detail panel shows.
 */
export function EventsTable({
  events,
  selectedId,
  onSelect,
  onEndReached,
  height = 420,
  label,
}: {
  events: VigieEvent[];
  selectedId: number | null;
  onSelect: (e: VigieEvent) => void;
  onEndReached?: () => void;
  height?: number;
  label: string;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library
  const v = useVirtualizer({
    count: events.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 8,
    initialRect: { width: 800, height },
  });
  const items = v.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (onEndReached && last && last.index >= events.length - 20) onEndReached();
  }, [last, events.length, onEndReached]);

  const index = events.findIndex((e) => e.id === selectedId);
  const move = (to: number) => {
    const i = Math.max(0, Math.min(events.length - 1, to));
    const e = events[i];
    if (e) {
      onSelect(e);
      v.scrollToIndex(i, { align: 'auto' });
    }
  };
  const onKey = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / ROW) - 1);
    const keys: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: events.length - 1,
    };
    if (e.key in keys) {
      e.preventDefault();
      move(index < 0 && e.key !== 'End' ? 0 : keys[e.key]!);
    }
  };
  return (
    <div className="events-table">
      <div className="events-row events-header" aria-hidden="true">
        <span>{t('events.col.at')}</span>
        <span>{t('events.col.type')}</span>
        <span>{t('events.col.method')}</span>
        <span>{t('events.col.outcome')}</span>
        <span>{t('events.col.workstation')}</span>
      </div>
      <div
        ref={scroller}
        className="events-scroll"
        style={{ height }}
        role="listbox"
        aria-label={label}
        tabIndex={0}
        onKeyDown={onKey}
        aria-activedescendant={selectedId != null && index >= 0 ? `event-${selectedId}` : undefined}
        data-testid="events-table"
        data-count={events.length}
      >
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {items.map((it) => {
            const e = events[it.index]!;
            return (
              <div
                key={e.id}
                id={`event-${e.id}`}
                role="option"
                aria-selected={e.id === selectedId}
                aria-setsize={events.length}
                aria-posinset={it.index + 1}
                className={`events-row events-item outcome-${e.outcome}${e.id === selectedId ? ' selected' : ''}`}
                style={{ transform: `translateY(${it.start}px)`, height: ROW }}
                onClick={() => onSelect(e)}
                data-testid="event-row"
              >
                <span>{formatDateTime(e.at, lang)}</span>
                <span>{t(`eventType.${e.type}`)}</span>
                <span>{e.method ? t(`method.${e.method}`) : '—'}</span>
                <span className={`outcome outcome-${e.outcome}`}>{t(`outcome.${e.outcome}`)}</span>
                <span>{e.workstationLabel ?? '—'}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
