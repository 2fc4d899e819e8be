/**
 * `npm run start:web`: Vigie in browser mode. Starts the core and the web host, then prints
 * `Vigie is ready: http://127.0.0.1:<port>/#token=<token>`.
 * Environment: VIGIE_USER_DATA (default ./.vigie/user-data), VIGIE_PORT (default random),
 * VIGIE_BACKEND_URL (default: the embedded backend), VIGIE_DEMO=0 to turn the demo off.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCore } from '../core';
import { startWebHost } from './server';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
const userDataDir = resolve(process.env.VIGIE_USER_DATA ?? resolve(root, '.vigie/user-data'));
mkdirSync(userDataDir, { recursive: true });

const core = await startCore({
  mode: 'browser',
  userDataDir,
  appVersion: pkg.version,
  demo: process.env.VIGIE_DEMO !== '0',
  backendUrl: process.env.VIGIE_BACKEND_URL,
  log: (level, msg, fields) => console.error(JSON.stringify({ level, msg, ...fields })),
});
const host = await startWebHost({
  core,
  rendererDir: process.env.VIGIE_RENDERER_DIR ?? resolve(root, 'dist/renderer'),
  port: process.env.VIGIE_PORT ? Number(process.env.VIGIE_PORT) : 0,
});
if (process.env.VIGIE_DEMO !== '0' && !core.demoPcsc() && process.env.VIGIE_DEMO_PCSC !== '0') {
  console.log(
    'The demo card reader is unavailable (pcscd with the vsmartcard virtual reader could not start here; ' +
      '`npm run setup` as root installs them): the demo cards cannot be inserted, everything else works.',
  );
}
console.log(`Vigie is ready: ${host.url}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await host.close();
  await core.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
