import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { ClientMessageSchema, type ServerMessage } from '../../domain/api/protocol';
import type { RendererApi } from '../../domain/api/renderer-api';
import type { Dispatcher } from '../core/api/dispatcher';
import type { EventHub } from '../core/api/event-hub';

/** The same CSP as the renderer's meta tag, plus what only a header can say. */
export const WEB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface WebHostOptions {
  /** What the socket binds: the core's dispatcher and events (the real core, or a stand-in of it in e2e). */
  core: { readonly dispatcher: Dispatcher; readonly events: EventHub<RendererApi> };
  /** Folder of the built renderer (dist/renderer). */
  rendererDir: string;
  port?: number;
  /** A fixed token (tests); by default a random one per launch. */
  token?: string;
  maxMessageBytes?: number;
}

export interface WebHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly server: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Browser mode: serves the renderer on 127.0.0.1 and binds the renderer API over one WebSocket.
 * The socket is refused without the per-launch token (given to the page in the URL fragment, which browsers
 * never send to servers) or from another Origin than ours.
 */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const server = Fastify({ logger: false, bodyLimit: 1024 });
  let origin = '';

  await server.register(fastifyWebsocket, {
    options: { maxPayload: opts.maxMessageBytes ?? 64 * 1024 },
  });

  server.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Content-Security-Policy', WEB_CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    return payload;
  });

  server.register(async (scope) => {
    scope.addHook('preValidation', async (req, reply) => {
      const given = Buffer.from(String((req.query as Record<string, unknown>).token ?? ''));
      const tokenOk = given.length === tokenBuf.length && timingSafeEqual(given, tokenBuf);
      if (!tokenOk)
        return reply.code(401).send({ code: 'UNAUTHENTICATED', message: 'Jeton de session invalide.' });
      if (req.headers.origin !== origin) {
        return reply.code(403).send({ code: 'FORBIDDEN', message: 'Origine refusée.' });
      }
    });
    scope.get('/api', { websocket: true }, (socket) => bindSocket(socket, opts.core));
  });

  if (existsSync(opts.rendererDir)) {
    await server.register(fastifyStatic, {
      root: opts.rendererDir,
      index: 'index.html',
      cacheControl: false,
    });
  } else {
    server.get('/', async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('Le rendu de Vigie n’est pas construit. Lancez `npm run build:renderer`.'),
    );
  }

  await server.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    port,
    token,
    server,
    close: () => server.close(),
  };
}

function bindSocket(socket: WebSocket, core: WebHostOptions['core']): void {
  const subscriptions = new Map<string, () => void>();
  const send = (msg: ServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
  };

  socket.on('message', async (data, isBinary) => {
    let parsed;
    try {
      parsed = isBinary ? null : ClientMessageSchema.safeParse(JSON.parse(data.toString()));
    } catch {
      parsed = null;
    }
    if (!parsed || !parsed.success) {
      send({ t: 'error', code: 'INVALID_REQUEST', message: 'Message mal formé.' });
      return;
    }
    const msg = parsed.data;
    switch (msg.t) {
      case 'call': {
        const res = await core.dispatcher.invoke(msg.ch, msg.req, { transport: 'websocket' });
        send({ t: 'result', id: msg.id, res });
        break;
      }
      case 'sub': {
        if (!core.dispatcher.events.includes(msg.ch)) {
          send({ t: 'error', code: 'INVALID_REQUEST', message: 'Unknown event.' });
          break;
        }
        if (!subscriptions.has(msg.ch)) {
          const ch = msg.ch;
          subscriptions.set(
            ch,
            core.events.subscribe(ch, (payload) => send({ t: 'event', ch, payload })),
          );
        }
        break;
      }
      case 'unsub':
        subscriptions.get(msg.ch)?.();
        subscriptions.delete(msg.ch);
        break;
    }
  });
  socket.on('close', () => {
    for (const off of subscriptions.values()) off();
    subscriptions.clear();
  });
}
