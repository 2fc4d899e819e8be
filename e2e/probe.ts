import WebSocket from 'ws';
import type { VigieApp } from './fixtures';
import { realPart } from '../scripts/real-parts';

type Res = { ok: true; value: unknown } | { ok: false; code: string; message: string };

/**
 * Asks the running app's core one renderer-API call over its WebSocket, as the renderer would. Story specs use it
 * to find a real part missing on this machine (the demo reader, PC/SC): a skip that says why outside CI, a failure
 * in CI.
 */
export async function probe(vigie: VigieApp, channel: string, req?: unknown): Promise<Res> {
  const ws = new WebSocket(`ws://127.0.0.1:${vigie.port}/api?token=${vigie.token}`, {
    origin: `http://127.0.0.1:${vigie.port}`,
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  try {
    return await new Promise<Res>((resolve) => {
      ws.on('message', (d) => {
        const msg = JSON.parse(String(d)) as { t: string; id?: number; res?: Res };
        if (msg.t === 'result' && msg.id === 1) resolve(msg.res!);
      });
      ws.send(JSON.stringify({ t: 'call', id: 1, ch: channel, req }));
    });
  } finally {
    ws.close();
  }
}

/** The reason to skip a story, or null when every capability it needs answers. Throws in CI instead of skipping. */
export async function missing(
  vigie: VigieApp,
  needs: [channel: string, req?: unknown][],
): Promise<string | null> {
  for (const [channel, req] of needs) {
    const r = await probe(vigie, channel, req);
    if (!r.ok && (r.code === 'UNAVAILABLE' || r.code === 'READER_NONE' || r.code === 'PCSC_UNAVAILABLE')) {
      const why = `${channel} answers ${r.code} on this machine (${r.message})`;
      return realPart(false, why) ? null : why;
    }
  }
  return null;
}
