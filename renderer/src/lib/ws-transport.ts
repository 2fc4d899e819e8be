import type { Transport, Unsubscribe } from '../../../domain/api/define';
import type { ServerMessage } from '../../../domain/api/protocol';
import { err, type Result } from '../../../domain/result';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * Browser mode: the renderer API over the web host's loopback WebSocket. Reconnects with backoff,
 * re-subscribes, and answers calls made while disconnected with a clear error instead of hanging.
 */
export function createWsTransport(url: string, onConnection: (s: ConnectionState) => void): Transport {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 250;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const queue: string[] = [];

  const connect = () => {
    onConnection('connecting');
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => {
      retryMs = 250;
      onConnection('open');
      for (const ch of listeners.keys()) socket.send(JSON.stringify({ t: 'sub', ch }));
      while (queue.length) socket.send(queue.shift()!);
    };
    socket.onmessage = (ev) => {
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return;
      }
      if (msg.t === 'result') {
        pending.get(msg.id)?.(msg.res as Result<unknown>);
        pending.delete(msg.id);
      } else if (msg.t === 'event') {
        for (const l of listeners.get(msg.ch) ?? []) l(msg.payload);
      }
    };
    socket.onclose = () => {
      ws = null;
      for (const resolve of pending.values())
        resolve(err('UNAVAILABLE', 'Connexion au poste interrompue.', true));
      pending.clear();
      onConnection('closed');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  };
  connect();

  const sendOrQueue = (text: string) => {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(text);
    else queue.push(text);
  };

  return {
    invoke(channel, req) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        sendOrQueue(JSON.stringify({ t: 'call', id, ch: channel, req }));
      });
    },
    subscribe(channel, listener): Unsubscribe {
      let set = listeners.get(channel);
      if (!set) {
        listeners.set(channel, (set = new Set()));
        sendOrQueue(JSON.stringify({ t: 'sub', ch: channel }));
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(channel);
          sendOrQueue(JSON.stringify({ t: 'unsub', ch: channel }));
        }
      };
    },
  };
}
