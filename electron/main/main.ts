import { app, BrowserWindow } from 'electron';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCore } from '../core';
import { spawnCardUtility } from './card-process';
import { bindIpc } from './ipc';
import { createMainWindow } from './window';

/** The Electron shell only: lifecycle, one hardened window, IPC binding. Everything else is in the core. */
const here = dirname(fileURLToPath(import.meta.url));
const appRoot = resolve(here, '../..');
const isDev = !app.isPackaged && process.env.NODE_ENV === 'development';

app.enableSandbox();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  const pkg = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version: string };

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
  });

  void app.whenReady().then(async () => {
    const core = await startCore({
      spawnCard: (env) => spawnCardUtility(join(here, 'card-process.mjs'), env),
      mode: 'electron',
      userDataDir: app.getPath('userData'),
      appVersion: pkg.version,
      versions: { electron: process.versions.electron, chrome: process.versions.chrome },
      demo: process.env.VIGIE_DEMO !== '0',
      backendUrl: process.env.VIGIE_BACKEND_URL,
      log: (level, msg, fields) => console.error(JSON.stringify({ level, msg, ...fields })),
    });
    bindIpc(core, () => win);
    const open = () => {
      win = createMainWindow({
        preload: join(here, 'preload.cjs'),
        indexHtml: join(appRoot, 'dist/renderer/index.html'),
        appRoot,
        isDev,
      });
      win.on('closed', () => (win = null));
    };
    open();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) open();
    });
    app.on('before-quit', () => void core.stop());
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
