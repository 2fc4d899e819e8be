import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventFilters } from '../../../../domain/api/groups/events';
import type { VigieEvent } from '../../../../domain/backend-api/schemas';
import type { ErrorCode } from '../../../../domain/errors';
import { useApi } from '../../lib/api-context';

const PAGE = 200;

/**
 * The account's events under the filters, a page at a time: `more()` appends the next page (the table calls it
 * near its end). Also the workstations seen so far, for the filter: the log names them, the filter needs their id.
 */
export function useEventLog() {
  const api = useApi();
  const [filters, setFiltersState] = useState<EventFilters>({});
  const [events, setEvents] = useState<VigieEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'ok' | 'error'>('loading');
  const [code, setCode] = useState<ErrorCode | null>(null);
  const [reloads, setReloads] = useState(0);
  const [workstations, setWorkstations] = useState<Map<string, string>>(new Map());
  const loadingMore = useRef(false);
  const remember = (list: VigieEvent[]) =>
    setWorkstations((prev) => {
      const next = new Map(prev);
      for (const e of list)
        if (e.workstationId) next.set(e.workstationId, e.workstationLabel ?? e.workstationId);
      return next.size === prev.size ? prev : next;
    });

  useEffect(() => {
    let alive = true;
    void api.events.list({ filters, limit: PAGE }).then((r) => {
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
  }, [api, filters, reloads]);

  const more = useCallback(() => {
    if (!cursor || loadingMore.current) return;
    loadingMore.current = true;
    void api.events.list({ filters, cursor, limit: PAGE }).then((r) => {
      loadingMore.current = false;
      if (r.ok) {
        remember(r.value.events);
        setEvents((prev) => [...prev, ...r.value.events]);
        setCursor(r.value.nextCursor);
      }
    });
  }, [api, cursor, filters]);
  const reload = useCallback(() => (setStatus('loading'), setReloads((x) => x + 1)), []);
  const setFilters = useCallback((f: EventFilters) => (setStatus('loading'), setFiltersState(f)), []);

  return { filters, setFilters, events, hasMore: cursor !== null, status, code, workstations, more, reload };
}
