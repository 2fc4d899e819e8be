/**
 * The backend unreachable from the workstation core for 10 minutes (a loopback TCP proxy between them that
 * resets every connection), on a fake clock: the core's reminder scheduler keeps the last known statuses,
 * marks them stale, retries with a growing delay (not every few seconds), and recovers on the next retry once
 * the backend is back. The backend is a real child process; the core side uses the real backend client,
 * the real status fetch (fetchFollowedStatuses), the real settings store and the BackendMonitor.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BackendClient } from '../electron/core/backend-client';
import { BackendMonitor } from '../electron/core/backend-monitor';
import { BackendLink } from '../electron/core/backend-link';
import type { SessionState } from '../domain/api/groups/session';
import { createReminderScheduler } from '../electron/core/reminders/scheduler';
import { fetchFollowedStatuses } from '../electron/core/reminders/statuses';
import { openSettings } from '../electron/core/settings/settings-store';
import { startBackendProc, type BackendProc } from './lib/backend-proc';
import { PASSWORD, seed, withDb } from './lib/data';
import { checked, figure, injected } from './lib/report';
import { scanLogsForTokens } from './lib/tokens';

class CutProxy {
  private server: Server | null = null;
  private live = new Set<Socket>();
  cut = false;
  port = 0;
  constructor(private target: number) {}
  async start() {
    this.server = createServer((s) => {
      if (this.cut) return void s.destroy();
      const up = connect(this.target, '127.0.0.1');
      this.live.add(s).add(up);
      const drop = () => {
        s.destroy();
        up.destroy();
        this.live.delete(s);
        this.live.delete(up);
      };
      s.on('error', drop).on('close', drop);
      up.on('error', drop).on('close', drop);
      s.pipe(up).pipe(s);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }
  down() {
    this.cut = true;
    for (const s of this.live) s.destroy();
    this.live.clear();
  }
  up() {
    this.cut = false;
  }
  close() {
    this.down();
    return new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

describe('backend unreachable from the core for 10 minutes', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-faults-core-'));
  let proc: BackendProc | undefined;
  let proxy: CutProxy | undefined;
  afterAll(async () => {
    vi.useRealTimers();
    await proxy?.close();
    await proc?.kill();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps the last known status, marks it stale, retries with backoff, and recovers', async () => {
    const database = `pglite:${join(tmp, 'db')}`;
    const s = await withDb(database, (db) => seed(db, 3, 'poste'));
    proc = await startBackendProc({ database }, join(tmp, 'backend.log'));
    proxy = new CutProxy(Number(new URL(proc.url).port));
    await proxy.start();
    const baseUrl = `http://127.0.0.1:${proxy.port}`;
    const coreLog: string[] = [];
    const client = new BackendClient({
      baseUrl,
      workstation: { id: randomUUID(), label: 'Comptoir faute' },
      appVersion: '0.1.0-faults',
      timeoutMs: 5000,
      log: (e) => coreLog.push(JSON.stringify(e)),
    });
    const signed = await client.call('signInPassword', {
      body: { identifier: s.identifiers[0]!, password: PASSWORD },
    });
    expect(signed.ok).toBe(true);
    const token = signed.ok && 'token' in signed.value ? signed.value.token : '';

    let fake = Date.now();
    const now = () => new Date(fake);
    const settings = openSettings(join(tmp, 'settings'), { now });
    const link = new BackendLink();
    link.connect(client, null, () => ({ mode: 'remote', reachable: true }));
    const holder = { kind: 'holder', accountId: s.holderId } as SessionState['user'];
    const attempts: { at: number; ok: boolean }[] = [];
    let pending = 0;
    const scheduler = createReminderScheduler({
      settings,
      now,
      staleAfterMs: 5 * 60_000,
      log: (level, msg, data) => coreLog.push(JSON.stringify({ level, msg, data })),
      fetchStatuses: async (followed) => {
        pending++;
        try {
          const r = await fetchFollowedStatuses(
            link,
            () => holder,
            followed,
            () => undefined,
          );
          attempts.push({ at: fake, ok: true });
          return r;
        } catch (e) {
          attempts.push({ at: fake, ok: false });
          throw e;
        } finally {
          pending--;
        }
      },
    });
    const monitor = new BackendMonitor({
      baseUrl,
      mode: 'remote',
      now,
      onChange: () => undefined,
      timeoutMs: 2000,
    });

    const realSetTimeout = globalThis.setTimeout;
    const realSleep = (ms: number) => new Promise((r) => realSetTimeout(r, ms));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Advance the fake clock and timers together, letting real I/O (HTTP through the proxy) complete.
    const run = async (ms: number, step = 5000) => {
      for (let t = 0; t < ms; t += step) {
        fake += step;
        await vi.advanceTimersByTimeAsync(step);
        // Real I/O (the HTTP call through the proxy) completes before fake time moves on.
        await realSleep(1);
        for (let i = 0; pending > 0 && i < 5000; i++) await realSleep(2);
      }
    };
    await scheduler.start();
    expect((await monitor.check()).reachable).toBe(true);
    const before = settings.get('reminders').accounts;
    expect(before.map((a) => a.accountId).sort()).toEqual([...s.accountIds].sort());
    expect(scheduler.list().every((r) => !r.stale)).toBe(true);
    checked(`before: ${before.length} account statuses known, none stale, backend reachable`);

    proxy.down();
    const cutIndex = attempts.length;
    await scheduler.wake('network change'); // look at once, as the shell does on a network change
    await run(10 * 60_000);
    injected('every connection from the core to the backend reset for 10 minutes (fake clock, 5 s steps)');
    const during = attempts.slice(cutIndex);
    const gaps = during.slice(1).map((a, i) => (a.at - during[i]!.at) / 60_000);
    figure('refresh attempts during the 10 min outage', during.length);
    figure('minutes between attempts', gaps.map((g) => g.toFixed(1)).join(', '));
    const monitorDown = await monitor.check();
    const state = settings.get('reminders');
    const list = scheduler.list();
    expect(during.every((a) => !a.ok)).toBe(true);
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(during.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!);
    expect(gaps[gaps.length - 1]!).toBeGreaterThanOrEqual(3.9);
    expect(state.accounts).toEqual(before);
    expect(state.refreshFailing).toBe(true);
    expect(state.refreshFailure).toBe('unreachable');
    expect(list.length).toBe(before.length);
    expect(list.every((r) => r.stale)).toBe(true);
    expect(monitorDown.reachable).toBe(false);
    checked(
      `during: last known statuses kept (${state.accounts.length}), all marked stale, ${during.length} retries with growing gaps, monitor says unreachable`,
    );

    proxy.up();
    const upAt = fake;
    await run(10 * 60_000);
    const after = attempts.filter((a) => a.at >= upAt);
    figure(
      'attempts after the backend is back (min, ok)',
      after.map((a) => `${((a.at - upAt) / 60_000).toFixed(1)} ${a.ok}`).join('; '),
    );
    injected('connections allowed again');
    expect(after.some((a) => a.ok)).toBe(true);
    const recoveredIn = (after.find((a) => a.ok)!.at - upAt) / 60_000;
    figure('minutes from the backend back to fresh statuses (next backoff slot)', recoveredIn);
    expect(recoveredIn).toBeLessThanOrEqual(8.1);
    expect(settings.get('reminders').refreshFailing).toBe(false);
    expect(scheduler.list().every((r) => !r.stale)).toBe(true);
    expect((await monitor.check()).reachable).toBe(true);
    checked('after: fresh statuses, nothing stale, monitor reachable; no restart of anything');
    scheduler.stop();
    vi.useRealTimers();
    expect(scanLogsForTokens([], [token], [...coreLog, proc.output()])).toEqual([]);
    checked(`the session token is in none of the core's ${coreLog.length} log entries nor the backend's log`);
  });
});
