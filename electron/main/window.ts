import { BrowserWindow, shell, type Session, type WebContents } from 'electron';
import {
  allowDevice,
  allowNavigation,
  allowPermission,
  allowWebview,
  isAllowedExternal,
  secureWebPreferences,
  shouldCancelRequest,
  windowOpenDecision,
  type ShellPolicy,
} from './security-policy';

type Log = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

/** Only allow-listed https pages go to the person's browser; everything else is refused and logged. */
export function openExternalSafely(url: string, log: Log): void {
  if (!isAllowedExternal(url)) {
    log('warn', 'external link refused', { scheme: url.split(':')[0] });
    return;
  }
  // Reviewed: the URL passed the allow-list just above (https, exact host, no credentials, default port).
  void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
}

/**
 * Session-wide guards: permission requests and checks denied (one exception: a sanitized clipboard write from our
 * own page, for "copy diagnostics"), device access denied, downloads refused, and every request from the renderer
 * blocked except the app's own files (the core owns the network; the renderer makes no request).
 */
export function hardenSession(ses: Session, policy: ShellPolicy, log: Log): void {
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const allowed = allowPermission(permission, details.requestingUrl, policy);
    if (!allowed) log('info', 'permission request denied', { permission });
    callback(allowed);
  });
  ses.setPermissionCheckHandler((_wc, permission, _origin, details) =>
    allowPermission(permission, details.requestingUrl ?? '', policy),
  );
  ses.setDevicePermissionHandler(() => allowDevice());
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('select-serial-port', (event, _ports, _wc, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('will-download', (event) => event.preventDefault());
  ses.webRequest.onBeforeRequest((details, callback) => {
    const cancel = shouldCancelRequest(details, policy);
    if (cancel)
      log('warn', 'renderer request blocked', {
        scheme: details.url.split(':')[0],
        resourceType: details.resourceType,
      });
    callback({ cancel });
  });
}

/** Per-window guards: no navigation away, no new windows, no webviews, no devtools outside development. */
const hardened = new WeakSet<object>();

export function hardenContents(contents: WebContents, policy: ShellPolicy, log: Log): void {
  // Installed once per webContents (web-contents-created and createMainWindow both call it): a link must not
  // open twice in the browser.
  if (hardened.has(contents)) return;
  hardened.add(contents);
  const refuse = (event: Electron.Event, url: string) => {
    if (allowNavigation()) return;
    event.preventDefault();
    // A link to an allow-listed page opens in the browser; anything else only leaves a line in the log.
    if (isAllowedExternal(url)) openExternalSafely(url, log);
    else log('warn', 'navigation refused', { scheme: url.split(':')[0] });
  };
  contents.on('will-navigate', (event) => refuse(event, event.url));
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) refuse(event, event.url);
  });
  contents.on('will-redirect', (event) => refuse(event, event.url));
  contents.on('will-attach-webview', (event) => {
    if (!allowWebview()) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const d = windowOpenDecision(url);
    if (d.openExternally) openExternalSafely(url, log);
    return { action: d.action };
  });
  if (!policy.isDev) contents.on('devtools-opened', () => contents.closeDevTools());
}

export function createMainWindow(opts: {
  preload: string;
  indexHtml: string;
  policy: ShellPolicy;
  show: boolean;
  log: Log;
  session: Session;
  /** The renderer API's channel list for the preload (preloadManifestArg). */
  additionalArguments: string[];
}) {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Vigie',
    backgroundColor: '#f5f7f9',
    // Written out here (not only in secureWebPreferences) so reviewers and Electronegativity see them at the call.
    webPreferences: {
      ...secureWebPreferences(opts.preload, opts.policy.isDev), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      disableBlinkFeatures: 'Auxclick',
      session: opts.session,
      additionalArguments: opts.additionalArguments,
    },
  });
  hardenContents(win.webContents, opts.policy, opts.log);
  win.once('ready-to-show', () => {
    if (opts.show) win.show();
  });
  void win.loadFile(opts.indexHtml);
  return win;
}
