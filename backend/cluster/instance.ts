/**
 * One backend instance of the cluster (./cluster.ts), a child process configured by its environment like
 * `npm run backend` (DATABASE_URL, PORT, HOST, TRUST_PROXY, EVENTS_KEY_FILE, SMTP_HOST/SMTP_PORT, MAIL_OUTBOX,
 * CARD_TRUST_PEM, CARD_CRL, PSC_*, LETTERS_DIR), plus VIGIE_INSTANCE_TUNING (JSON: job intervals, hashing cost,
 * refusal floor, rate limits) for tests and benches. Prints `VIGIE-INSTANCE-READY <url>` once it listens.
 */
import { createBackend, type BackendOptions } from '../app';
import { signinFromEnv } from '../auth/env';
import { eventsKeyFromEnv, trustProxyFromEnv } from '../deploy/env';
import { useEventsKey } from '../events/key';
import type { MailerOptions } from '../mail/transport';

export interface InstanceTuning {
  jobIntervals?: BackendOptions['jobs'] extends infer J
    ? J extends { intervals?: infer I }
      ? I
      : never
    : never;
  argon2?: { memoryCost: number; timeCost: number; parallelism: number };
  failureFloorMs?: number;
  rateLimit?: BackendOptions['rateLimit'];
  /** e-CPS polling pace, so a test need not wait the provider's 5 s. */
  ecpsPollIntervalMs?: number;
  poolSize?: number;
  /** Start the job timers (default true; a bench of the request path alone turns them off). */
  jobs?: boolean;
}

const env = process.env;
const database = env.DATABASE_URL;
if (!database) throw new Error('DATABASE_URL is required');
const tuning = JSON.parse(env.VIGIE_INSTANCE_TUNING ?? '{}') as InstanceTuning;
const from = env.MAIL_FROM ?? 'Vigie <no-reply@vigie.invalid>';
const mailer: MailerOptions = env.SMTP_HOST
  ? { kind: 'smtp', host: env.SMTP_HOST, port: Number(env.SMTP_PORT ?? 587), ignoreTLS: true, from }
  : env.MAIL_OUTBOX
    ? { kind: 'outbox-dir', dir: env.MAIL_OUTBOX, from }
    : { kind: 'none' };

const key = eventsKeyFromEnv(env, database);
if (key) useEventsKey(key.key);
const signin = await signinFromEnv(env, { demo: false });
// The PSC of a test run is a sandbox on loopback over plain HTTP.
if (signin.options.ecps && /^http:\/\/127\.0\.0\.1[:/]/.test(signin.options.ecps.issuer)) {
  signin.options.ecps = {
    ...signin.options.ecps,
    allowInsecure: true,
    ...(tuning.ecpsPollIntervalMs
      ? { pollIntervalMs: tuning.ecpsPollIntervalMs, forcePollInterval: true }
      : {}),
  };
}
const backend = await createBackend({
  database,
  mailer,
  logLevel: (env.LOG_LEVEL as BackendOptions['logLevel']) ?? 'warn',
  trustProxy: trustProxyFromEnv(env.TRUST_PROXY),
  signin: signin.options,
  jobs: {
    autoStart: tuning.jobs ?? true,
    ...(tuning.jobIntervals ? { intervals: tuning.jobIntervals } : {}),
  },
  ...(tuning.failureFloorMs !== undefined ? { failureFloorMs: tuning.failureFloorMs } : {}),
  ...(tuning.rateLimit !== undefined ? { rateLimit: tuning.rateLimit } : {}),
  ...(tuning.poolSize ? { poolSize: tuning.poolSize } : {}),
  ...(tuning.argon2 ? { config: { argon2: tuning.argon2 } } : {}),
});
const url = await backend.listen(Number(env.PORT ?? 0), env.HOST ?? '127.0.0.1');
console.log(`VIGIE-INSTANCE-READY ${url}`);

const stop = () => {
  void backend.close().then(() => process.exit(0));
  setTimeout(() => process.exit(1), 5000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
