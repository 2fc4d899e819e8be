/**
 * `npm run bench -- renderer`
 *
 * 1. Initial JavaScript: what the window downloads before the first paint — the entry script of
 *    dist/renderer/index.html and every module it preloads — gzipped (level 9), in KB. Target ≤ 250 KB.
 *    The screens after sign-in are lazy chunks and are not counted.
 * 2. The events log: the time from "the data arrived" to "the first page of rows is on screen", for a log of
 *    100 000 events, against the same for an empty table, in the same Chromium page and the same run
 *    (ratio = full / empty; target ≤ 3: the virtualised table must not grow with the log).
 *    The real `EventsTable` component is bundled with esbuild (production React) and rendered in headless
 *    Chromium (Playwright, /usr/bin/chromium): jsdom has no layout, and the virtualiser needs one.
 *    Each sample mounts a fresh root, renders, and waits for the rows (or the empty box) in the DOM and one
 *    painted frame.
 *
 * Options: --no-build (measure dist/renderer as it is), --samples N (default 25).
 */
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { report, summarize } from './lib';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist', 'renderer');

function initialJsGzipKb(): { kb: number; files: string[] } {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const files = [
    ...[...html.matchAll(/<script[^>]+type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<link[^>]+rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!),
  ];
  const bytes = files.reduce((n, f) => n + gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length, 0);
  return { kb: bytes / 1024, files };
}

const ENTRY = `
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { I18nextProvider } from 'react-i18next';
import i18n from '${join(ROOT, 'renderer/src/i18n/index.ts')}';
import { EventsTable } from '${join(ROOT, 'renderer/src/components/EventsTable.tsx')}';

const TYPES = ['sign_in', 'sign_in', 'sign_out', 'sign_in_failed', 'password_changed'];
function makeEvents(n) {
  const t0 = Date.parse('2027-03-01T10:00:00Z');
  return Array.from({ length: n }, (_, i) => ({
    id: n - i, accountId: '00000000-0000-4000-8000-000000000001', seq: n - i,
    at: new Date(t0 - i * 600000).toISOString(), type: TYPES[i % 5], method: i % 4 ? 'card' : 'password',
    outcome: i % 5 === 3 ? 'failure' : 'success', workstationId: 'w' + (i % 3), workstationLabel: 'Comptoir ' + (i % 3 + 1),
    ip: '192.168.1.20', appVersion: '0.1.0', cardSerial: null, details: {},
  }));
}
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
window.benchData = { big: makeEvents(100000), empty: [] };
window.renderOnce = async (which) => {
  const host = document.createElement('div');
  host.style.width = '1000px';
  document.body.appendChild(host);
  const root = createRoot(host);
  const events = window.benchData[which];
  const t0 = performance.now();
  flushSync(() => root.render(
    <I18nextProvider i18n={i18n}>
      <EventsTable events={events} selectedId={null} onSelect={() => {}} height={480} label="log" />
    </I18nextProvider>
  ));
  const want = which === 'big' ? '[data-testid="event-row"]' : '[data-testid="events-table"]';
  while (!host.querySelector(want)) await frame();
  await frame();
  const ms = performance.now() - t0;
  const rows = host.querySelectorAll('[data-testid="event-row"]').length;
  root.unmount();
  host.remove();
  return { ms, rows };
};
`;

export default async function run(args: string[]): Promise<boolean> {
  const samples = Number(args[args.indexOf('--samples') + 1]) || 25;
  if (!args.includes('--no-build'))
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  const size = initialJsGzipKb();
  console.log(`initial JS: ${size.files.length} files, ${size.kb.toFixed(1)} KB gzipped`);

  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-'));
  const entry = join(dir, 'entry.tsx');
  writeFileSync(entry, ENTRY);
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    nodePaths: [join(ROOT, 'node_modules')],
    logLevel: 'error',
  });
  rmSync(dir, { recursive: true, force: true });

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.setContent('<!doctype html><html lang="fr"><body></body></html>');
    await page.addScriptTag({ content: out.outputFiles[0]!.text });
    const big: number[] = [];
    const empty: number[] = [];
    let rows = 0;
    // runs in the page (the bench's tsconfig has no DOM types, hence globalThis)
    type Page = { renderOnce: (w: string) => Promise<{ ms: number; rows: number }> };
    const once = (which: 'big' | 'empty') =>
      page.evaluate((w) => (globalThis as unknown as Page).renderOnce(w), which);
    for (let i = 0; i < 5; i++) {
      await once('big');
      await once('empty');
    }
    for (let i = 0; i < samples; i++) {
      for (const which of i % 2 ? (['big', 'empty'] as const) : (['empty', 'big'] as const)) {
        const r = await once(which);
        (which === 'big' ? big : empty).push(r.ms);
        if (which === 'big') rows = r.rows;
      }
    }
    const b = summarize(big);
    const e = summarize(empty);
    console.log(
      `first page of 100 000 events: p50 ${b.p50.toFixed(1)} ms, p95 ${b.p95.toFixed(1)} ms (${rows} rows in the DOM)`,
    );
    console.log(`empty table:                  p50 ${e.p50.toFixed(1)} ms, p95 ${e.p95.toFixed(1)} ms`);
    const sizeOk = size.kb <= 250;
    return report(
      'renderer',
      {
        initial_js_gzip_kb: size.kb,
        initial_js_target_kb: 250,
        initial_js_pass: sizeOk,
        events_100k_first_page_p50_ms: b.p50,
        events_100k_first_page_p95_ms: b.p95,
        events_empty_p50_ms: e.p50,
        events_empty_p95_ms: e.p95,
        rows_in_dom: rows,
        samples,
      },
      b.p50 / e.p50,
      '<=',
      3,
      sizeOk,
    );
  } finally {
    await browser.close();
  }
}
