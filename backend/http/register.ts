/** Registers the routes of domain/backend-api/routes.ts on Fastify, with their zod schemas and auth mode. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import {
  HEADER_APP_VERSION,
  HEADER_WORKSTATION,
  HEADER_WORKSTATION_LABEL,
  HEADER_SERVER_TIME,
  HEADER_WORKSTATION_NONCE,
  HEADER_WORKSTATION_PROOF,
  HEADER_WORKSTATION_TIME,
  type RouteDef,
} from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import type { RequestMeta } from './meta';
import { authenticate, type AuthInfo } from '../sessions/sessions';
import { JsonText } from './json-text';

type In<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface HandlerInput<R extends RouteDef> {
  params: In<R['params']>;
  query: In<R['query']>;
  body: In<R['body']>;
  auth: R['auth'] extends 'none' ? null : R['auth'] extends 'optional_session' ? AuthInfo | null : AuthInfo;
  meta: RequestMeta;
  req: FastifyRequest;
  reply: FastifyReply;
}
export type Handler<R extends RouteDef> = (
  x: HandlerInput<R>,
) => Promise<
  R['produces'] extends 'text/csv' ? string : z.input<R['response']> | JsonText<z.input<R['response']>>
>;

const WORKSTATION_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Control and format characters (bidi overrides, zero-width): a label must read as what it is.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\p{Cf}]/u;

function header(req: FastifyRequest, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : null;
}

/** Reads and checks the workstation headers; malformed values are a 400, never stored. */
export function requestMeta(req: FastifyRequest): RequestMeta {
  const ws = header(req, HEADER_WORKSTATION);
  if (ws !== null && !WORKSTATION_ID.test(ws))
    throw new AppError('INVALID_REQUEST', `En-tête ${HEADER_WORKSTATION} invalide (UUID attendu).`);
  const label = header(req, HEADER_WORKSTATION_LABEL);
  const decodedLabel = label === null ? null : safeDecode(label);
  if (
    decodedLabel !== null &&
    (decodedLabel.length === 0 || decodedLabel.length > 64 || CONTROL.test(decodedLabel))
  ) {
    throw new AppError('INVALID_REQUEST', `En-tête ${HEADER_WORKSTATION_LABEL} invalide.`);
  }
  const version = header(req, HEADER_APP_VERSION);
  if (version !== null && !/^[0-9A-Za-z.+_-]{1,40}$/.test(version))
    throw new AppError('INVALID_REQUEST', `En-tête ${HEADER_APP_VERSION} invalide.`);
  return {
    ip: req.ip ?? null,
    workstationId: ws?.toLowerCase() ?? null,
    workstationLabel: decodedLabel?.trim() || null,
    appVersion: version,
  };
}

const EMPTY_BODY_SHA256 = createHash('sha256').digest('base64url');
/** The SHA-256 of the bytes of each request's body that carries a workstation proof (what the proof covers). */
const bodyHashes = new WeakMap<FastifyRequest, string>();
const MAX_PROVEN_BODY = 1024 * 1024;

/**
 * Keeps the hash of the raw body of a request that carries a workstation proof, before it is parsed: the proof
 * covers the bytes sent, not what the parser and the schema make of them. Requests without a proof pay nothing.
 */
async function hashProvenBody(req: FastifyRequest, _reply: FastifyReply, payload: NodeJS.ReadableStream) {
  if (req.headers[HEADER_WORKSTATION_PROOF] === undefined) return payload;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of payload) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    size += b.length;
    if (size > MAX_PROVEN_BODY) throw new AppError('INVALID_REQUEST', 'Requête trop volumineuse.');
    chunks.push(b);
  }
  const raw = Buffer.concat(chunks);
  bodyHashes.set(req, createHash('sha256').update(raw).digest('base64url'));
  return Object.assign(Readable.from([raw]), { receivedEncodedLength: raw.length });
}

/** The workstation's proof headers of a request, if any (checked later against the registered key). */
function requestProof(req: FastifyRequest): RequestMeta['proof'] {
  const time = header(req, HEADER_WORKSTATION_TIME);
  const signature = header(req, HEADER_WORKSTATION_PROOF);
  const nonce = header(req, HEADER_WORKSTATION_NONCE);
  if (time === null && signature === null && nonce === null) return null;
  if (
    time === null ||
    signature === null ||
    nonce === null ||
    time.length > 40 ||
    !/^[A-Za-z0-9+/]{40,200}={0,2}$/.test(signature) ||
    !/^[A-Za-z0-9_-]{16,64}$/.test(nonce) ||
    Number.isNaN(Date.parse(time))
  ) {
    throw new AppError(
      'INVALID_REQUEST',
      `En-têtes ${HEADER_WORKSTATION_TIME} / ${HEADER_WORKSTATION_NONCE} / ${HEADER_WORKSTATION_PROOF} invalides.`,
    );
  }
  return {
    time,
    nonce,
    signature,
    method: req.method,
    path: req.url,
    bodySha256: bodyHashes.get(req) ?? EMPTY_BODY_SHA256,
  };
}

/** The label may carry accents: the client sends it percent-encoded (headers are Latin-1). */
function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AppError('INVALID_REQUEST', `En-tête ${HEADER_WORKSTATION_LABEL} invalide.`);
  }
}

function bearer(req: FastifyRequest): string | null {
  const h = header(req, 'authorization');
  if (!h) return null;
  const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(h);
  return m ? m[1]! : null;
}

export function register<R extends RouteDef>(
  app: FastifyInstance,
  ctx: Ctx,
  def: R,
  handler: Handler<R>,
  config: Record<string, unknown> = {},
) {
  const schema: Record<string, unknown> = {
    summary: def.summary,
    ...(def.params ? { params: def.params } : {}),
    ...(def.query ? { querystring: def.query } : {}),
    ...(def.body ? { body: def.body } : {}),
    ...(def.auth === 'optional_session'
      ? { security: [{ bearer: [] }, {}] }
      : def.auth !== 'none'
        ? { security: [{ bearer: [] }] }
        : {}),
  };
  if (def.produces !== 'text/csv') schema.response = { 200: def.response };
  app.withTypeProvider<ZodTypeProvider>().route({
    method: def.method,
    url: def.path,
    schema,
    config,
    ...(def.body ? { preParsing: hashProvenBody } : {}),
    handler: async (req, reply) => {
      reply.header(HEADER_SERVER_TIME, ctx.clock.now().toISOString());
      const meta = requestMeta(req);
      meta.proof = requestProof(req);
      const token = bearer(req);
      const auth =
        def.auth === 'none' || (def.auth === 'optional_session' && !token)
          ? null
          : await authenticate(ctx, token, meta, def.auth === 'session_or_password_change');
      const result = await handler({
        params: req.params as never,
        query: req.query as never,
        body: req.body as never,
        auth: auth as never,
        meta,
        req,
        reply,
      });
      if (def.produces === 'text/csv') {
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', 'attachment; filename="evenements.csv"');
      }
      reply.header('cache-control', 'no-store');
      if (result instanceof JsonText) {
        // A string with a JSON content type is sent as it is: the response schema's encoding is skipped.
        reply.header('content-type', 'application/json; charset=utf-8');
        return result.text;
      }
      return result;
    },
  });
}
