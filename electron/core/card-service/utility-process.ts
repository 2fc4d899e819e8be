import type { ToCard } from '../../../card/process/protocol';
import type { CardChild } from './card-service';

/** The part of Electron's UtilityProcess the card service uses (typed here, so that core never imports electron). */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** Adapts an Electron utility process running card/process/main to the card service's child interface. */
export function fromUtilityProcess(p: UtilityProcessLike): CardChild {
  return {
    get pid() {
      return p.pid;
    },
    send: (m: ToCard) => p.postMessage(m),
    onMessage: (cb) => p.on('message', cb),
    onExit: (cb) => p.once('exit', (code) => cb(code)),
    kill: () => void p.kill(),
  };
}
