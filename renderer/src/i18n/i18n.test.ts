import { describe, expect, it } from 'vitest';
import en from './en';
import fr from './fr';

function keys(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}
function leaves(o: unknown): string[] {
  if (typeof o !== 'object' || o === null) return [String(o)];
  return Object.values(o).flatMap(leaves);
}

describe('translations', () => {
  it('French and English have exactly the same keys (no missing key in either language)', () => {
    expect(keys(en).sort()).toEqual(keys(fr).sort());
  });
  it('no string is empty, and the English texts are not left in French', () => {
    for (const s of [...leaves(fr), ...leaves(en)]) expect(s.trim()).not.toBe('');
    const frenchOnly = leaves(en).filter((s) => /\b(votre|vous|carte CPS dans|connexion)\b/i.test(s));
    expect(frenchOnly).toEqual([]);
  });
  it('interpolations match between languages', () => {
    const vars = (s: string) => [...s.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();
    const frMap = Object.fromEntries(keys(fr).map((k, i) => [k, leaves(fr)[i]!]));
    const enMap = Object.fromEntries(keys(en).map((k, i) => [k, leaves(en)[i]!]));
    for (const k of Object.keys(frMap)) expect(vars(enMap[k] ?? ''), k).toEqual(vars(frMap[k]!));
  });
});
