import { CardService, forkCardProcess, type CardChild } from './card-service/card-service';
import { createCore, type Core, type CoreOptions } from './core';
import { createDemo, startDemoPcsc, type DemoPcsc } from './demo';

export type { Core } from './core';

export interface ComposeOptions extends Omit<CoreOptions, 'cardSource' | 'demo'> {
  /** Demo mode: plugs in the demo module (./demo/) and, when it can run here, its private virtual reader. */
  demo?: boolean;
  /** How to start the card process: Electron passes a utilityProcess; default a Node child process. */
  spawnCard?: (env: NodeJS.ProcessEnv) => CardChild;
}

export type ComposedCore = Core & {
  /** The demo's private PC/SC service with its virtual reader, once started (null: not demo, or cannot run here). */
  demoPcsc(): DemoPcsc | null;
};

/**
 * The composition root shared by the Electron shell and the web host: the supervised card process (the one thing
 * that differs is how it is spawned), in demo mode the demo module and a private PC/SC service with the virtual
 * reader (when it can run here), and the core. It alone plugs in the demo module. Nothing starts until `start()`: the Electron shell starts it from its lifecycle, the web
 * host at once (`startCore`).
 */
export function composeCore(opts: ComposeOptions): ComposedCore {
  const log = opts.log ?? (() => {});
  let demoPcsc: DemoPcsc | null = null;
  // The card process inherits the demo's PC/SC socket, known only once the demo service has started.
  let cardEnv: NodeJS.ProcessEnv = process.env;
  const spawn = opts.spawnCard ?? forkCardProcess;
  const card = new CardService({ spawn: () => spawn(cardEnv), log });
  const demo = opts.demo ? createDemo(() => demoPcsc?.vpcdPort ?? null) : undefined;
  // In demo mode the core and its embedded backend read the demo's clock, which the demo may move forward.
  const core = createCore({ ...opts, cardSource: card, demo, ...(demo ? { now: demo.now } : {}) });
  return {
    ...core,
    demoPcsc: () => demoPcsc,
    async start() {
      if (opts.demo && process.env.VIGIE_DEMO_PCSC !== '0') {
        demoPcsc = await startDemoPcsc(log);
        cardEnv = { ...process.env, ...demoPcsc?.env };
      }
      await core.start();
    },
    async stop() {
      await core.stop();
      await demoPcsc?.stop();
    },
  };
}

/** Composes the core and starts it (the web host, tests). */
export async function startCore(opts: ComposeOptions): Promise<ComposedCore> {
  const core = composeCore(opts);
  await core.start();
  return core;
}
