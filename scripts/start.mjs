// `npm start`: builds Vigie and runs it in Electron. Where Electron's binary is not installed and cannot be
// fetched (as on machines without internet), says so in one line and starts browser mode instead.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run('npm', ['run', '--silent', 'build']);

let electronBinary = null;
let reason = '';
if (process.env.VIGIE_FORCE_BROWSER === '1') {
  reason = 'VIGIE_FORCE_BROWSER=1';
} else {
  // The electron package fetches its binary on first use, as on a user's machine. Silence its own output.
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (probe.status === 0 && probe.stdout) electronBinary = probe.stdout;
  else reason = 'its binary is not installed and could not be downloaded';
}

const child = electronBinary
  ? spawn(electronBinary, ['.'], { stdio: 'inherit' })
  : (console.log(`Electron is unavailable (${reason}): starting Vigie in browser mode instead.`),
    spawn(process.execPath, [require.resolve('tsx/cli'), 'electron/web-host/cli.ts'], { stdio: 'inherit' }));

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
