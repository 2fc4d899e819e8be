/** Registers the routes of domain/backend-api/routes.ts on Fastify, with their zod schemas and auth mode. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import {
  HEADER_APP_VERSION,
  HEADER_WORKSTATION,
  HEADER_WORKSTATION_LABEL,
  HEADER_SERVER_TIME,
  HEADER_WORKSTATION_PROOF,
  HEADER_WORKSTATION_TIME,
  type RouteDef,
} from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import type { Ctx } from '../context';
import type { RequestMeta } from '../services/meta';
import { authenticate, type AuthInfo } from '../services/sessions';

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
) => Promise<R['produces'] extends 'text/csv' ? string : z.input<R['response']>>;

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

/** The workstation's proof headers of a sign-in request, if any (checked later against the registered key). */
function requestProof(req: FastifyRequest, def: RouteDef): RequestMeta['proof'] {
  const time = header(req, HEADER_WORKSTATION_TIME);
  const signature = header(req, HEADER_WORKSTATION_PROOF);
  if (time === null && signature === null) return null;
  if (
    time === null ||
    signature === null ||
    time.length > 40 ||
    !/^[A-Za-z0-9+/]{40,200}={0,2}$/.test(signature) ||
    Number.isNaN(Date.parse(time))
  ) {
    throw new AppError(
      'INVALID_REQUEST',
      `En-têtes ${HEADER_WORKSTATION_TIME} / ${HEADER_WORKSTATION_PROOF} invalides.`,
    );
  }
  return { time, signature, method: def.method, path: def.path };
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
    handler: async (req, reply) => {
      reply.header(HEADER_SERVER_TIME, ctx.clock.now().toISOString());
      const meta = requestMeta(req);
      if (def.workstationProof) meta.proof = requestProof(req, def);
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
      return result;
    },
  });
}
