/**
 * Demo mode, as one optional module: the « Cartes de démonstration » (virtual CPS cards in a private virtual
 * reader), the e-CPS "phone", the letters and mails of the embedded backend, and the embedded backend's demo
 * configuration (test PKI, Pro Santé Connect sandbox, demo pharmacy). Only the composition root (../index.ts)
 * plugs it in, when demo mode is asked for: nothing else in the core reaches card-sim or the demo data.
 */
import type { DemoPlug } from '../context';
import { createDemoClock } from './clock';
import { embeddedDemo } from './embedded';
import { demoHandlers } from './handlers';

export { startDemoPcsc, type DemoPcsc } from './demo-pcsc';

/** The demo plug; `vpcdPort` is the private virtual reader's port (null: no demo reader here). */
export function createDemo(vpcdPort: () => number | null): DemoPlug & { now: () => Date } {
  let stopCards: () => Promise<void> = async () => {};
  const clock = createDemoClock();
  return {
    embedded: embeddedDemo,
    now: clock.now,
    handlers(ctx) {
      const demo = demoHandlers(ctx, vpcdPort, clock);
      stopCards = demo.stop;
      return demo.handlers;
    },
    stop: () => stopCards(),
  };
}
