/**
 * The supervisor and the real card process, without any PC/SC service (the socket points nowhere): what the
 * app shows then, and how the supervisor keeps the card process alive. The pcscd-backed behaviour is in
 * card-service.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardService } from './card-service';

describe('card service without PC/SC', () => {
  let svc: CardService;
  const logs: string[] = [];

  beforeAll(async () => {
    svc = new CardService({
      env: {
        ...process.env,
        PCSCLITE_CSOCK_NAME: '/nonexistent/vigie/pcscd.comm',
        VIGIE_CARD_TEST_HOOKS: '1',
      },
      pingIntervalMs: 300,
      pingTimeoutMs: 1500,
      log: (_l, m) => logs.push(m),
    });
    await svc.start();
  }, 30_000);

  afterAll(async () => {
    await svc.stop();
  });

  it('reports "no PC/SC service", and card requests say so with a stable code', async () => {
    await svc.waitForState((s) => s.status === 'no-service');
    expect(await svc.readHolder()).toMatchObject({ ok: false, code: 'PCSC_UNAVAILABLE' });
    expect(await svc.getPinTriesLeft()).toMatchObject({ ok: false, code: 'PCSC_UNAVAILABLE' });
  });

  it('checks the PIN and PUK format before anything crosses to the card process', async () => {
    expect(await svc.verifyPinAndSign('12', new Uint8Array(32))).toMatchObject({
      ok: false,
      code: 'CARD_PIN_FORMAT',
    });
    expect(await svc.unblockPin('1234', '1234')).toMatchObject({ ok: false, code: 'CARD_PIN_FORMAT' });
  });

  it('a request already cancelled is answered CANCELLED', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await svc.readHolder({ signal: ac.signal })).toMatchObject({ ok: false, code: 'CANCELLED' });
  });

  it('restarts the card process when it crashes, and when it hangs', async () => {
    const pid = svc.pid;
    svc.debug('crash');
    await svc.waitForState((s) => s.status === 'starting');
    await svc.waitForState((s) => s.status === 'no-service', 20_000);
    expect(svc.pid).not.toBe(pid);
    const pid2 = svc.pid;
    svc.debug('hang');
    // A request sent to a hung process is answered, not left hanging: CARD_PROCESS_DOWN once it is replaced.
    expect(await svc.getPinTriesLeft()).toMatchObject({ ok: false, code: 'CARD_PROCESS_DOWN' });
    await svc.waitForState((s) => s.status === 'no-service', 20_000);
    expect(svc.pid).not.toBe(pid2);
    expect(svc.restartCount).toBe(2);
    expect(logs.filter((m) => m.includes('restarting'))).toHaveLength(2);
  }, 60_000);
});

describe('card service whose process cannot start', () => {
  it('does not hold the app: start() returns, the state turns to "error", requests fail with a code', async () => {
    const svc = new CardService({
      env: { ...process.env, NODE_OPTIONS: '--require /nonexistent/vigie-broken.js' },
      startTimeoutMs: 1500,
    });
    const t0 = Date.now();
    await svc.start();
    expect(Date.now() - t0).toBeLessThan(5000);
    await svc.waitForState((s) => s.status === 'error', 20_000);
    expect(await svc.request({ op: 'ping' }, 500)).toMatchObject({
      ok: false,
      code: expect.stringMatching(/CARD_TIMEOUT|CARD_PROCESS_DOWN/),
    });
    await svc.stop();
  }, 40_000);
});
