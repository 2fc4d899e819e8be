/** Starts faults/lib/backend-runner.ts as a real child process; keeps its stdout (pino) for the token scan. */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./backend-runner.ts', import.meta.url));

export interface BackendProc {
  url: string;
  child: ChildProcess;
  /** Everything it printed (stdout + stderr). */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startBackendProc(
  options: {
    database: string;
    port?: number;
    smtpPort?: number;
    outboxDir?: string;
    mailIntervalMs?: number;
    failureFloorMs?: number;
    clockFile?: string;
  },
  logFile?: string,
  timeoutMs = 60_000,
): Promise<BackendProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', runner], {
    env: { ...process.env, FAULTS_BACKEND: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (b: Buffer) => {
    out += b.toString();
    if (logFile) appendFileSync(logFile, b);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`backend child not ready in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const check = () => {
      const m = /FAULTS-READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`backend child exited (${code}) before ready:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(t);
    },
  };
}
