// Electronegativity (Doyensec) over the Electron shell, as a gate: any finding of MEDIUM severity or higher fails
// `npm test`. It scans one folder, and its global checks (CSP, navigation limits, permission handler) need the
// shell and the page together, so the shell's code (electron/main, electron/preload) and the renderer's
// index.html (which carries the CSP) are copied into one temporary folder first.
// Offline, its "available security fixes" check wastes seconds on network look-ups: excluded (by class name).
// Reviewed findings are silenced at their line with `// eng-disable <CHECK_ID>` and the reason.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
// Its i18n loader fetches translations over the network at every run (and waits for the time-outs when offline):
// the bundled English texts are enough, so that one network client is replaced by an immediate refusal.
const gotPath = createRequire(require.resolve('@doyensec/electronegativity')).resolve('got');
require.cache[gotPath] = {
  id: gotPath,
  filename: gotPath,
  loaded: true,
  exports: () => Promise.reject(new Error('offline')),
};
const run = require('@doyensec/electronegativity');
const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const electronVersion = (pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? '').replace(
  /^[^\d]*/,
  '',
);
const GATE = 2; // MEDIUM

const stage = mkdtempSync(join(tmpdir(), 'vigie-electronegativity-'));
try {
  // `--shell <dir>` scans another shell folder instead (the gate's own test feeds it an insecure window).
  const at = process.argv.indexOf('--shell');
  const shellDirs =
    at > 0 ? [process.argv[at + 1]] : [join(root, 'electron/main'), join(root, 'electron/preload')];
  const notTests = (p) => !/\.test\.ts$/.test(p) && (at > 0 || !/[/\\]fixtures([/\\]|$)/.test(p));
  shellDirs.forEach((dir, n) => cpSync(dir, join(stage, `shell${n}`), { recursive: true, filter: notTests }));
  cpSync(join(root, 'renderer/index.html'), join(stage, 'renderer/index.html'));

  const origLog = console.log;
  console.log = () => {}; // its i18n loader chatters ("could not retrieve updated translations")
  let result;
  try {
    result = await run({
      input: stage,
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
      isRelative: true,
      electronVersionOverride: electronVersion,
    });
  } finally {
    console.log = origLog;
  }

  const { issues, errors, atomicChecks, globalChecks } = result;
  const blocking = issues.filter((i) => i.severity.value >= GATE);
  const fatalErrors = errors.filter((e) => !e.tolerable);
  console.log(
    `electronegativity ${electronVersion ? `(Electron ${electronVersion}) ` : ''}: ${atomicChecks} atomic + ${globalChecks} global checks`,
  );
  for (const i of issues) {
    const mark = i.severity.value >= GATE ? 'FAIL' : 'note';
    console.log(
      `  ${mark} ${i.id} ${i.severity.name}/${i.confidence.name} ${i.file}:${i.location.line}${i.manualReview ? ' (review)' : ''}`,
    );
  }
  for (const e of errors)
    console.log(`  ${e.tolerable ? 'warn' : 'FAIL'} could not parse ${e.file}: ${e.message}`);
  if (blocking.length > 0 || fatalErrors.length > 0) {
    console.error(
      `electronegativity: ${blocking.length} finding(s) of MEDIUM or higher, ${fatalErrors.length} parse error(s)`,
    );
    process.exitCode = 1;
  } else console.log('electronegativity: no finding of MEDIUM or higher');
} finally {
  rmSync(stage, { recursive: true, force: true });
}
