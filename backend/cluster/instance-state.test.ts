/**
 * Instances hold no state between requests (ARCHITECTURE.md §5): what one request leaves for the next is in
 * PostgreSQL. The cross-instance suite (./cross-instance.cluster.test.ts) catches a flow that breaks when its
 * requests land on different instances; this test catches the state itself, in the source, before any flow uses it:
 * every module-level variable (`let`, `var`) and every module-level collection (`new Map`, `Set`, `WeakMap`, …) of
 * the backend must be listed below with the reason it is safe on several instances.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** `file: name` → why several instances may each keep their own. */
const ALLOWED: Record<string, string> = {
  'http/register.ts: bodyHashes':
    'a WeakMap keyed by the request object: it lives and dies with one request on one instance',
  'workstations/proofs.ts: keys':
    'parsed public keys keyed by their own text: a pure function memoised, the same on every instance',
  'workstations/proofs.ts: registeredKeys':
    'registered keys read from PostgreSQL: a registered id never changes key and its row is never deleted; a withdrawn workstation is refused by its row, read each time (the suite withdraws one on one instance and signs in on the others)',
  'events/purge.ts: purgeDb':
    'configuration set once at start (PURGE_DATABASE_URL), the same on every instance',
  'events/key.ts: eventsKey':
    'configuration set once at start (EVENTS_KEY_FILE), the same file on every instance',
  'events/key.ts: derived':
    'keys derived from the events key by purpose (HKDF of the same file on every instance), cleared when it changes',
  'db/connect.ts: compiledTexts':
    'SQL texts compiled from the code, by statement and shape: the same on every instance, with no request data (values are bound apart)',
  'unblock/postal-code.ts: dummyHash':
    'a hash of nothing computed once, to spend the same time on unknown identifiers: no request writes it',
};

const COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'LruMap', 'LRUCache']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory())
      return ['test', 'demo', 'cluster', 'node_modules'].includes(e.name) ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** The module-level state of a source: names of `let`/`var` bindings and of `const` collections. */
function moduleState(text: string): string[] {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const list = st.declarationList;
    const mutable = !(list.flags & ts.NodeFlags.Const);
    for (const d of list.declarations) {
      const init = d.initializer;
      const collection =
        init !== undefined &&
        ts.isNewExpression(init) &&
        ts.isIdentifier(init.expression) &&
        COLLECTIONS.has(init.expression.text);
      if ((mutable || collection) && ts.isIdentifier(d.name)) names.push(d.name.text);
    }
  }
  return names;
}

describe('state kept in a backend instance', () => {
  it('is only what is listed here, each with the reason it is safe behind a load balancer', () => {
    const found = sources(root).flatMap((f) =>
      moduleState(readFileSync(f, 'utf8')).map((n) => `${relative(root, f).split('\\').join('/')}: ${n}`),
    );
    const unlisted = found.filter((k) => !(k in ALLOWED));
    expect(
      unlisted,
      'module-level state in the backend: move it to PostgreSQL, or list it in ALLOWED with the reason it is safe on several instances',
    ).toEqual([]);
    // A listed name that no longer exists is removed from the list, so the list stays the truth.
    expect(Object.keys(ALLOWED).filter((k) => !found.includes(k))).toEqual([]);
  });

  it('finds module-level variables and collections, not constants or state inside functions', () => {
    const text = `
      let a = 1;
      const b = new Map<string, number>();
      const c = 2;
      export let d: string | null = null;
      const e = new WeakMap();
      function f() { let g = 0; const h = new Set(); return [g, h]; }
      var i;`;
    expect(moduleState(text)).toEqual(['a', 'b', 'd', 'e', 'i']);
  });
});
