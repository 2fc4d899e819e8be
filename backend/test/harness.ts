/**
 * Starts a real backend for a test file: PGlite in memory, or a fresh database on the PostgreSQL server of
 * the run (VIGIE_TEST_DB=postgres), a real SMTP server (smtp-server) that keeps what arrives, a clock the
 * test moves, and a small HTTP helper. No mocks.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import PostalMime from 'postal-mime';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { createBackend, type Backend, type BackendOptions } from '../app';
import { HEADER_APP_VERSION, HEADER_WORKSTATION, HEADER_WORKSTATION_LABEL } from '../../domain/backend-api';

export class TestClock {
  constructor(private t: Date) {}
  now = () => new Date(this.t);
  set(d: Date | string) {
    this.t = new Date(d);
  }
  advance(ms: number) {
    this.t = new Date(this.t.getTime() + ms);
  }
}

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

export class TestSmtp {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer;
  port = 0;
  /** When set, the next deliveries are refused with a temporary error. */
  failNext = 0;
  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.failNext > 0) {
            this.failNext--;
            const e = Object.assign(new Error('try again later'), { responseCode: 451 });
            cb(e);
            return;
          }
          const raw = Buffer.concat(chunks);
          PostalMime.parse(raw)
            .then((m) => {
              this.mails.push({
                to: session.envelope.rcptTo.map((r) => r.address),
                subject: m.subject ?? '',
                text: m.text ?? '',
                messageId: m.messageId ?? '',
              });
              cb();
            })
            .catch((e: Error) => cb(e));
        });
      },
    });
  }
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    const a = this.server.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }
  to(address: string) {
    return this.mails.filter((m) => m.to.includes(address));
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export const dbKind = (): 'pglite' | 'postgres' =>
  process.env.VIGIE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

const copies: string[] = [];
// Registered when a test file imports this module; 'stack' hook order runs it after the file's own
// afterAll (which closes its backends).
afterAll(() => {
  for (const c of copies.splice(0)) rmSync(c, { recursive: true, force: true });
});

/**
 * A database URL for this test file: a copy of the run's migrated PGlite folder (in memory when there is no
 * template, e.g. a file run outside the project), or a new database on the run's PostgreSQL server.
 */
export async function testDatabaseUrl(): Promise<string> {
  if (dbKind() === 'pglite') {
    const template = inject('pgliteTemplate');
    if (!template) return 'pglite:memory';
    const dir = mkdtempSync(join(tmpdir(), 'vigie-pglite-'));
    copies.push(dir);
    cpSync(template, join(dir, 'data'), { recursive: true });
    return `pglite:${join(dir, 'data')}`;
  }
  const admin = inject('pgUrl');
  const name = `vigie_t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  return admin.replace(/\/postgres$/, `/${name}`);
}

export interface TestEnv {
  backend: Backend;
  clock: TestClock;
  smtp: TestSmtp;
  databaseUrl: string;
  /** Runs the mail job and returns the mails that arrived since the last call. */
  deliver(): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startTestEnv(
  opts: { now?: string; backend?: Partial<BackendOptions> } = {},
): Promise<TestEnv> {
  const clock = new TestClock(new Date(opts.now ?? '2026-03-02T09:00:00+01:00'));
  const smtp = new TestSmtp();
  await smtp.start();
  const databaseUrl = await testDatabaseUrl();
  const backend = await createBackend({
    database: databaseUrl,
    clock,
    logLevel: 'silent',
    mailer: {
      kind: 'smtp',
      host: '127.0.0.1',
      port: smtp.port,
      ignoreTLS: true,
      from: 'Vigie <no-reply@vigie.invalid>',
    },
    jobs: { autoStart: false },
    failureFloorMs: 60,
    rateLimit: { max: 100_000, signInMax: 100_000, timeWindowMs: 60_000 },
    // Cheaper hashing in tests; the parameters are checked by the bench.
    config: { argon2: { memoryCost: 4096, timeCost: 2, parallelism: 1 } },
    ...opts.backend,
  });
  let seen = 0;
  return {
    backend,
    clock,
    smtp,
    databaseUrl,
    async deliver() {
      await backend.jobs.run('mail');
      const fresh = smtp.mails.slice(seen);
      seen = smtp.mails.length;
      return fresh;
    },
    async close() {
      await backend.close();
      await smtp.close();
    },
  };
}

export interface Workstation {
  id: string;
  label: string;
}
export const newWorkstation = (label = 'Comptoir 1'): Workstation => ({ id: randomUUID(), label });

export function headers(ws: Workstation | null, token?: string): Record<string, string> {
  const h: Record<string, string> = { [HEADER_APP_VERSION]: '0.1.0-test' };
  if (ws) {
    h[HEADER_WORKSTATION] = ws.id;
    h[HEADER_WORKSTATION_LABEL] = encodeURIComponent(ws.label);
  }
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

/** Calls the backend in-process (Fastify inject: the full HTTP stack without a socket). */
export async function call(
  env: TestEnv,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  o: { ws?: Workstation | null; token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await env.backend.app.inject({
    method,
    url,
    headers: {
      ...headers(o.ws ?? null, o.token),
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...o.headers,
    },
    ...(o.body !== undefined ? { payload: JSON.stringify(o.body) } : {}),
  });
  let json: unknown;
  try {
    json = res.json();
  } catch {
    json = null;
  }
  return {
    status: res.statusCode,
    json: json as Record<string, unknown> & { code?: string },
    body: res.body,
    headers: res.headers,
  };
}
