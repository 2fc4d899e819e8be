import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend, type Backend } from '../../backend/app';
import { eventsKeyFromEnv, sealChainsOfNewKey } from '../../backend/deploy/env';
import { useEventsKey } from '../../backend/events/key';
import type { PscSandbox } from '../../backend/auth/ecps/sandbox';
import type { SigninOptions } from '../../backend/auth/deps';
import { signinOptionsFromEnv } from './embedded-signin';
import type { LogFn } from './context';

/** Demo mode's embedded backend (./demo/embedded.ts): its sign-in configuration and the demo pharmacy. */
export interface EmbeddedDemo {
  signin(o: { outboxDir: string; log: LogFn }): Promise<{ options: SigninOptions; psc: PscSandbox }>;
  seed(backend: Backend, now: Date, log: LogFn): Promise<void>;
}

export interface EmbeddedBackend {
  readonly url: string;
  readonly backend: Backend;
  /** The mail outbox folder (.eml files) and the postal letters folder of the embedded backend. */
  readonly outboxDir: string;
  /** Demo mode: the Pro Santé Connect sandbox (the "phone" answers e-CPS requests). */
  readonly psc: PscSandbox | null;
  close(): Promise<void>;
}

/**
 * The backend inside the app (single workstation, demo): PGlite in the user-data folder, mails as .eml files,
 * listening on 127.0.0.1 only. One process per data folder (PGlite is a single session).
 */
export async function startEmbeddedBackend(opts: {
  userDataDir: string;
  /** Demo mode: the demo's sign-in configuration and seed; otherwise sign-in is configured from the environment. */
  demo?: EmbeddedDemo;
  log: LogFn;
  now?: () => Date;
}): Promise<EmbeddedBackend> {
  const dataDir = join(opts.userDataDir, 'backend-data');
  const outboxDir = join(opts.userDataDir, 'outbox');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(outboxDir, { recursive: true });
  const t0 = performance.now();
  const signin = opts.demo
    ? await opts.demo.signin({ outboxDir, log: opts.log })
    : { options: signinOptionsFromEnv(outboxDir), psc: null };
  // The events key lives next to the data folder, not in it (SECURITY.md: what protects the embedded store).
  const eventsKey = eventsKeyFromEnv({}, `pglite:${dataDir}`);
  if (eventsKey) useEventsKey(eventsKey.key);
  const backend = await createBackend({
    database: `pglite:${dataDir}`,
    mailer: {
      kind: 'outbox-dir',
      dir: join(outboxDir, 'mail'),
      from: 'Vigie <ne-pas-repondre@vigie.invalid>',
    },
    logLevel: 'warn',
    signin: signin.options,
    ...(opts.now ? { clock: { now: opts.now } } : {}),
  });
  await sealChainsOfNewKey(backend.db, eventsKey, (m) => opts.log('info', m));
  await opts.demo?.seed(backend, opts.now?.() ?? new Date(), opts.log);
  const url = await backend.listen(0, '127.0.0.1');
  opts.log('info', 'embedded backend ready', { ms: Math.round(performance.now() - t0) });
  return {
    url,
    backend,
    outboxDir,
    psc: signin.psc,
    close: async () => {
      await backend.close();
      await signin.psc?.close();
    },
  };
}
