/**
 * `npm run backend:cluster [-- --instances 3] [--port 8443] [--demo] [--database postgres://…]`: a PostgreSQL
 * server (unless --database), the backend instances and HAProxy in front on loopback (./cluster.ts), until
 * Ctrl-C, which stops them all. The proxy's certificate is written to ./.vigie/cluster/proxy.crt: give it to the
 * workstation core (its backend client's `ca`). Mails go as .eml files to ./.vigie/cluster/mail-outbox.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '../db/connect';
import { seedDemo } from '../demo/seed';
import { useEventsKey } from '../events/key';
import { startCluster } from './cluster';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '3' },
    port: { type: 'string' },
    database: { type: 'string' },
    demo: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const out = resolve('.vigie/cluster');
mkdirSync(out, { recursive: true });
const instances = Number(values.instances);
if (!Number.isInteger(instances) || instances < 1 || instances > 16) {
  console.error('backend:cluster: --instances takes a number from 1 to 16');
  process.exit(2);
}
const cluster = await startCluster({
  instances,
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values.database ? { database: values.database } : {}),
  outboxDir: resolve(out, 'mail-outbox'),
  env: { LETTERS_DIR: resolve(out, 'letters-outbox'), LOG_LEVEL: 'info' },
  ...(values.verbose ? { onOutput: (s: string) => process.stdout.write(s) } : {}),
});
writeFileSync(resolve(out, 'proxy.crt'), cluster.certPem);
if (values.demo) {
  // The demo's events are chained with the instances' key, like every event they append after.
  useEventsKey(readFileSync(cluster.eventsKeyFile));
  const opened = await openDatabase(cluster.databaseUrl, { poolSize: 1 });
  try {
    await migrate(opened.db);
    const r = await seedDemo(opened.db, new Date());
    console.log(r.created ? 'seeded the demo pharmacy' : 'the demo pharmacy already exists');
  } finally {
    await opened.close();
  }
}
console.log(`vigie cluster ready on ${cluster.url} (HAProxy, round-robin, TLS certificate ${out}/proxy.crt)`);
for (const i of cluster.instances) console.log(`  ${i.name}: ${i.url} (pid ${i.pid})`);
console.log(`  database ${cluster.databaseUrl.replace(/\/\/[^@/]*@/, '//')}`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`backend:cluster: ${signal}, stopping`);
  cluster.stop().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(`backend:cluster: could not stop everything: ${(e as Error).message}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
