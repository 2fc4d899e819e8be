/**
 * `npm run bench -- ipc`: a renderer-API round trip over the web host (token-checked WebSocket, schema
 * validation both ways, the core's handler) against a bare WebSocket echo on the same machine, same run.
 * Target: the API round trip costs at most 3× the bare echo (median).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { createCore } from '../electron/core/core';
import { startWebHost } from '../electron/web-host/server';
import { report, sample, summarize } from './lib';

const N = 3000;

async function open(url: string, origin?: string): Promise<WebSocket> {
  const ws = new WebSocket(url, origin ? { origin } : {});
  await new Promise((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  return ws;
}

function roundTrip(ws: WebSocket, text: string): Promise<void> {
  return new Promise((res) => {
    ws.once('message', () => res());
    ws.send(text);
  });
}

export default async function ipcBench(): Promise<boolean> {
  // baseline: a bare echo
  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  echo.on('connection', (s) => s.on('message', (d) => s.send(d)));
  await new Promise((r) => echo.once('listening', r));
  const echoPort = (echo.address() as { port: number }).port;
  const echoWs = await open(`ws://127.0.0.1:${echoPort}`);
  const msg = JSON.stringify({ t: 'call', id: 1, ch: 'app.getInfo' });
  const baseline = summarize(await sample(N, () => roundTrip(echoWs, msg), 200));

  // the renderer API over the web host
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-ipc-'));
  const core = createCore({ mode: 'browser', userDataDir: dir, appVersion: 'bench' });
  await core.start();
  const host = await startWebHost({ core, rendererDir: join(dir, 'none') });
  const apiWs = await open(
    `ws://127.0.0.1:${host.port}/api?token=${host.token}`,
    `http://127.0.0.1:${host.port}`,
  );
  let id = 0;
  const api = summarize(
    await sample(N, () => roundTrip(apiWs, JSON.stringify({ t: 'call', id: ++id, ch: 'app.getInfo' })), 200),
  );

  console.log(
    `bare WebSocket echo : p50 ${baseline.p50.toFixed(3)} ms, p99 ${baseline.p99.toFixed(3)} ms (n=${N})`,
  );
  console.log(`renderer API (web)  : p50 ${api.p50.toFixed(3)} ms, p99 ${api.p99.toFixed(3)} ms (n=${N})`);

  apiWs.close();
  echoWs.close();
  await host.close();
  await core.stop();
  echo.close();
  rmSync(dir, { recursive: true, force: true });

  return report(
    'ipc',
    { api_p50_ms: api.p50, api_p99_ms: api.p99, echo_p50_ms: baseline.p50, echo_p99_ms: baseline.p99, n: N },
    api.p50 / baseline.p50,
    '<=',
    3,
  );
}
