import { BrowserWindow, session, type Session, type WebContents } from 'electron';

/** Electron's webPreferences for every Vigie window (ARCHITECTURE.md §3): the baseline, never relaxed. */
export function secureWebPreferences(preload: string, isDev: boolean): Electron.WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    spellcheck: false,
    devTools: isDev,
    navigateOnDragDrop: false,
    safeDialogs: true,
    disableBlinkFeatures: 'Auxclick',
  };
}

/**
 * Session-wide guards: permission requests and checks denied, and every request from the renderer blocked
 * except the app's own files (the core owns the network; the renderer makes no request).
 */
export function hardenSession(ses: Session, appRoot: string): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = details.url.startsWith(`file://${appRoot}`) || details.url.startsWith('devtools://');
    callback({ cancel: !allowed });
  });
}

/** Per-window guards: no navigation away, no new windows, no webviews. */
export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function createMainWindow(opts: { preload: string; indexHtml: string; appRoot: string; isDev: boolean }) {
  hardenSession(session.defaultSession, opts.appRoot);
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Vigie',
    backgroundColor: '#f5f7f9',
    webPreferences: secureWebPreferences(opts.preload, opts.isDev),
  });
  hardenContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadFile(opts.indexHtml);
  return win;
}
