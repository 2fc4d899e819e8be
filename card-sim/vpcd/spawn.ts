/** Starts a virtual card in a child process, plugged into pcscd's vpcd reader; for tests and benchmarks. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildOptions, ParentMessage } from './child';

export interface VirtualCardProcess {
  readonly child: ChildProcess;
  /** Pulls the card out of the reader (the process stays, ready to insert it again). */
  pull(): Promise<void>;
  insert(): Promise<void>;
  /** Pulls the card out when the n-th READ BINARY from now arrives, without answering it. */
  pullAtRead(n: number): void;
  /** Resolves at the next 'pulled' report. */
  nextPulled(): Promise<void>;
  stop(): Promise<void>;
}

const childPath = fileURLToPath(new URL('./child.ts', import.meta.url));

export async function startVirtualCard(
  o: ChildOptions = {},
  timeoutMs = 20_000,
): Promise<VirtualCardProcess> {
  const child = fork(childPath, [JSON.stringify(o)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: { type: ChildMessage['type']; resolve: () => void }[] = [];
  child.on('message', (m: ChildMessage) => {
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve();
  });
  const wait = (type: ChildMessage['type']) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`virtual card: no '${type}' within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.push({ type, resolve: () => (clearTimeout(t), resolve()) });
    });
  const post = (m: ParentMessage) => child.send(m);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  try {
    await Promise.race([
      wait('inserted'),
      new Promise<never>((_, reject) =>
        child.once('exit', (code) =>
          reject(new Error(`virtual card: the card process stopped (exit ${code}) before the card was in`)),
        ),
      ),
    ]);
  } catch (e) {
    if (!exited) child.kill('SIGKILL');
    throw e;
  }
  return {
    child,
    async pull() {
      const p = wait('pulled');
      post({ type: 'pull' });
      await p;
    },
    async insert() {
      const p = wait('inserted');
      post({ type: 'insert' });
      await p;
    },
    pullAtRead(n) {
      post({ type: 'pullAtRead', n });
    },
    nextPulled: () => wait('pulled'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        post({ type: 'exit' });
      } catch {
        child.kill();
      }
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    },
  };
}
