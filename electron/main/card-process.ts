import { utilityProcess } from 'electron';
import { cardProcessEnv, type CardChild } from '../core/card-service/card-service';

/** The card process as an Electron utilityProcess (the bundled card/process/main.ts), adapted to the supervisor. */
export function spawnCardUtility(entry: string, env: NodeJS.ProcessEnv): CardChild {
  const child = utilityProcess.fork(entry, [], {
    env: cardProcessEnv(env),
    serviceName: 'Vigie card service',
    stdio: 'inherit',
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => child.postMessage(m),
    onMessage: (cb) => child.on('message', cb),
    onExit: (cb) => child.once('exit', (code) => cb(code)),
    kill: () => void child.kill(),
  };
}
