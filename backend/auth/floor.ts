import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `floorMs` have passed since `started` (a `performance.now()`): every refusal, and every answer that
 * must not tell whether an identifier exists, takes the same time.
 */
export async function padToFloor(started: number, floorMs: number): Promise<void> {
  const elapsed = performance.now() - started;
  if (elapsed < floorMs) await sleep(floorMs - elapsed);
}
