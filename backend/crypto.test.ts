import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './crypto';

const shuffleKeys = (v: unknown, seed: number): unknown => {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, seed));
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    entries.sort(
      (a, b) => (((a[0].charCodeAt(0) ?? 0) * seed) % 7) - (((b[0].charCodeAt(0) ?? 0) * seed) % 7),
    );
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x, seed)]));
  }
  return v;
};

describe('canonical JSON (what the event hash covers)', () => {
  it('property: parses back to the same value, and does not depend on key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 97 }), (v, seed) => {
        const c = canonicalJson(v as never);
        expect(JSON.parse(c)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(canonicalJson(shuffleKeys(v, seed) as never)).toBe(c);
      }),
      { numRuns: 500 },
    );
  });
  it('sorts keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'é'], c: undefined })).toBe('{"a":[true,null,"é"],"b":1}');
  });
});
