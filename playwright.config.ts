import { defineConfig } from '@playwright/test';
import type { VigieOptions } from './e2e/fixtures';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Flags for Debian's Chromium on a closed network (reference/environment.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

function electronBinary(): string | null {
  const pathFile = join('node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join('node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(bin) ? bin : null;
}

const hasElectron = electronBinary() !== null;
if (!hasElectron && !process.env.PLAYWRIGHT_QUIET_SKIP) {
  console.log(
    'e2e: project "electron" skipped: the Electron binary is not installed (it cannot be downloaded on this machine); the same specs run in project "web".',
  );
  process.env.PLAYWRIGHT_QUIET_SKIP = '1';
}

export default defineConfig<VigieOptions>({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI
    ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]]
    : [['list']],
  outputDir: 'test-results',
  use: {
    viewport: { width: 1280, height: 800 },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'web',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
      },
    },
    ...(hasElectron ? [{ name: 'electron', use: { vigieShell: 'electron' as const } }] : []),
  ],
});
