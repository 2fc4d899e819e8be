import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The Electron shell's composition, loaded for real (electron/main/main.ts) with a recording stand-in for the
 * `electron` module. The stand-in only records calls and hands back recorders: it proves the wiring (the same
 * composition root as the web host, the card process spawned as a utilityProcess, the IPC bound with its sender
 * check, the window and the session hardened), not Electron itself, whose binary cannot be fetched here.
 */

type Call = { path: string; args: unknown[] };

interface StandIn {
  module: Record<string, unknown>;
  calls: Call[];
  /** Every recorder by path (`electron.BrowserWindow#1.webContents`…), the same object on every access. */
  at(path: string): Record<string, unknown>;
  cardChildren: { entry: string; env: NodeJS.ProcessEnv; received: unknown[] }[];
  handlers(path: string): ((...a: unknown[]) => unknown)[];
}

function electronStandIn(o: { userData: string; isPackaged: boolean }): StandIn {
  const calls: Call[] = [];
  const byPath = new Map<string, object>();
  const values = new Map<string, unknown>();
  let instances = 0;
  const cardChildren: StandIn['cardChildren'] = [];

  const overrides: Record<string, unknown> = {
    'electron.app.whenReady': () => Promise.resolve(),
    'electron.app.requestSingleInstanceLock': () => true,
    'electron.app.getPath': () => o.userData,
    'electron.app.isPackaged': o.isPackaged,
    'electron.Notification.isSupported': () => false,
    // The card process: a child that says it is ready, as card/process/main.ts does, and records what it is sent.
    'electron.utilityProcess.fork': (entry: string, _args: string[], opts: { env: NodeJS.ProcessEnv }) => {
      const record = { entry, env: opts.env, received: [] as unknown[] };
      cardChildren.push(record);
      const listeners: Record<string, ((m: unknown) => void)[]> = {};
      const child = {
        pid: 4242,
        postMessage: (m: unknown) => record.received.push(m),
        on: (ev: string, cb: (m: unknown) => void) => (listeners[ev] ??= []).push(cb),
        once: (ev: string, cb: (m: unknown) => void) => (listeners[ev] ??= []).push(cb),
        kill: () => listeners.exit?.forEach((cb) => cb(0)),
      };
      setTimeout(() => listeners.message?.forEach((cb) => cb({ type: 'ready', pid: 4242 })), 10);
      return child;
    },
  };

  const recorder = (path: string): object => {
    const existing = byPath.get(path);
    if (existing) return existing;
    const proxy: object = new Proxy(function () {}, {
      get(_t, prop) {
        if (prop === Symbol.toPrimitive) return () => path;
        if (typeof prop === 'symbol' || prop === 'then') return undefined;
        const p = `${path}.${prop}`;
        if (p in overrides) return overrides[p];
        if (values.has(p)) return values.get(p);
        return recorder(p);
      },
      set(_t, prop, value) {
        values.set(`${path}.${String(prop)}`, value);
        return true;
      },
      apply(_t, _this, args) {
        calls.push({ path, args });
        return recorder(`${path}()`);
      },
      construct(_t, args) {
        const p = `${path}#${++instances}`;
        calls.push({ path: `new ${path}`, args: [...args, p] });
        return recorder(p);
      },
    });
    byPath.set(path, proxy);
    return proxy;
  };

  const root = recorder('electron') as Record<string, unknown>;
  const names = [
    'app',
    'BrowserWindow',
    'ipcMain',
    'powerMonitor',
    'session',
    'utilityProcess',
    'Menu',
    'Tray',
    'nativeImage',
    'Notification',
    'shell',
  ];
  const module: Record<string, unknown> = Object.fromEntries(names.map((n) => [n, root[n]]));
  module.default = module;
  return {
    module,
    calls,
    at: (p) => recorder(p) as Record<string, unknown>,
    cardChildren,
    handlers: (p) =>
      calls
        .filter((c) => c.path === p)
        .map((c) => c.args.find((a) => typeof a === 'function') as (...a: unknown[]) => unknown),
  };
}

