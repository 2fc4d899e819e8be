/**
 * Vitest global setup of the card-pcsc project: starts a private pcscd with the vpcd virtual reader on free
 * ports, points the test workers at it (PCSCLITE_CSOCK_NAME, VIGIE_VPCD_PORT), and stops it afterwards.
 * Where that is impossible (not root, pcscd or vpcd missing), it says why and the tests skip themselves.
 */
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';
import { loadTestPki } from '../pki';
import { pcscd, pcscdUnavailable } from './pcscd';

declare module 'vitest' {
  export interface ProvidedContext {
    pcscSkip: string;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 36000 + Math.floor(Math.random() * 10000) * 2;
    if ((await portFree(p)) && (await portFree(p + 1))) return p;
  }
  throw new Error('no free TCP port pair for vpcd');
}

export default async function setup(project: TestProject) {
  const why = await pcscdUnavailable();
  if (why) {
    // In CI a missing real part is a failure that says what is missing, never a skip.
    if (process.env.CI && process.env.CI !== 'false')
      throw new Error(`CI: the PC/SC integration tests cannot run: ${why}`);
    console.warn(`\n[card-pcsc] SKIPPING the PC/SC integration tests: ${why}\n`);
    project.provide('pcscSkip', why);
    return;
  }
  await loadTestPki(); // generate the test PKI once, before the cards need it
  const port = await freePortPair();
  const dir = `/run/vigie-pcscd-test-${process.pid}`;
  process.env.VIGIE_PCSCD_DIR = dir;
  process.env.VIGIE_VPCD_PORT = String(port);
  process.env.PCSCLITE_CSOCK_NAME = `${dir}/pcscd.comm`;
  await pcscd.start();
  project.provide('pcscSkip', '');
  return async () => {
    await pcscd.stop();
  };
}
