import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { ErrorBody } from '../../domain/backend-api';
import { httpStatusOf } from '../../domain/backend-api';
import { AppError } from '../../domain/result';
import { BlockedError, PasswordPolicyError } from '../auth/errors';

/**
 * A lost or refused database connection (server restarting, crashed, too many clients): SQLSTATE class 08,
 * 57P01-57P03, 53300, or a socket error from the driver; or a transaction PostgreSQL rolled back on its own
 * (deadlock, serialization failure). All answer 503 UNAVAILABLE, retryable.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // 40P01 deadlock, 40001 serialization failure: PostgreSQL rolled the transaction back; a retry may pass.
  if (
    /^08/.test(code) ||
    [
      '40P01',
      '40001',
      '57P01',
      '57P02',
      '57P03',
      '53300',
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      'ENOTFOUND',
    ].includes(code)
  )
    return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect/i.test(
    msg,
  );
}

/** Every failure answers `{ code, message }` with a code from domain/errors.ts; 5xx only for our own bugs. */
export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    let status: number;
    let body: ErrorBody;
    if (error instanceof BlockedError) {
      status = httpStatusOf(error.code);
      body = {
        code: error.code,
        message: error.message,
        blocked: { reason: error.reason, explanation: error.explanation, unblockPaths: error.paths },
      };
    } else if (error instanceof PasswordPolicyError) {
      status = httpStatusOf(error.code);
      body = { code: error.code, message: error.message, problems: error.problems };
    } else if (error instanceof AppError) {
      status = httpStatusOf(error.code);
      body = { code: error.code, message: error.message, ...(error.retryable ? { retryable: true } : {}) };
    } else if (isDatabaseUnavailable(error)) {
      // The database is restarting or unreachable: a clean, retryable answer, not a 500 with a stack.
      req.log.warn({ code: (error as { code?: string }).code }, 'database unavailable');
      status = 503;
      body = {
        code: 'UNAVAILABLE',
        message: 'Service momentanément indisponible : réessayez dans un instant.',
        retryable: true,
      };
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      status = 400;
      const first = error.validation[0];
      const where = first ? `${error.validationContext ?? ''}${first.instancePath || ''}` : '';
      body = { code: 'INVALID_REQUEST', message: `Requête invalide${where ? ` (${where})` : ''}.` };
    } else if (error.statusCode === 429) {
      status = 429;
      body = {
        code: 'RATE_LIMITED',
        message: 'Trop de requêtes : réessayez dans un instant.',
        retryable: true,
      };
    } else if (
      !isResponseSerializationError(error) &&
      error.statusCode &&
      error.statusCode >= 400 &&
      error.statusCode < 500
    ) {
      // Fastify's own 4xx: bad JSON, empty body, body too large, unsupported media type...
      status = error.statusCode;
      body = { code: status === 404 ? 'NOT_FOUND' : 'INVALID_REQUEST', message: 'Requête invalide.' };
    } else {
      req.log.error({ err: error }, 'unhandled error');
      status = 500;
      body = { code: 'INTERNAL', message: 'Une erreur inattendue est survenue.' };
    }
    if (status === 429) reply.header('retry-after', '60');
    reply.header('cache-control', 'no-store');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.status(404).send({ code: 'NOT_FOUND', message: 'Ressource introuvable.' } satisfies ErrorBody);
  });
}
