/**
 * A virtual card kept in a vpcd reader, in its own process. Argument: a JSON ChildOptions.
 * The card stays in (reconnecting if pcscd goes away and comes back) until told to pull it out.
 * With an IPC channel it obeys { type: 'pull' | 'insert' | 'exit' } and reports { type: 'inserted' | 'pulled' }.
 * Without one (the CLI's detached card), it writes its status file and leaves on SIGTERM.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { makeCard, type MakeCardOptions } from '../cards/make';
import { plugIntoVpcd, vpcdHost, vpcdPort, type VpcdLink } from './client';

export interface ChildOptions extends MakeCardOptions {
  reader?: number;
  host?: string;
  port?: number;
  /** Pull the card out when the n-th READ BINARY arrives (instead of answering it). Once. */
  pullAtRead?: number;
  statusFile?: string;
}

export type ChildMessage =
  { type: 'inserted' } | { type: 'pulled'; byCard: boolean } | { type: 'error'; message: string };
export type ParentMessage =
  { type: 'pull' } | { type: 'insert' } | { type: 'exit' } | { type: 'pullAtRead'; n: number };

const o = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const card = await makeCard(o);
const send = (m: ChildMessage) => process.send?.(m);
let wanted = true;
let link: VpcdLink | undefined;
let reads = 0;
let pullAtRead = o.pullAtRead;

async function keepInserted() {
  while (wanted) {
    try {
      link = await plugIntoVpcd(card, {
        host: o.host ?? vpcdHost(),
        port: o.port ?? vpcdPort(o.reader ?? 0),
        onApdu: (apdu) => {
          if (apdu[1] === 0xb0 && pullAtRead !== undefined && ++reads >= pullAtRead) {
            pullAtRead = undefined;
            wanted = false;
            return 'pull';
          }
        },
      });
    } catch {
      await new Promise((r) => setTimeout(r, 100)); // pcscd not there (yet): a real card would just wait.
      continue;
    }
    if (o.statusFile)
      writeFileSync(o.statusFile, JSON.stringify({ pid: process.pid, card: card.name, ...o }));
    send({ type: 'inserted' });
    await link.closed;
    link = undefined;
    send({ type: 'pulled', byCard: !wanted });
    if (wanted) await new Promise((r) => setTimeout(r, 50));
  }
}

let loop = keepInserted();

process.on('message', (m: ParentMessage) => {
  if (m.type === 'pull') {
    wanted = false;
    if (link) link.pull();
    else send({ type: 'pulled', byCard: false });
  } else if (m.type === 'insert') {
    if (!wanted) {
      wanted = true;
      reads = 0;
      loop = loop.then(keepInserted);
    }
  } else if (m.type === 'pullAtRead') {
    reads = 0;
    pullAtRead = m.n;
  } else if (m.type === 'exit') {
    wanted = false;
    link?.pull();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  wanted = false;
  link?.pull();
  if (o.statusFile) rmSync(o.statusFile, { force: true });
  setTimeout(() => process.exit(0), 20);
});
