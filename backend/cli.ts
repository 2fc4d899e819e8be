/**
 * `npm run backend`                  start the backend (embedded PGlite in ./.vigie/backend-data, or DATABASE_URL)
 * `npm run backend -- --demo`        same, seeding the demo pharmacy on first start
 * `npm run backend -- seed --demo`   create the demo pharmacy and exit
 * `npm run backend -- letter-printed <reference>`   the mail service printed a postal letter
 * `npm run backend -- seal-events`  key the events chains written before the events key existed (once, on a
 *                                    store the operator trusts as it is)
 *
 * Environment: DATABASE_URL (postgres://… or pglite:<folder>), PORT (8787), HOST (127.0.0.1), LOG_LEVEL (info),
 * SMTP_HOST / SMTP_PORT / SMTP_USER / SMTP_PASS / MAIL_FROM (else .eml files in ./.vigie/mail-outbox),
 * TLS_CERT / TLS_KEY (PEM files: HTTPS), TRUST_PROXY (the reverse proxies' addresses/CIDRs, or a hop count
 * whose nearest proxy is on this machine; never `true`), EVENTS_KEY_FILE (the events key, kept outside the
 * database; required with PostgreSQL, created next to a PGlite folder), OWNER_DATABASE_URL (PostgreSQL: the
 * tables' owner, who runs the migrations; DATABASE_URL is then a login role of `vigie_app`), PURGE_DATABASE_URL
 * (PostgreSQL: a login role of `vigie_purge`, for the retention purge); card, e-CPS, letters and
 * suspicious-activity settings: see ./auth/env.ts.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createBackend, type BackendOptions } from './app';
import { migrate, openDatabase } from './db/connect';
import { seedDemo } from './demo/seed';
import { DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PHARMACY } from './demo/people';
import type { MailerOptions } from './mail/transport';
import { signinFromEnv } from './auth/env';
import { markLetterPrinted } from './unblock/postal-path';
import { eventsKeyFromEnv, sealChainsOfNewKey, trustProxyFromEnv } from './deploy/env';
import { sealUnsealedChains } from './events/chain';
import { useEventsKey } from './events/key';
import { usePurgeDatabase } from './events/purge';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    demo: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const env = process.env;
const database = env.DATABASE_URL ?? 'pglite:./.vigie/backend-data';
const from = env.MAIL_FROM ?? 'Vigie <no-reply@vigie.invalid>';
const mailer: MailerOptions = env.SMTP_HOST
  ? {
      kind: 'smtp',
      host: env.SMTP_HOST,
      port: Number(env.SMTP_PORT ?? 587),
      secure: env.SMTP_SECURE === '1',
      ...(env.SMTP_USER ? { auth: { user: env.SMTP_USER, pass: env.SMTP_PASS ?? '' } } : {}),
      from,
    }
  : { kind: 'outbox-dir', dir: env.MAIL_OUTBOX ?? './.vigie/mail-outbox', from };

/** The URL without credentials, for the ready line. */
const shown = database.replace(/\/\/[^@/]*@/, '//');

function printDemo() {
  console.log(`demo pharmacy: ${DEMO_PHARMACY.name} (FINESS ${DEMO_PHARMACY.finess})`);
  for (const p of Object.values(DEMO_PEOPLE)) {
    const how = p.identifier
      ? `identifiant ${p.identifier}, mot de passe ${DEMO_PASSWORD}`
      : `carte CPS ${p.nationalId}`;
    console.log(`  ${p.displayName.padEnd(16)} ${p.kind.padEnd(18)} ${p.state.padEnd(8)} ${how}`);
  }
}

async function main() {
  const eventsKey = eventsKeyFromEnv(env, database);
  if (eventsKey) useEventsKey(eventsKey.key);
  if (env.OWNER_DATABASE_URL) {
    const owner = await openDatabase(env.OWNER_DATABASE_URL);
    try {
      await migrate(owner.db);
    } finally {
      await owner.close();
    }
  }
  if (positionals[0] === 'seal-events') {
    const opened = await openDatabase(env.OWNER_DATABASE_URL ?? database);
    try {
      await migrate(opened.db);
      const r = await sealUnsealedChains(opened.db);
      console.log(
        `sealed ${r.sealed} chains; refused ${r.refused.length} that do not verify: ${r.refused.join(' ')}`,
      );
    } finally {
      await opened.close();
    }
    return;
  }
  if (values.help) {
    console.log('usage: npm run backend [-- --demo] | npm run backend -- seed --demo');
    return;
  }
  if (positionals[0] === 'seed') {
    if (!values.demo) throw new Error('usage: npm run backend -- seed --demo');
    const opened = await openDatabase(database);
    try {
      await migrate(opened.db);
      const r = await seedDemo(opened.db, new Date());
      console.log(
        r.created ? `seeded the demo pharmacy in ${shown}` : `the demo pharmacy already exists in ${shown}`,
      );
      printDemo();
    } finally {
      await opened.close();
    }
    return;
  }
  if (positionals[0] === 'letter-printed' && positionals[1]) {
    const opened = await openDatabase(database);
    try {
      await migrate(opened.db);
      const done = await markLetterPrinted(opened.db, positionals[1], new Date());
      console.log(done ? `letter ${positionals[1]} printed` : `no unprinted letter ${positionals[1]}`);
    } finally {
      await opened.close();
    }
    return;
  }
  if (positionals.length > 0) throw new Error(`unknown command: ${positionals.join(' ')}`);

  const options: BackendOptions = {
    database,
    mailer,
    logLevel: (env.LOG_LEVEL as BackendOptions['logLevel']) ?? 'info',
    trustProxy: trustProxyFromEnv(env.TRUST_PROXY),
    ...(env.TLS_CERT && env.TLS_KEY
      ? { tls: { cert: readFileSync(env.TLS_CERT), key: readFileSync(env.TLS_KEY) } }
      : {}),
  };
  const signin = await signinFromEnv(env, { demo: values.demo ?? false });
  if (signin.psc) console.log(`PSC sandbox (e-CPS phone): ${signin.psc.phoneUrl}`);
  const purge = env.PURGE_DATABASE_URL ? await openDatabase(env.PURGE_DATABASE_URL, { poolSize: 2 }) : null;
  if (purge) usePurgeDatabase(purge.db);
  const backend = await createBackend({ ...options, signin: signin.options });
  await sealChainsOfNewKey(backend.db, eventsKey, (m) => console.log(m));
  if (values.demo) {
    const r = await seedDemo(backend.db, backend.ctx.clock.now(), backend.ctx.config);
    if (r.created) printDemo();
  }
  const url = await backend.listen(Number(env.PORT ?? 8787), env.HOST ?? '127.0.0.1');
  console.log(
    `vigie-backend ready on ${url} (database ${shown}, ${backend.ctx.dbKind}; OpenAPI at ${url}/openapi.json)`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`vigie-backend: ${signal}, closing`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await backend.close();
    await purge?.close();
    await signin.psc?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(`vigie-backend: ${(e as Error).message ?? String(e)}`);
  process.exit(1);
});
