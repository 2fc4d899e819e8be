import { test as base, _electron, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

export interface VigieApp {
  /** `http://127.0.0.1:<port>/#token=…` in browser mode. */
  url: string;
  port: number;
  token: string;
  profileDir: string;
  /** Stops the app and starts it again on the same profile folder (same settings). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  logs(): string;
}

/** Starts the web host (browser mode) on a temporary profile, waits for its ready line. */
async function startWebHost(
  profileDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'electron/web-host/cli.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, VIGIE_USER_DATA: profileDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    // a shared, loaded machine can take a while to start the embedded backend and the virtual reader
    const timer = setTimeout(
      () => rej(new Error(`web host did not start:\n${out}`)),
      Number(process.env.VIGIE_E2E_START_MS ?? 120_000),
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Vigie is ready: (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        res(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => rej(new Error(`web host exited (${code}):\n${out}`)));
  });
  return { child, url };
}

async function stopChild(child: ChildProcess | null) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

type Fixtures = { vigie: VigieApp; app: Page };
export type VigieOptions = { vigieShell: 'web' | 'electron'; vigieEnv: NodeJS.ProcessEnv };

export const test = base.extend<Fixtures & VigieOptions>({
  vigieShell: ['web', { option: true }],
  vigieEnv: [{}, { option: true }],
  vigie: async ({ vigieEnv }, use) => {
    const profileDir = mkdtempSync(join(tmpdir(), 'vigie-e2e-'));
    mkdirSync(profileDir, { recursive: true });
    let logs = '';
    let current = await startWebHost(profileDir, vigieEnv);
    const track = (c: ChildProcess) => {
      c.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
      c.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    };
    track(current.child);
    const app: VigieApp = {
      get url() {
        return current.url;
      },
      get port() {
        return Number(new URL(current.url).port);
      },
      get token() {
        return current.url.split('#token=')[1] ?? '';
      },
      profileDir,
      async restart() {
        await stopChild(current.child);
        current = await startWebHost(profileDir, vigieEnv);
        track(current.child);
      },
      stop: () => stopChild(current.child),
      logs: () => logs,
    };
    await use(app);
    await stopChild(current.child);
    rmSync(profileDir, { recursive: true, force: true });
  },
  /** The app's page: the renderer in Chromium (web) or the first window of Electron (electron). */
  app: async ({ vigie, page, vigieShell }, use) => {
    if (vigieShell === 'electron') {
      const electronApp = await _electron.launch({
        args: [ROOT],
        env: { ...process.env, VIGIE_BACKEND_URL: '' } as Record<string, string>,
      });
      const win = await electronApp.firstWindow();
      await use(win);
      await electronApp.close();
      return;
    }
    await page.goto(vigie.url);
    await use(page);
  },
});

export { expect } from '@playwright/test';

/** Saves a screenshot artifact of a screen, per language (artifacts/screenshots/<name>.<lang>.png). */
export async function saveScreen(page: Page, name: string) {
  const lang = await page.evaluate(() => document.documentElement.lang || 'fr');
  await page.screenshot({
    path: join(ROOT, 'artifacts', 'screenshots', `${name}.${lang}.png`),
    fullPage: true,
  });
}
