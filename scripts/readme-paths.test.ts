import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Each top-level folder opens with a "where is what" table (its README.md). Every path such a table names, in
 * backquotes, must exist: relative to the folder, or to the repository when it starts with a top-level folder.
 */
const FOLDERS = ['domain', 'electron', 'renderer', 'card', 'card-sim', 'e2e', 'backend'];
const ROOT = join(import.meta.dirname, '..');

/**
 * A backquoted token that names a file or folder: a slash or a file extension, no spaces, no call; one that starts
 * with a slash is an HTTP route (`/health`), not a path of the repository.
 */
const looksLikePath = (t: string) =>
  !t.startsWith('/') &&
  !/[\s()…<>{}=]/.test(t) &&
  (t.includes('/') || /\.(tsx?|mjs|cjs|js|json|md|sh|sql|pem|ya?ml|html|css)$/.test(t));

/**
 * The paths of the table rows, each with the folders named before it in its row: "`auth/card/` (`signin.ts`,
 * `verify.ts`)" names auth/card/signin.ts.
 */
export function tablePaths(markdown: string): { path: string; within: string[] }[] {
  const paths: { path: string; within: string[] }[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.trimStart().startsWith('|')) continue;
    const within: string[] = [];
    for (const m of line.matchAll(/`([^`]+)`/g)) {
      const path = m[1]!;
      if (!looksLikePath(path)) continue;
      paths.push({ path, within: [...within] });
      if (path.endsWith('/')) within.push(path);
    }
  }
  return paths;
}

/** A pattern with `*` (one path segment's worth) names at least one file of the folder. */
function matchesSome(folder: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  const files = readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter(
    (f) => !f.includes('node_modules'),
  );
  return files.some((f) => re.test(pattern.includes('/') ? f : (f.split('/').at(-1) ?? '')));
}

function exists(folder: string, path: string, within: readonly string[] = []): boolean {
  if (path.includes('*')) return matchesSome(folder, path);
  const bases = [join(ROOT, folder), ROOT, ...within.map((w) => join(ROOT, folder, w))];
  return bases.some((base) => existsSync(join(base, path)));
}

describe('folder READMEs: the "where is what" tables name paths that exist', () => {
  it('reads paths from table rows only, in backquotes', () => {
    const md = [
      'Text with `not/checked.ts`.',
      '| file | what |',
      '|---|---|',
      '| `a.ts`, `b/` | `createBackend(options)` and `CardStatusError`, route `/v1/me/events` |',
    ].join('\n');
    expect(tablePaths(md).map((p) => p.path)).toEqual(['a.ts', 'b/']);
    expect(tablePaths('| `auth/card/` (`signin.ts`) |')).toEqual([
      { path: 'auth/card/', within: [] },
      { path: 'signin.ts', within: ['auth/card/'] },
    ]);
  });

  it('checks a pattern against the folder', () => {
    expect(exists('e2e', '*.story.spec.ts')).toBe(true);
    expect(exists('e2e', '*.nowhere.ts')).toBe(false);
    expect(exists('e2e', 'nowhere.ts')).toBe(false);
  });

  for (const folder of FOLDERS) {
    it(`${folder}/README.md`, () => {
      const file = join(ROOT, folder, 'README.md');
      expect(existsSync(file), `${folder}/README.md is missing`).toBe(true);
      const paths = tablePaths(readFileSync(file, 'utf8'));
      expect(paths.length, `${folder}/README.md has no table of paths`).toBeGreaterThan(0);
      expect(paths.filter((p) => !exists(folder, p.path, p.within)).map((p) => p.path)).toEqual([]);
    });
  }
});
