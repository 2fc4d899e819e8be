import type { WebPreferences } from 'electron';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shell's security decisions as pure functions (no `electron` import), so each one has a regression test
 * named after the threat it stops (window.security.test.ts) even where the Electron binary cannot run.
 * window.ts wires them to Electron's handlers.
 */

/** Electron's webPreferences for every Vigie window (ARCHITECTURE.md §3): the baseline, never relaxed. */
export function secureWebPreferences(preload: string, isDev: boolean): WebPreferences {
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
    enableBlinkFeatures: '',
    spellcheck: false,
    devTools: isDev,
    navigateOnDragDrop: false,
    safeDialogs: true,
    disableBlinkFeatures: 'Auxclick',
  };
}

export interface ShellPolicy {
  /** The folder of the built renderer (dist/renderer): the only files a window may load. */
  rendererDir: string;
  /** Development only: the Vite dev server's origin, e.g. http://localhost:5173. */
  devServerOrigin?: string | null;
  isDev: boolean;
}

/** Pages the app may show: the built renderer's files (no path escaping it), or the dev server in development. */
export function isAppUrl(raw: string, p: ShellPolicy): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'file:') {
    if (url.host !== '') return false; // file://server/share: a network path
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch {
      return false;
    }
    const rel = relative(resolve(p.rendererDir), resolve(path));
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  }
  if (p.isDev && p.devServerOrigin) return url.origin === new URL(p.devServerOrigin).origin;
  return false;
}

/**
 * Every request of the renderer's session. The core owns the network: the renderer may load its own files and
 * nothing else (no backend, no CDN, no tracking pixel, no WebSocket), plus `data:` images and fonts its CSS
 * embeds, and the devtools in development.
 */
export function shouldCancelRequest(
  details: { url: string; resourceType?: string },
  p: ShellPolicy,
): boolean {
  if (isAppUrl(details.url, p)) return false;
  if (
    details.url.startsWith('data:') &&
    (details.resourceType === 'image' || details.resourceType === 'font')
  )
    return false;
  if (p.isDev && details.url.startsWith('devtools://')) return false;
  return true;
}

/** Permissions (camera, microphone, geolocation, notifications, MIDI, HID, serial, USB, clipboard read…). */
export function allowPermission(permission: string, requestingUrl: string, p: ShellPolicy): boolean {
  // "Copy diagnostics" writes text to the clipboard: a sanitized write from our own page is the one exception.
  // Reading the clipboard stays refused.
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl, p);
}

/** Device access (HID, serial, USB, Bluetooth): never from the renderer; the card reader is the core's. */
export const allowDevice = (): boolean => false;

/** `will-navigate`, `will-redirect`, `will-frame-navigate`: the window never leaves the app. */
export const allowNavigation = (): boolean => false;

/** `window.open`, `target=_blank`, middle click: no new window, ever. Allow-listed links open in the browser. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isAllowedExternal(url) };
}

/**
 * The only places Vigie sends people to, in their browser: the insurer's professional site, the e-CPS and Pro Santé
 * Connect pages, the CNIL's password advice. https only, exact host, no credentials, default port.
 */
export const EXTERNAL_HOSTS = [
  'espacepro.ameli.fr',
  'www.ameli.fr',
  'esante.gouv.fr',
  'wallet.esw.esante.gouv.fr',
  'www.cnil.fr',
] as const;

export function isAllowedExternal(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    url.port === '' &&
    (EXTERNAL_HOSTS as readonly string[]).includes(url.hostname)
  );
}

/** `webContents.on('will-attach-webview')`: never (webviewTag is off too). */
export const allowWebview = (): boolean => false;

/** Devtools: development builds only. */
export const devToolsAllowed = (isDev: boolean, isPackaged: boolean): boolean => isDev && !isPackaged;

/**
 * The demo pharmacy and its virtual cards only when asked for. An installed app (packaged) starts without them
 * unless VIGIE_DEMO=1; a development run (`npm start`) keeps them unless VIGIE_DEMO=0.
 */
export const demoWanted = (vigieDemo: string | undefined, isPackaged: boolean): boolean =>
  isPackaged ? vigieDemo === '1' : vigieDemo !== '0';

/** Start with the computer (settings.startAtLogin): hidden in the tray, the window opens on demand. */
export function loginItemSettings(startAtLogin: boolean): {
  openAtLogin: boolean;
  openAsHidden: boolean;
  args: string[];
} {
  return { openAtLogin: startAtLogin, openAsHidden: true, args: startAtLogin ? [HIDDEN_FLAG] : [] };
}
export const HIDDEN_FLAG = '--hidden';
