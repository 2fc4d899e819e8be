import { app, BrowserWindow, powerMonitor, session } from 'electron';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../core/core';
import { createFileLogger, type FileLogger } from '../core/diagnostics/logger';
import { setLinuxAutostart } from './autostart';
import { bindIpc } from './ipc';
import { preloadManifestArg } from './preload-manifest';
import { showReminder } from './notifications';
import { devToolsAllowed, HIDDEN_FLAG, isAppUrl, loginItemSettings, type ShellPolicy } from './security-policy';
import { createTray } from './tray';
import { createMainWindow, hardenContents, hardenSession } from './window';

/**
 * The Electron shell only: lifecycle, one hardened window, the tray, OS notifications, start at login, IPC binding.
 * Everything else is in the core (reminders are decided there; the shell shows them).
 */
const here = dirname(fileURLToPath(import.meta.url));
const appRoot = resolve(here, '../..');
const isDev = devToolsAllowed(process.env.NODE_ENV === 'development', app.isPackaged);
const policy: ShellPolicy = {
  rendererDir: join(appRoot, 'dist/renderer'),
  devServerOrigin: isDev ? (process.env.VIGIE_DEV_SERVER ?? null) : null,
  isDev,
};
const icon = (name: string) => join(appRoot, 'assets', name);
/** The renderer API's channels, from the one schema, handed to the preload (which carries no schema library). */
const preloadManifest = preloadManifestArg();

app.enableSandbox();
if (process.platform === 'win32') app.setAppUserModelId('fr.vigie.workstation');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let core: Core | null = null;
  let logger: FileLogger | null = null;
  let quitting = false;
  const pkg = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version: string };
  const startHidden = process.argv.includes(HIDDEN_FLAG);
  const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) =>
    logger ? logger.log(level, msg, fields) : console.error(JSON.stringify({ level, msg, ...fields }));

  const open = () => {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return;
    }
    win = createMainWindow({
      preload: join(here, 'preload.cjs'),
      indexHtml: join(policy.rendererDir, 'index.html'),
      policy,
      show: true,
      log,
      session: session.defaultSession,
      additionalArguments: [preloadManifest],
    });
    // Runs all day: closing the window keeps Vigie in the tray; "Quit" in the tray menu quits.
    win.on('close', (event) => {
      if (!quitting) {
        event.preventDefault();
        win?.hide();
      }
    });
    win.on('closed', () => (win = null));
    // Windows is shutting down or logging off: let the window close, or Vigie would hold the shutdown up.
    win.on('session-end', () => (quitting = true));
  };

  // A second launch (desktop icon clicked again) reopens the window of the running instance.
  // (Not when that launch is the login-time one, started hidden while Vigie already runs.)
  app.on('second-instance', (_event, argv) => {
    if (app.isReady() && !argv.includes(HIDDEN_FLAG)) open();
  });
  // Every webContents, including any created later, gets the same guards.
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, policy, log));

  void app.whenReady().then(async () => {
    const userData = app.getPath('userData');
    logger = await createFileLogger(userData).catch(() => null);
    hardenSession(session.defaultSession, policy, log);
    const c = createCore({
      mode: 'electron',
      userDataDir: userData,
      appVersion: pkg.version,
      versions: { electron: process.versions.electron, chrome: process.versions.chrome },
      demo: process.env.VIGIE_DEMO !== '0',
      backendUrl: process.env.VIGIE_BACKEND_URL,
      log,
      recentLog: () => logger?.recent() ?? [],
    });
    core = c;
    bindIpc(c, () => win, (url) => isAppUrl(url, policy));

    const applyLoginItem = (on: boolean) => {
      // Only an installed app registers itself; a development run would register the bare Electron binary.
      if (!app.isPackaged) return;
      if (process.platform === 'linux') setLinuxAutostart(on, process.env.APPIMAGE ?? process.execPath);
      else app.setLoginItemSettings(loginItemSettings(on));
    };
    applyLoginItem(c.settings.getWorkstationSettings().startAtLogin);

    const tray = createTray(join(appRoot, 'assets'), {
      open,
      setStartAtLogin: (on) => c.settings.updateWorkstationSettings({ startAtLogin: on }),
      quit: () => {
        quitting = true;
        app.quit();
      },
    });
    const refreshTray = () => {
      const s = c.settings.getWorkstationSettings();
      tray.update(c.workstation.reminders.list(), { language: s.language, startAtLogin: s.startAtLogin });
    };
    c.workstation.reminders.onChanged(refreshTray);
    c.settings.onChanged((s) => {
      applyLoginItem(s.startAtLogin);
      refreshTray();
    });
    c.workstation.reminders.onNotify((n) => {
      showReminder(n, c.settings.getWorkstationSettings().language, open, icon('icon.png'));
    });
    // Sleep, resume and clock changes: the scheduler decides from the wall clock; this only makes it look now.
    powerMonitor.on('resume', () => void c.workstation.reminders.wake('resume'));
    powerMonitor.on('unlock-screen', () => void c.workstation.reminders.wake('unlock-screen'));

    powerMonitor.on('shutdown', () => {
      quitting = true;
      app.quit();
    });

    try {
      await c.start();
    } catch (e) {
      // The window still opens: the core's own states (backend unreachable, card service down) say what is wrong.
      log('error', 'core failed to start', { error: e instanceof Error ? e.message : String(e) });
    }
    refreshTray();
    if (!startHidden) open();
    app.on('activate', () => open());
  });

  // Quit waits (at most 5 s) for the core to stop: card process, embedded backend, log file flushed.
  let stopped = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped || !core) return;
    event.preventDefault();
    const c = core;
    core = null;
    const atMost = (p: Promise<unknown> | undefined, ms: number) => Promise.race([p?.catch(() => undefined), new Promise((r) => setTimeout(r, ms))]);
    void atMost(c.stop(), 5000)
      .then(() => atMost(logger?.close(), 1000))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
  // The tray keeps Vigie running when its window is closed.
  app.on('window-all-closed', () => undefined);
}