// The first test imports main.ts, which loads and composes the whole core (backend client, card service, the
// demo's embedded backend): seconds on a shared 2-core machine, beyond vitest's default 5 s.
describe('the Electron shell composes the core as the web host does', { timeout: 60_000 }, () => {
  let dir: string;
  let electron: StandIn;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigie-shell-'));
    vi.resetModules();
    // A backend that does not answer (no embedded backend to start) and no private pcscd: only the wiring is under test.
    process.env.VIGIE_BACKEND_URL = 'http://127.0.0.1:9';
    process.env.VIGIE_DEMO_PCSC = '0';
    delete process.env.VIGIE_DEMO;
  });

  afterEach(async () => {
    // Quit as the app would: the shell stops the core before it exits.
    const beforeQuit = electron.calls.find(
      (c) => c.path === 'electron.app.on' && c.args[0] === 'before-quit',
    );
    (beforeQuit?.args[1] as ((e: { preventDefault(): void }) => void) | undefined)?.({ preventDefault() {} });
    await vi.waitFor(() => expect(electron.calls.some((c) => c.path === 'electron.app.quit')).toBe(true), {
      timeout: 10_000,
    });
    vi.doUnmock('electron');
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  async function loadShell(isPackaged: boolean) {
    electron = electronStandIn({ userData: dir, isPackaged });
    vi.doMock('electron', () => electron.module);
    await import('./main');
    // Ready once the IPC is bound (after the core is composed and the window made).
    await vi.waitFor(
      () => {
        expect(electron.calls.filter((c) => c.path === 'electron.ipcMain.handle').length).toBeGreaterThan(10);
        expect(electron.calls.some((c) => c.path === 'new electron.BrowserWindow')).toBe(true);
      },
      { timeout: 20_000 },
    );
    const handle = (channel: string) =>
      electron.calls.find((c) => c.path === 'electron.ipcMain.handle' && c.args[0] === channel)?.args[1] as
        | ((event: unknown, req?: unknown) => Promise<{ ok: boolean; code?: string; value?: unknown }>)
        | undefined;
    return { handle };
  }

  it('spawns the card process as a utilityProcess and the card service talks to it', async () => {
    const { handle } = await loadShell(false);
    expect(electron.cardChildren).toHaveLength(1);
    expect(electron.cardChildren[0]!.entry).toMatch(/[/\\]card-process\.mjs$/);
    // The card state comes from the supervised card process (starting until its first report), not from the
    // stand-in source a core without a card service would have ("no PC/SC service").
    const ours = ourWindowEvent();
    const state = await handle('card.getState')!(ours);
    expect(state.ok).toBe(true);
    expect((state.value as { status: string }).status).not.toBe('no-service');
    await vi.waitFor(() => expect(electron.cardChildren[0]!.received.length).toBeGreaterThan(0), {
      timeout: 10_000,
    });
  });

  it('binds every renderer-API call to IPC and refuses a sender other than its window', async () => {
    const { handle } = await loadShell(false);
    const getInfo = handle('app.getInfo');
    expect(getInfo).toBeTypeOf('function');
    const info = await getInfo!(ourWindowEvent());
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron', demo: true } });
    // Another window's frame, or our window made to show another page: refused.
    const stranger = electron.at('electron.stranger');
    expect(await getInfo!({ sender: stranger, senderFrame: stranger })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
    const win = theWindow();
    const frame = electron.at(`${win}.webContents.mainFrame`);
    frame.url = 'https://example.org/';
    expect(await getInfo!({ sender: electron.at(`${win}.webContents`), senderFrame: frame })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
  });

  it('hardens the window and the session', async () => {
    await loadShell(false);
    const made = electron.calls.filter((c) => c.path === 'new electron.BrowserWindow');
    expect(made).toHaveLength(1);
    const prefs = (made[0]!.args[0] as { webPreferences: Record<string, unknown> }).webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    expect(electron.calls.some((c) => c.path === 'electron.app.enableSandbox')).toBe(true);
    const win = theWindow();
    expect(electron.calls.some((c) => c.path === `${win}.webContents.setWindowOpenHandler`)).toBe(true);
    expect(
      electron.calls.some((c) => c.path === 'electron.app.on' && c.args[0] === 'web-contents-created'),
    ).toBe(true);
    const permission = electron.handlers('electron.session.defaultSession.setPermissionRequestHandler')[0]!;
    const answers: boolean[] = [];
    permission(null, 'geolocation', (ok: boolean) => answers.push(ok), {
      requestingUrl: 'file:///index.html',
    });
    permission(null, 'media', (ok: boolean) => answers.push(ok), { requestingUrl: 'file:///index.html' });
    expect(answers).toEqual([false, false]);
  });

  it('an installed app starts without the demo unless asked for', async () => {
    const { handle } = await loadShell(true);
    expect(await handle('app.getInfo')!(ourWindowEvent())).toMatchObject({
      ok: true,
      value: { demo: false },
    });
  });

  function theWindow(): string {
    const made = electron.calls.find((c) => c.path === 'new electron.BrowserWindow');
    return String(made!.args.at(-1));
  }

  /** A call from our window's main frame showing our page, as the preload makes it. */
  function ourWindowEvent() {
    const win = theWindow();
    const contents = electron.at(`${win}.webContents`);
    const frame = electron.at(`${win}.webContents.mainFrame`);
    frame.url = `file://${process.cwd()}/dist/renderer/index.html`;
    return { sender: contents, senderFrame: frame };
  }
});
