import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend, type Backend } from '../../backend/app';
import { seedDemo } from '../../backend/demo/seed';
import { eventsKeyFromEnv, sealChainsOfNewKey } from '../../backend/deploy/env';
import { useEventsKey } from '../../backend/events/key';
import { seedDemoSecurityKeys } from '../../backend/demo/signin-seed';
import type { PscSandbox } from '../../backend/auth/ecps/sandbox';
import { demoSigninOptions } from './embedded-signin';
import type { LogFn } from './context';

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
  demo: boolean;
  log: LogFn;
  now?: () => Date;
}): Promise<EmbeddedBackend> {
  const dataDir = join(opts.userDataDir, 'backend-data');
  const outboxDir = join(opts.userDataDir, 'outbox');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(outboxDir, { recursive: true });
  const t0 = performance.now();
  // Card sign-in against the test IGC-Santé mirror and e-CPS against the PSC sandbox (demo); letters in the outbox.
  const signin = await demoSigninOptions({ demo: opts.demo, outboxDir, log: opts.log });
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
  if (opts.demo) {
    const seeded = await seedDemo(backend.db, opts.now?.() ?? new Date());
    if (seeded.created) opts.log('info', 'demo pharmacy created');
    await seedDemoSecurityKeys(backend);
  }
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
