import { listChannels, eventMethodName } from '../../../domain/api/define';
import { rendererApi, type VigieClient } from '../../../domain/api/renderer-api';

type Handler = (req: unknown) => unknown;

/**
 * A `VigieClient` for component tests: calls answer from `handlers` (value → ok), or UNAVAILABLE, as a core
 * without that capability answers; `emit` pushes an event to the subscribed components.
 */
export function fakeClient(handlers: Record<string, Handler> = {}) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: { channel: string; req: unknown }[] = [];
  const client: Record<string, Record<string, unknown>> = {};
  for (const { channel, group, key, def } of listChannels(rendererApi)) {
    const g = (client[group] ??= {});
    if (def.kind === 'call')
      g[key] = async (req?: unknown) => {
        calls.push({ channel, req });
        const h = handlers[channel];
        if (!h) return { ok: false, code: 'UNAVAILABLE', message: 'not wired' };
        const out = await h(req);
        return out && typeof out === 'object' && 'ok' in out ? out : { ok: true, value: out };
      };
    else
      g[eventMethodName(key)] = (l: (p: unknown) => void) => {
        const set = listeners.get(channel) ?? new Set();
        listeners.set(channel, set);
        set.add(l);
        return () => set.delete(l);
      };
  }
  return {
    client: client as unknown as VigieClient,
    calls,
    emit(channel: string, payload: unknown) {
      for (const l of listeners.get(channel) ?? []) l(payload);
    },
  };
}

export const fail = (code: string) => ({ ok: false, code, message: code });
