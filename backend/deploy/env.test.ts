import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsKeyFromEnv } from './env';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the events key, outside the database', () => {
  it('an embedded store gets a private key file next to its folder, never inside it, created once', () => {
    const first = eventsKeyFromEnv({}, `pglite:${join(dir, 'backend-data')}`)!;
    expect(first.created).toBe(true);
    expect(first.key.length).toBe(32);
    expect(statSync(join(dir, 'events.key')).mode & 0o777).toBe(0o600);
    const again = eventsKeyFromEnv({}, `pglite:${join(dir, 'backend-data')}`)!;
    expect(again).toEqual({ key: first.key, created: false });
  });

  it('a PostgreSQL store needs EVENTS_KEY_FILE, of at least 32 bytes', () => {
    expect(() => eventsKeyFromEnv({}, 'postgres://vigie@db/vigie')).toThrow(/EVENTS_KEY_FILE is required/);
    writeFileSync(join(dir, 'short.key'), 'abcd');
    expect(() => eventsKeyFromEnv({ EVENTS_KEY_FILE: join(dir, 'short.key') }, 'postgres://db/v')).toThrow(
      /32 bytes/,
    );
    writeFileSync(join(dir, 'hex.key'), `${'ab'.repeat(32)}\n`);
    expect(eventsKeyFromEnv({ EVENTS_KEY_FILE: join(dir, 'hex.key') }, 'postgres://db/v')!.key).toEqual(
      Buffer.alloc(32, 0xab),
    );
  });

  it('an in-memory store uses the development key', () => {
    expect(eventsKeyFromEnv({}, 'pglite:memory')).toBeNull();
  });
});
