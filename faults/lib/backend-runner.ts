/**
 * The backend as a real child process for the fault cases: `createBackend` with options from the
 * FAULTS_BACKEND environment variable (JSON), pino at info on stdout (the test keeps it and scans it for
 * tokens). Prints `FAULTS-READY <url>` once it listens. Same code path as backend/cli.ts, with the rate
 * limits and hashing cost a test needs.
 */
import { readFileSync } from 'node:fs';
import { createBackend } from '../../backend/app';

interface RunnerOptions {
  database: string;
  port?: number;
  smtpPort?: number;
  outboxDir?: string;
  mailIntervalMs?: number;
  failureFloorMs?: number;
  /**
   * A file holding the clock: an offset in ms from the real time (the test moves time by rewriting it), or
   * `@<epoch ms>`, a clock stopped at that instant (nothing the backend waits for elapses while it is stopped).
   */
  clockFile?: string;
}

const o = JSON.parse(process.env.FAULTS_BACKEND ?? '{}') as RunnerOptions;
const from = 'Vigie <no-reply@vigie.invalid>';
const readClock = () => {
  try {
    return readFileSync(o.clockFile!, 'utf8').trim();
  } catch {
    return '0';
  }
};
const now = () => {
  const c = readClock();
  return new Date(c.startsWith('@') ? Number(c.slice(1)) : Date.now() + (Number(c) || 0));
};
const backend = await createBackend({
  database: o.database,
  ...(o.clockFile ? { clock: { now } } : {}),
  logLevel: 'info',
  mailer: o.smtpPort
    ? { kind: 'smtp', host: '127.0.0.1', port: o.smtpPort, ignoreTLS: true, from }
    : o.outboxDir
      ? { kind: 'outbox-dir', dir: o.outboxDir, from }
      : { kind: 'none' },
  jobs: {
    autoStart: o.mailIntervalMs !== undefined,
    intervals: {
      mail: o.mailIntervalMs ?? 5000,
      inactivity: 3600_000,
      reminders: 3600_000,
      retention: 3600_000 * 6,
    },
  },
  failureFloorMs: o.failureFloorMs ?? 60,
  rateLimit: false,
  poolSize: 20,
  config: { argon2: { memoryCost: 4096, timeCost: 2, parallelism: 1 } },
});
const url = await backend.listen(o.port ?? 0, '127.0.0.1');
console.log(`FAULTS-READY ${url}`);
const stop = () => {
  void backend.close().then(() => process.exit(0));
  setTimeout(() => process.exit(1), 5000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
