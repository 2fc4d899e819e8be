/**
 * A virtual CPS card (card-sim) in its own process, plugged into vpcd, that holds its answer to one kind of
 * command (by INS) for `holdMs`: it writes `marker` first, so the test knows the command is in the card and can
 * kill pcscd right then. Otherwise it behaves like card-sim/vpcd/child.ts (stays in, reconnects when pcscd
 * comes back). Argument: JSON { holder, profile, holdIns, holdMs, marker }.
 */
import { writeFileSync } from 'node:fs';
import { makeCard, type MakeCardOptions } from '../../card-sim/cards/make';
import type { VirtualCard } from '../../card-sim/cards/types';
import { plugIntoVpcd, vpcdHost, vpcdPort } from '../../card-sim/vpcd/client';

interface Options extends MakeCardOptions {
  holdIns: number[];
  holdMs: number;
  marker: string;
}

const o = JSON.parse(process.argv[2] ?? '{}') as Options;
const card = await makeCard(o);
let held = false;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const slow: VirtualCard = {
  name: card.name,
  atr: card.atr,
  reset: () => card.reset(),
  process(apdu) {
    if (!held && o.holdIns.includes(apdu[1]!)) {
      held = true;
      writeFileSync(o.marker, String(Date.now()));
      Atomics.wait(sleeper, 0, 0, o.holdMs); // the card "thinks": this process answers nothing meanwhile
    }
    return card.process(apdu);
  },
};

// Writing the late answer to a socket pcscd already closed is expected here.
process.on('uncaughtException', () => undefined);

let first = true;
for (;;) {
  try {
    const link = await plugIntoVpcd(slow, { host: vpcdHost(), port: vpcdPort(0) });
    if (first) process.send?.({ type: 'inserted' });
    first = false;
    await link.closed;
  } catch {
    /* pcscd not there (yet) */
  }
  await new Promise((r) => setTimeout(r, 100));
}
