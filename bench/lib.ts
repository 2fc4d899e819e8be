/**
 * Bench helpers. Every benchmark prints its figures, then ends with ONE JSON line:
 * {"bench":"<name>", ...figures, "ratio": <x>, "target": "<op> <y>", "pass": true|false}
 * where the ratio compares with a baseline measured in the same run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samplesMs: number[]) {
  const s = [...samplesMs].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    min: s[0] ?? NaN,
  };
}

/** Times `fn` `n` times after `warmup` runs; returns the samples in milliseconds. */
export async function sample(n: number, fn: () => Promise<unknown> | unknown, warmup = Math.min(20, n)) {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export type Op = '<=' | '>=';
export function check(value: number, op: Op, target: number): boolean {
  return op === '<=' ? value <= target : value >= target;
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x);

/** Prints the closing JSON line. `ratio` is the figure compared with `target`. */
export function report(
  bench: string,
  figures: Record<string, number | string | boolean>,
  ratio: number,
  op: Op,
  target: number,
  extraPass = true,
): boolean {
  const pass = check(ratio, op, target) && extraPass;
  const rounded = Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]),
  );
  console.log(JSON.stringify({ bench, ...rounded, ratio: round(ratio), target: `${op} ${target}`, pass }));
  return pass;
}

/**
 * CPU milliseconds of a PostgreSQL server's processes (the postmaster of the data folder `dir` and its children;
 * Linux /proc), by process id; empty elsewhere. On a shared machine CPU time, unlike wall-clock time, is not
 * inflated by the other processes.
 */
export function pgCpuByPid(dir: string | null): Map<number, number> {
  const out = new Map<number, number>();
  if (!dir) return out;
  try {
    const pm = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    for (const p of readdirSync('/proc')) {
      if (!/^\d+$/.test(p)) continue;
      try {
        const st = readFileSync(`/proc/${p}/stat`, 'utf8');
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        if (Number(p) === pm || Number(f[1]) === pm) out.set(Number(p), (Number(f[11]) + Number(f[12])) * 10);
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    // no server
  }
  return out;
}

/**
 * PostgreSQL's CPU since `before` (a `pgCpuByPid` snapshot): the growth of the processes alive at both ends and
 * all of those started since. A backend that ended meanwhile (a pool closing an idle connection) is left out: idle,
 * it used nothing in the interval, and counting its whole life would inflate the figure.
 */
export function pgCpuSince(dir: string | null, before: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of pgCpuByPid(dir)) ms += now - (before.get(pid) ?? 0);
  return ms;
}

/** CPU milliseconds of this process so far (user + system). */
export const nodeCpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Rate limits switched on (so their cost is measured) but far above what a bench sends. */
export const UNREACHED_LIMITS = { max: 1e9, signInMax: 1e9, checkMax: 1e9, timeWindowMs: 60_000 };
