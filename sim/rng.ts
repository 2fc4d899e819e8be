/** A small seeded PRNG (mulberry32) and the draws the model needs. Deterministic on every machine. */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stream derived from a seed and a label: the same person gets the same draws in every run of that seed. */
export function streamFor(seed: number, label: string): Rng {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  return mulberry32(h >>> 0);
}

export const uniform = (r: Rng, a: number, b: number) => a + (b - a) * r();
export const int = (r: Rng, a: number, b: number) => a + Math.floor(r() * (b - a + 1));
export const chance = (r: Rng, p: number) => r() < p;
export function pick<T>(r: Rng, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}
/** Picks a key of `weights` with probability proportional to its weight. */
export function weighted<K extends string>(r: Rng, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1]![0];
}
