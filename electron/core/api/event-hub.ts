import type { ApiSchema, EventChannel, EventPayload, Unsubscribe } from '../../../domain/api/define';

/** Pushed events of the renderer API. Bindings (IPC, WebSocket) subscribe per channel. */
export class EventHub<S extends ApiSchema> {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  emit<C extends EventChannel<S>>(channel: C, payload: EventPayload<S, C>): void {
    for (const l of this.listeners.get(channel) ?? []) {
      try {
        l(payload);
      } catch {
        // a broken listener (closed socket) must not stop the others
      }
    }
  }

  subscribe(channel: string, listener: (payload: unknown) => void): Unsubscribe {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
}
