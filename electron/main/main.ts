import { app, BrowserWindow, powerMonitor, session } from 'electron';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeCore } from '../core';
import { spawnCardUtility } from './card-process';
import { createFileLogger, type FileLogger } from '../core/diagnostics/logger';
import { setLinuxAutostart } from './autostart';
import { bindIpc } from './ipc';
import { preloadManifestArg } from './preload-manifest';
import { showReminder } from './notifications';
import {
  demoWanted,
  devToolsAllowed,
  isAppUrl,
  loginItemSettings,
  type ShellPolicy,
} from './security-policy';
import { createShellController, type ShellController } from './shell-controller';
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
  let shell: ShellController | null = null;
  let logger: FileLogger | null = null;
  const pkg = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version: string };
  const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) =>
    logger ? logger.log(level, msg, fields) : console.error(JSON.stringify({ level, msg, ...fields }));

  app.on('second-instance', (_event, argv) => shell?.onSecondInstance(argv));
  // Every webContents, including any created later, gets the same guards.
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, policy, log));
  // Until the shell is ready, quitting is immediate; then it waits for the core to stop.
  app.on('before-quit', (event) => shell?.onBeforeQuit(event));
  // The tray keeps Vigie running when its window is closed.
  app.on('window-all-closed', () => undefined);

  void app.whenReady().then(async () => {
    const userData = app.getPath('userData');
    logger = await createFileLogger(userData).catch(() => null);
    hardenSession(session.defaultSession, policy, log);
    // The same composition root as the web host: the card service, its card process as a utilityProcess (the
    // bundled card/process/main.ts), and in demo mode the private virtual reader.
    const core = composeCore({
      mode: 'electron',
      userDataDir: userData,
      appVersion: pkg.version,
      versions: { electron: process.versions.electron, chrome: process.versions.chrome },
      demo: demoWanted(process.env.VIGIE_DEMO, app.isPackaged),
      backendUrl: process.env.VIGIE_BACKEND_URL,
      log,
      recentLog: () => logger?.recent() ?? [],
      spawnCard: (env) => spawnCardUtility(join(here, 'card-process.mjs'), env),
    });

    const tray = createTray(join(appRoot, 'assets'), {
      open: () => shell?.open(),
      setStartAtLogin: (on) => core.settings.updateWorkstationSettings({ startAtLogin: on }),
      quit: () => shell?.quit(),
    });
    const s = createShellController({
      core,
      createWindow: () =>
        createMainWindow({
          preload: join(here, 'preload.cjs'),
          indexHtml: join(policy.rendererDir, 'index.html'),
          policy,
          show: true,
          log,
          session: session.defaultSession,
          additionalArguments: [preloadManifest],
        }),
      tray,
      notify: (n, language, onClick) => void showReminder(n, language, onClick, icon('icon.png')),
      applyLoginItem: (on) => {
        // Only an installed app registers itself; a development run would register the bare Electron binary.
        if (!app.isPackaged) return;
        if (process.platform === 'linux') setLinuxAutostart(on, process.env.APPIMAGE ?? process.execPath);
        else app.setLoginItemSettings(loginItemSettings(on));
      },
      quitApp: () => app.quit(),
      closeLog: () => logger?.close() ?? Promise.resolve(),
      log,
    });
    shell = s;
    bindIpc(
      core,
      () => s.window() as BrowserWindow | null,
      (url) => isAppUrl(url, policy),
    );
    // Sleep, resume and clock changes: the scheduler decides from the wall clock; this only makes it look now.
    powerMonitor.on('resume', () => s.onWake('resume'));
    powerMonitor.on('unlock-screen', () => s.onWake('unlock-screen'));
    powerMonitor.on('shutdown', () => s.onShutdown());
    app.on('activate', () => s.open());
    await s.ready(process.argv);
  });
}
