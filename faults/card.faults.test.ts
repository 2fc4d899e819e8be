/**
 * Card faults through the real stack (a private pcscd + vpcd, virtual cards in child processes, the card
 * process and its supervisor, as in electron/core/card-service/card-service.int.test.ts):
 *  - pcscd killed while the card is working on a PIN VERIFY, and while it computes a signature;
 *  - the card process killed with SIGKILL.
 * Each time: the call ends with a coded error (no hang), the state says so, and the card is usable again
 * without restarting anything else.
 * Already covered in card-service.int.test.ts (not repeated here): the card pulled in the middle of a READ
 * BINARY ("pulling the card in the middle of a READ BINARY gives a clean CARD_REMOVED…"), pcscd killed while
 * idle, the card process crashing or hanging (debug hooks), no reader. Random card answers: card/tlv.test.ts
 * and card/profiles/*.test.ts (recorded APDUs) — see RELIABILITY.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CardState } from '../domain/card';
import { pcscd } from '../card-sim/testing/pcscd';
import { startVirtualCard, type VirtualCardProcess } from '../card-sim/vpcd/spawn';
import type { CardService as CardServiceT } from '../electron/core/card-service/card-service';
import { checked, figure, injected, until } from './lib/report';

const env = inject('faultsPcsc');
if (env.skip) console.warn(`[faults] card cases skipped: ${env.skip}`);

const slowCardPath = fileURLToPath(new URL('./lib/slow-card.ts', import.meta.url));
const challenge = () => new Uint8Array(Array.from({ length: 32 }, (_, i) => (i * 31 + Date.now()) & 0xff));
const present = (s: CardState) =>
  s.status === 'present' && !!s.readers.find((r) => r.name === s.activeReader)?.card?.holder;

describe.skipIf(!!env.skip)('card faults', () => {
  let svc: CardServiceT;
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-faults-card-'));
  const children: ChildProcess[] = [];
  const cards: VirtualCardProcess[] = [];

  beforeAll(async () => {
    // This file's pcscd (faults/lib/global-setup.ts), for the helpers, the card process and the virtual cards.
    process.env.VIGIE_PCSCD_DIR = env.dir;
    process.env.VIGIE_VPCD_PORT = env.port;
    process.env.PCSCLITE_CSOCK_NAME = env.sock;
    const { CardService } = await import('../electron/core/card-service/card-service');
    svc = new CardService({ env: { ...process.env }, pingIntervalMs: 500, pingTimeoutMs: 2000 });
    await svc.start();
    await svc.waitForState((s) => s.status === 'empty', 20_000);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await Promise.all(cards.splice(0).map((c) => c.stop()));
    await pcscd.start(); // in case a case failed with pcscd down
    await svc.waitForState((s) => s.status === 'empty' || s.status === 'no-reader', 20_000);
  });
  afterAll(async () => {
    await svc?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const slowCard = async (holdIns: number[], marker: string, profile: 'cps3' | 'cps4' = 'cps3') => {
    const child = fork(
      slowCardPath,
      [JSON.stringify({ holder: 'Claire MARTIN', profile, holdIns, holdMs: 4000, marker })],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('slow card not inserted in 20 s')), 20_000);
      child.once('message', () => (clearTimeout(t), resolve()));
    });
    await svc.waitForState(present, 20_000);
  };

  for (const c of [
    { what: 'a PIN verification (VERIFY)', ins: [0x20], profile: 'cps3' as const },
    { what: 'a signature (INTERNAL AUTHENTICATE, CPS3)', ins: [0x88], profile: 'cps3' as const },
    { what: 'a signature (PSO COMPUTE DIGITAL SIGNATURE, CPS4)', ins: [0x2a], profile: 'cps4' as const },
  ]) {
    it(`pcscd killed during ${c.what}: a coded error, "no PC/SC service", then the card is back and signs`, async () => {
      const marker = join(tmp, `held-${c.ins[0]}-${c.profile}`);
      await slowCard(c.ins, marker, c.profile);
      const pid = svc.pid;
      const restarts = svc.restartCount;
      const t0 = performance.now();
      const call = svc.verifyPinAndSign('1234', challenge());
      await until(() => existsSync(marker), 15_000, `the card to receive ${c.what}`);
      await pcscd.kill();
      injected(
        `pcscd killed (SIGKILL) while the ${c.profile.toUpperCase()} card held its answer to ${c.what}`,
      );
      const r = await call;
      const ms = performance.now() - t0;
      figure(`${c.what}: answer`, `${JSON.stringify(r).slice(0, 80)} after ${Math.round(ms)} ms`);
      expect(r.ok).toBe(false);
      expect(['PCSC_UNAVAILABLE', 'READER_GONE', 'CARD_REMOVED', 'CARD_RESET', 'CARD_ABSENT']).toContain(
        (r as { code: string }).code,
      );
      await svc.waitForState(
        (s) => s.status === 'no-service' || s.status === 'no-reader' || s.status === 'empty',
        15_000,
      );
      const down = svc.getState().status;
      await pcscd.start();
      await svc.waitForState(present, 30_000);
      expect(svc.pid).toBe(pid);
      expect(svc.restartCount).toBe(restarts);
      const again = await svc.verifyPinAndSign('1234', challenge());
      expect(again.ok).toBe(true);
      expect(svc.getState().pinTriesLeft).toBe(3);
      checked(
        `state "${down}" while pcscd was down; back to "present" with the same card process (pid ${pid}, no restart); PIN tries 3; the next signature works`,
      );
    });
  }

  it('the card process killed with SIGKILL: the supervisor restarts it and the card is back', async () => {
    cards.push(await startVirtualCard({ holder: 'Julien PETIT' }));
    await svc.waitForState(present, 20_000);
    const pid = svc.pid!;
    const restarts = svc.restartCount;
    const t0 = performance.now();
    process.kill(pid, 'SIGKILL');
    injected(`card process (pid ${pid}) killed with SIGKILL`);
    await svc
      .waitForState((s) => s.status === 'starting' || s.status === 'error', 10_000)
      .catch(() => undefined);
    await svc.waitForState(present, 30_000);
    figure('card process SIGKILL → card present again (ms)', performance.now() - t0);
    expect(svc.pid).not.toBe(pid);
    expect(svc.restartCount).toBe(restarts + 1);
    expect((await svc.verifyPinAndSign('1234', challenge())).ok).toBe(true);
    checked(`restarted once (new pid ${svc.pid}), card present, a signature works`);
  });
});
