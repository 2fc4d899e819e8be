/** What each case injected and what it checked, printed as it goes (and kept for the figures). */
export const FULL = process.env.FAULTS_FULL === '1';

/** `full` under `npm run test:faults`, `quick` inside `npm test`. */
export const count = (full: number, quick: number) => (FULL ? full : quick);

export function injected(what: string) {
  console.log(`  [inject] ${what}`);
}
export function checked(what: string) {
  console.log(`  [check]  ${what}`);
}
export function figure(name: string, value: number | string) {
  console.log(`  [figure] ${name} = ${typeof value === 'number' ? Math.round(value * 100) / 100 : value}`);
}

/** Polls `fn` until it returns a truthy value, at most `timeoutMs`. */
export async function until<T>(
  fn: () => Promise<T> | T,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
  );
}
