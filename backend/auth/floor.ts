import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `floorMs` have passed since `started` (a `performance.now()`): every refusal, and every answer that
 * must not tell whether an identifier exists, takes the same time.
 */
export async function padToFloor(started: number, floorMs: number): Promise<void> {
  const elapsed = performance.now() - started;
  if (elapsed < floorMs) await sleep(floorMs - elapsed);
}

/**
 * The unblock steps' answers wait this many floors: their work for an existing identifier (several argon2id
 * comparisons, a letter drawn and written, the account's event) can outrun a single floor on a loaded server, and
 * what outruns the floor shows. A person asking for a letter or typing a code waits half a second; no one notices.
 */
export const UNBLOCK_FLOOR_FACTOR = 2;
