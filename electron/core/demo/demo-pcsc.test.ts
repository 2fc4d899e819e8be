import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freeVpcdPort } from './demo-pcsc';

const held: Server[] = [];
const hold = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '0.0.0.0', () => resolve());
    held.push(s);
  });
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('the demo reader’s ports', () => {
  it('a second demo on the same computer takes the next free pair: its reader would not appear on a held port', async () => {
    const first = await freeVpcdPort();
    // Another demo's virtual reader holds the pair's second port (its reader 1).
    await hold(first + 1);
    const next = await freeVpcdPort();
    expect(next).toBeGreaterThan(first);
    expect((next - first) % 2).toBe(0);
    // Both of the new pair can be listened on.
    await hold(next);
    await hold(next + 1);
  });
});
