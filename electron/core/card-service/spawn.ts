/**
 * How the card process (card/process/main.ts) is started in Node (browser mode, tests), and the environment it
 * gets whichever way it is spawned (Electron: ../../main/card-process.ts). The supervisor is ./card-service.ts.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ToCard } from '../../../card/process/protocol';

export const CARD_PROCESS_ENTRY = fileURLToPath(new URL('../../../card/process/main.ts', import.meta.url));

/** What the service needs of a child: Node's ChildProcess and Electron's UtilityProcess both fit (adapted). */
export interface CardChild {
  readonly pid: number | undefined;
  send(m: ToCard): void;
  onMessage(cb: (m: unknown) => void): void;
  onExit(cb: (code: number | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * The card process's environment, whichever way it is spawned. Its libuv thread pool has two threads: the
 * reader monitor keeps one blocked in SCardGetStatusChange, and the card operations, which the engine runs one
 * at a time, get the other, so every SCardTransmit of an operation runs on the same warm thread. With Node's
 * default of four, each APDU went to whichever idle thread libuv woke next, often cold or on the other core:
 * the same APDUs sent raw from one process took about a fifth longer with four threads than with one.
 * No more than two calls ever block at once (the monitor's wait and the operation's exchange).
 */
export function cardProcessEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, UV_THREADPOOL_SIZE: '2' };
}

/** Node: fork the TypeScript entry through tsx (browser mode and tests). */
export function forkCardProcess(env: NodeJS.ProcessEnv = process.env): CardChild {
  const child = fork(CARD_PROCESS_ENTRY, [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    env: cardProcessEnv(env),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (cb) => child.on('message', cb),
    onExit: (cb) => child.once('exit', (code) => cb(code)),
    kill: (s) => child.kill(s),
  };
}
