import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * Security regression tests of the Electron shell, each named after the threat it stops. The Electron binary
 * cannot run here, so `electron` is replaced by a recorder (as Bitwarden's specs do): what is tested is our code,
 * the decisions (security-policy.ts) and their wiring to Electron's handlers (window.ts).
 */
const opened: string[] = [];
vi.mock('electron', () => ({
  shell: { openExternal: (url: string) => (opened.push(url), Promise.resolve()) },
  BrowserWindow: class {},
}));

const { hardenContents, hardenSession, openExternalSafely } = await import('./window');
const policyModule = await import('./security-policy');
const {
  secureWebPreferences,
  isAppUrl,
  shouldCancelRequest,
  allowPermission,
  isAllowedExternal,
  devToolsAllowed,
  loginItemSettings,
} = policyModule;

const rendererDir = resolve('/opt/Vigie/resources/app.asar/dist/renderer');
const policy = { rendererDir, isDev: false, devServerOrigin: null };
const appPage = pathToFileURL(join(rendererDir, 'index.html')).href;
const logs: { level: string; msg: string }[] = [];
const log = (level: 'info' | 'warn', msg: string) => void logs.push({ level, msg });

/** A stand-in WebContents: records the handlers window.ts installs, and lets tests fire events at them. */
class FakeContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  devtoolsClosed = 0;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
  closeDevTools() {
    this.devtoolsClosed++;
  }
  /** Fires `name` with an Electron-like event; returns whether the default action was prevented. */
  fire(name: string, fields: Record<string, unknown> = {}) {
    let prevented = false;
    this.emit(name, { ...fields, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

/** A stand-in Session: records the handlers hardenSession installs. */
class FakeSession extends EventEmitter {
  permissionRequest!: (
    wc: unknown,
    permission: string,
    cb: (ok: boolean) => void,
    details: { requestingUrl: string },
  ) => void;
  permissionCheck!: (
    wc: unknown,
    permission: string,
    origin: string,
    details: { requestingUrl?: string },
  ) => boolean;
  device!: () => boolean;
  beforeRequest!: (
    details: { url: string; resourceType?: string },
    cb: (r: { cancel: boolean }) => void,
  ) => void;
  setPermissionRequestHandler(h: FakeSession['permissionRequest']) {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheck']) {
    this.permissionCheck = h;
  }
  setDevicePermissionHandler(h: FakeSession['device']) {
    this.device = h;
  }
  webRequest = { onBeforeRequest: (h: FakeSession['beforeRequest']) => (this.beforeRequest = h) };
  request(permission: string, requestingUrl = appPage) {
    let answer: boolean | undefined;
    this.permissionRequest(null, permission, (ok) => (answer = ok), { requestingUrl });
    return answer;
  }
  blocked(url: string, resourceType = 'xhr') {
    let cancel: boolean | undefined;
    this.beforeRequest({ url, resourceType }, (r) => (cancel = r.cancel));
    return cancel;
  }
}

let contents: FakeContents;
let ses: FakeSession;
beforeEach(() => {
  opened.length = 0;
  logs.length = 0;
  contents = new FakeContents();
  ses = new FakeSession();
  hardenContents(contents as never, policy, log);
  hardenSession(ses as never, policy, log);
});

describe('the window baseline (webPreferences)', () => {
  it('isolates the renderer: context isolation, sandbox, no Node anywhere, no webview, web security on', () => {
    const prefs = secureWebPreferences('/app/preload.cjs', false);
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(prefs.enableBlinkFeatures ?? '').toBe('');
  });

  it('devtools are only available in development, never in an installed app', () => {
    expect(secureWebPreferences('/p', false).devTools).toBe(false);
    expect(devToolsAllowed(true, true)).toBe(false);
    expect(devToolsAllowed(false, false)).toBe(false);
    expect(devToolsAllowed(true, false)).toBe(true);
    contents.emit('devtools-opened');
    expect(contents.devtoolsClosed).toBe(1);
  });
});

describe('a renderer cannot navigate away', () => {
  it.each([
    'https://evil.example/phish',
    'http://127.0.0.1:8080/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'https://espacepro.ameli.fr/',
  ])('will-navigate to %s is prevented', (url) => {
    expect(contents.fire('will-navigate', { url })).toBe(true);
    expect(contents.fire('will-redirect', { url })).toBe(true);
  });

  it('a subframe cannot navigate either, and no webview can be attached', () => {
    expect(contents.fire('will-frame-navigate', { url: 'https://evil.example/', isMainFrame: false })).toBe(
      true,
    );
    expect(contents.fire('will-attach-webview')).toBe(true);
  });

  it('guards installed twice on one window still open an allowed link once', () => {
    hardenContents(contents as never, policy, log);
    contents.fire('will-navigate', { url: 'https://www.cnil.fr/' });
    expect(opened).toEqual(['https://www.cnil.fr/']);
  });

  it('a link to an allow-listed page opens in the browser instead; anything else is only logged', () => {
    contents.fire('will-navigate', { url: 'https://espacepro.ameli.fr/' });
    contents.fire('will-navigate', { url: 'https://evil.example/' });
    expect(opened).toEqual(['https://espacepro.ameli.fr/']);
    expect(logs.some((l) => l.msg === 'navigation refused')).toBe(true);
  });
});

describe('window.open is denied', () => {
  it.each(['https://evil.example/', 'about:blank', 'file:///etc/passwd', 'https://www.ameli.fr/pharmacien'])(
    'window.open(%s) makes no window',
    (url) => {
      expect(contents.openHandler!({ url })).toEqual({ action: 'deny' });
    },
  );

  it('only allow-listed https pages reach shell.openExternal', () => {
    for (const url of [
      'https://www.ameli.fr/pharmacien',
      'http://www.ameli.fr/',
      'https://www.ameli.fr.evil.example/',
      'https://evil.example/?www.ameli.fr',
      'https://user:pw@www.ameli.fr/',
      'https://www.ameli.fr:8443/',
      'file:///C:/Windows/System32/calc.exe',
      'smb://attacker/share',
      'ms-msdt:/id PCWDiagnostic',
      'javascript:alert(1)',
    ])
      contents.openHandler!({ url });
    expect(opened).toEqual(['https://www.ameli.fr/pharmacien']);
    openExternalSafely('vbscript:msgbox', log);
    expect(opened).toHaveLength(1);
    expect(isAllowedExternal('https://WWW.AMELI.FR/')).toBe(true); // hosts are case-insensitive
  });
});

describe('permission requests are denied', () => {
  it.each([
    'media',
    'geolocation',
    'notifications',
    'midi',
    'midiSysex',
    'pointerLock',
    'fullscreen',
    'openExternal',
    'clipboard-read',
    'hid',
    'serial',
    'usb',
    'display-capture',
    'idle-detection',
    'storage-access',
    'unknown',
  ])('%s is refused, by request and by check', (permission) => {
    expect(ses.request(permission)).toBe(false);
    expect(ses.permissionCheck(null, permission, 'file://', { requestingUrl: appPage })).toBe(false);
  });

  it('the one exception: our own page may write (not read) the clipboard, for "copy diagnostics"', () => {
    expect(ses.request('clipboard-sanitized-write')).toBe(true);
    expect(ses.request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(ses.request('clipboard-sanitized-write', pathToFileURL('/tmp/other.html').href)).toBe(false);
  });

  it('devices (HID, serial, USB) are never granted to the renderer; downloads are refused', () => {
    expect(ses.device()).toBe(false);
    let chosen: string | undefined;
    let prevented = false;
    ses.emit(
      'select-hid-device',
      { preventDefault: () => (prevented = true) },
      {},
      (id: string) => (chosen = id),
    );
    expect([prevented, chosen]).toEqual([true, '']);
    let downloadPrevented = false;
    ses.emit('will-download', { preventDefault: () => (downloadPrevented = true) });
    expect(downloadPrevented).toBe(true);
  });
});

describe('renderer network requests are blocked', () => {
  it.each([
    ['the backend', 'https://vigie.example.org/v1/me/status'],
    ['the embedded backend on loopback', 'http://127.0.0.1:43117/v1/me/status'],
    ['a WebSocket', 'ws://127.0.0.1:43118/'],
    ['a CDN script', 'https://cdn.example.com/lib.js'],
    ['a tracking pixel', 'https://t.example.com/p.gif'],
    ['a file outside the app', 'file:///etc/passwd'],
    [
      'a path escaping the renderer folder',
      `${pathToFileURL(rendererDir).href}/../../../../../../etc/passwd`,
    ],
    ['an encoded escape', `${pathToFileURL(rendererDir).href}/%2e%2e/%2e%2e/secret.json`],
    ['a UNC network share', 'file://attacker/share/x.js'],
    ['the devtools outside development', 'devtools://devtools/bundled/inspector.html'],
    ['a data: script', 'data:text/javascript,alert(1)'],
  ])('%s is cancelled', (_what, url) => {
    expect(ses.blocked(url, url.startsWith('data:') ? 'script' : 'xhr')).toBe(true);
  });

  it('the app’s own files and the images and fonts its CSS embeds still load', () => {
    expect(ses.blocked(appPage, 'mainFrame')).toBe(false);
    expect(ses.blocked(pathToFileURL(join(rendererDir, 'assets/index-abc.js')).href, 'script')).toBe(false);
    expect(ses.blocked('data:image/svg+xml;base64,PHN2Zz4=', 'image')).toBe(false);
    expect(ses.blocked('data:font/woff2;base64,AAAA', 'font')).toBe(false);
  });

  it('the dev server is reachable in development only', () => {
    const dev = { ...policy, isDev: true, devServerOrigin: 'http://localhost:5173' };
    expect(shouldCancelRequest({ url: 'http://localhost:5173/src/main.tsx' }, dev)).toBe(false);
    expect(shouldCancelRequest({ url: 'http://localhost:5174/' }, dev)).toBe(true);
    expect(shouldCancelRequest({ url: 'http://localhost:5173/src/main.tsx' }, policy)).toBe(true);
    expect(isAppUrl(rendererDir, policy)).toBe(false);
    expect(allowPermission('clipboard-sanitized-write', 'http://localhost:5173/', dev)).toBe(true);
  });
});

describe('starting with the computer', () => {
  it('registers hidden (tray only) when on, and unregisters when off', () => {
    expect(loginItemSettings(true)).toEqual({ openAtLogin: true, openAsHidden: true, args: ['--hidden'] });
    expect(loginItemSettings(false)).toMatchObject({ openAtLogin: false, args: [] });
  });
});
