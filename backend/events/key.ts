/**
 * The events key, outside the database (a file or the OS keychain): the HMAC of each chain's checkpoint and
 * retention anchor, so that a rewrite of the events table, hashes recomputed, is still detected.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The key used when none is configured (tests, benchmarks, a development backend). It is public, so it proves
 * nothing: the CLI refuses a PostgreSQL store without a real key, and the workstation's embedded backend
 * keeps its own key in the OS keychain.
 */
export const DEVELOPMENT_EVENTS_KEY = Buffer.from('vigie development events key: not a secret', 'utf8');

let eventsKey: Buffer = DEVELOPMENT_EVENTS_KEY;

/** Sets the events key of this process (at least 32 bytes). Every backend of the process shares it. */
export function useEventsKey(key: Buffer): void {
  if (key.length < 32) throw new Error('the events key must be at least 32 bytes');
  eventsKey = Buffer.from(key);
  derived.clear();
}

/** Derived keys of the current events key, by purpose (HKDF costs a sign-in with an app code 0.1 ms otherwise). */
const derived = new Map<string, Buffer>();

/** A 32-byte key for another purpose, derived from the events key (HKDF-SHA256, `info` names the purpose). */
export function derivedKey(info: string): Buffer {
  let key = derived.get(info);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', eventsKey, Buffer.alloc(0), `vigie-${info}`, 32));
    derived.set(info, key);
  }
  return key;
}

export const usesDevelopmentEventsKey = (): boolean => eventsKey.equals(DEVELOPMENT_EVENTS_KEY);

export const mac = (kind: 'seal' | 'anchor', accountId: string, seq: number, hash: string): string =>
  createHmac('sha256', eventsKey)
    .update(`vigie-events-${kind}\n${accountId}\n${seq}\n${hash}`, 'utf8')
    .digest('hex');

export const macOk = (expected: string, got: string | null): boolean =>
  got !== null && got.length === expected.length && timingSafeEqual(Buffer.from(expected), Buffer.from(got));

/** The keyed columns of a checkpoint at `seq`/`hash` (the server verified or wrote the chain up to there). */
export const sealAt = (accountId: string, seq: number, hash: string) => ({
  seal_seq: seq,
  seal_hash: hash,
  seal_mac: mac('seal', accountId, seq, hash),
});

/** The keyed retention anchor: only the purge job sets one. */
export const anchorAt = (accountId: string, seq: number, hash: string) => ({
  anchor_seq: seq,
  anchor_hash: hash,
  anchor_mac: mac('anchor', accountId, seq, hash),
});
