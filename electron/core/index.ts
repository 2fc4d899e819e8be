import { CardService, type CardChild } from './card-service/card-service';
import { createCore, type Core, type CoreOptions } from './core';
import { startDemoPcsc, type DemoPcsc } from './demo/demo-pcsc';

export type { Core } from './core';

/**
 * The composition root shared by the Electron shell and the web host: in demo mode a private PC/SC service with
 * the virtual reader (when it can run here), the supervised card process, then the core, started.
 */
export async function startCore(
  opts: Omit<CoreOptions, 'cardSource'> & {
    /** How to start the card process: Electron passes a utilityProcess; default a Node child process. */
    spawnCard?: (env: NodeJS.ProcessEnv) => CardChild;
  },
): Promise<Core & { demoPcsc: DemoPcsc | null }> {
  const log = opts.log ?? (() => {});
  const demoPcsc = opts.demo && process.env.VIGIE_DEMO_PCSC !== '0' ? await startDemoPcsc(log) : null;
  const env = { ...process.env, ...demoPcsc?.env };
  const spawnCard = opts.spawnCard;
  const card = new CardService({ env, ...(spawnCard ? { spawn: () => spawnCard(env) } : {}) });
  const core = createCore({ ...opts, cardSource: card, ...(demoPcsc ? { demoVpcdPort: demoPcsc.vpcdPort } : {}) });
  await core.start();
  const stop = core.stop.bind(core);
  return Object.assign(core, {
    demoPcsc,
    async stop() {
      await stop();
      await demoPcsc?.stop();
    },
  });
}
