/**
 * The account backend. `createBackend(options)` builds it (store, migrations, HTTP API, jobs) so that the
 * CLI, the workstation core (embedded, in-process) and the tests start the very same thing.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { pino, type Logger } from 'pino';
import { defaultConfig, systemClock, type BackendConfig, type Clock, type Ctx } from './context';
import { migrate, openDatabase, type Db } from './db/connect';
import { installErrorHandling } from './http/errors';
import { registerRoutes } from './http/routes';
import { sharedRateLimitStore } from './http/rate-limit-store';
import { Jobs, type JobIntervals } from './jobs/runner';
import { createTransport, type MailerOptions } from './mail/transport';
import { PasswordHasher } from './auth/passwords';
import { StrengthPool, type StrengthPoolOptions } from './auth/strength';
import { createSigninDeps, type SigninDeps, type SigninOptions } from './auth/deps';

export interface BackendOptions {
  /** `pglite:memory`, `pglite:<folder>` (embedded; one process per folder) or `postgres://…`. */
  database: string;
  mailer?: MailerOptions;
  clock?: Clock;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A pino logger to use instead of one built from `logLevel`. */
  logger?: Logger;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Behind a reverse proxy: which hops to trust for the client IP (Fastify's `trustProxy`). */
  trustProxy?: false | string | string[] | ((addr: string, hop: number) => boolean);
  config?: Partial<BackendConfig>;
  /** Global per-IP limit and the tighter one on sign-in; `false` disables both (benchmarks only). */
  rateLimit?: { max: number; signInMax: number; checkMax?: number; timeWindowMs: number } | false;
  /** Every refused sign-in lasts at least this long (same timing for all refusals). */
  failureFloorMs?: number;
  /** Start the job timers (default true); tests run jobs by hand. */
  jobs?: { autoStart?: boolean; intervals?: Partial<JobIntervals> };
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** Worker threads and queue bound of the password strength estimate (auth/strength.ts). */
  strength?: StrengthPoolOptions;
  /** argon2 hashes running at once and waiting at most; beyond, 503 at once (auth/passwords.ts). */
  argon2Bounds?: { maxRunning: number; maxQueue: number };
  /** Card and e-CPS sign-in, unblock paths, suspicious-activity rules (backend/auth/deps.ts). */
  signin?: SigninOptions;
}

export interface Backend {
  app: FastifyInstance;
  db: Db;
  ctx: Ctx;
  jobs: Jobs;
  hasher: PasswordHasher;
  /** Card auth, e-CPS client, unblock stores, letters folder. */
  signin: SigninDeps;
  /** Starts listening; returns the base URL (`https://` when TLS is on). */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** Never in the logs: credentials, tokens, and the client's address (personal data; the events log keeps it). */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'req.remoteAddress',
  '*.password',
  '*.token',
  '*.newPassword',
  '*.currentPassword',
];

/** The backend's pino logger (redactions included); `destination` for tests. */
export function createLogger(
  level: NonNullable<BackendOptions['logLevel']> = 'info',
  destination?: { write(s: string): void },
): Logger {
  const o = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'vigie-backend' } };
  return destination ? pino(o, destination) : pino(o);
}

export async function createBackend(options: BackendOptions): Promise<Backend> {
  const log = options.logger ?? createLogger(options.logLevel ?? 'info');
  const opened = await openDatabase(options.database, { poolSize: options.poolSize });
  try {
    await migrate(opened.db);
  } catch (e) {
    await opened.close();
    throw e;
  }
  const config: BackendConfig = { ...defaultConfig, ...options.config };
  const strength = new StrengthPool(options.strength, (msg, err) => log.warn({ err }, msg));
  const ctx: Ctx = {
    db: opened.db,
    dbKind: opened.kind,
    clock: options.clock ?? systemClock,
    config,
    log,
    strength,
  };
  const hasher = new PasswordHasher(config.argon2, options.argon2Bounds);
  const transport = createTransport(options.mailer ?? { kind: 'none' });
  const jobs = new Jobs(ctx, transport);
  const signin = createSigninDeps(ctx, options.signin);

  const app = Fastify({
    loggerInstance: log,
    bodyLimit: 16 * 1024,
    trustProxy: options.trustProxy ?? false,
    requestTimeout: 30_000,
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigie account backend',
        version: config.version,
        description:
          'Comptes amelipro : connexion, sessions, blocage pour inactivité, journal des événements.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  const limits = options.rateLimit ?? { max: 600, signInMax: 30, checkMax: 60, timeWindowMs: 60_000 };
  if (limits) {
    await app.register(rateLimit, {
      global: true,
      max: limits.max,
      timeWindow: limits.timeWindowMs,
      // Several instances share one PostgreSQL server: the per-route limits count there (http/rate-limit-store.ts).
      ...(opened.kind === 'postgres' ? { store: sharedRateLimitStore(opened.db) } : {}),
      errorResponseBuilder: (_req, c) =>
        Object.assign(new Error('rate limited'), { statusCode: c.statusCode }),
    });
  }
  registerRoutes(app, ctx, {
    hasher,
    failureFloorMs: options.failureFloorMs ?? 250,
    signInRateLimit: limits ? { max: limits.signInMax, timeWindow: limits.timeWindowMs } : false,
    checkRateLimit: limits ? { max: limits.checkMax ?? 60, timeWindow: limits.timeWindowMs } : false,
    signin,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();

  if (options.jobs?.autoStart ?? true) jobs.start(options.jobs?.intervals);

  let closed = false;
  return {
    app,
    db: opened.db,
    ctx,
    jobs,
    hasher,
    signin,
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const addr = app.server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      return `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${p}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      await jobs.stop();
      signin.close();
      await app.close();
      transport?.close();
      await strength.close();
      await opened.close();
    },
  };
}
