/**
 * The workstation's own check of an account's history, against a backend whose database someone rewrote:
 * the events this workstation showed are compared with what the backend answers now.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VerifyResponse, VigieEvent } from '../../../domain/backend-api';
import type { CoreContext } from '../context';
import { eventsHandlers } from './events';

const DIRECT = { transport: 'direct' } as const;
const ACCOUNT = '6f1c2a0e-0000-4000-8000-000000000001';

/** A backend's events chain as the workstation sees it through the API (newest first, keyset pages). */
class FakeBackend {
  events: VigieEvent[] = [];
  verify: Omit<VerifyResponse, 'accountId' | 'checked'> = { ok: true, anchorSeq: 0, firstBad: null };
  constructor(n: number) {
    for (let seq = 1; seq <= n; seq++) this.events.push(this.event(seq, `h${seq}`));
  }
  event(seq: number, hash: string): VigieEvent {
    const at = new Date(Date.UTC(2026, 10, 1) + seq * 3600_000).toISOString();
    return {
      id: seq,
      accountId: ACCOUNT,
      seq,
      at,
      type: 'sign_in',
      method: 'password',
      outcome: 'success',
      workstationId: null,
      workstationLabel: null,
      ip: null,
      appVersion: null,
      cardSerial: null,
      details: {},
      hash,
    };
  }
  /** Someone edits event `seq` and recomputes every hash from it on. */
  rewriteFrom(seq: number) {
    this.events = this.events.map((e) => (e.seq >= seq ? { ...e, hash: `forged${e.seq}` } : e));
  }
  purgeUpTo(seq: number, ok = true) {
    this.events = this.events.filter((e) => e.seq > seq);
    this.verify = ok
      ? { ok: true, anchorSeq: seq, firstBad: null }
      : { ok: false, anchorSeq: seq, firstBad: { seq: seq + 1, id: null, problem: 'rewritten' } };
  }
  client() {
    return {
      call: async (name: string, o: { query: { cursor?: string; limit?: number } }) => {
        if (name === 'verifyEvents')
          return { ok: true, value: { ...this.verify, accountId: ACCOUNT, checked: this.events.length } };
        const below = o.query.cursor ? Number(o.query.cursor) : Infinity;
        const page = this.events.filter((e) => e.seq < below).sort((a, b) => b.seq - a.seq);
        const limit = o.query.limit ?? 50;
        const events = page.slice(0, limit);
        return {
          ok: true,
          value: { events, nextCursor: page.length > limit ? String(events[events.length - 1]!.seq) : null },
        };
      },
    };
  }
}

let dir: string;
let backend: FakeBackend;
let events: ReturnType<typeof eventsHandlers>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-history-'));
  backend = new FakeBackend(300);
  const ctx = {
    backend: { client: () => backend.client() },
    session: { noticeError: () => undefined },
    settings: { path: join(dir, 'settings.json') },
    log: () => undefined,
    now: () => new Date(),
  } as unknown as CoreContext;
  events = eventsHandlers(ctx);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The person scrolls through the whole log. */
async function showAll() {
  let cursor: string | undefined;
  do {
    const page = await events.list({ filters: {}, limit: 200, ...(cursor ? { cursor } : {}) }, DIRECT);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

describe('the events screen checks the history against what this workstation showed', () => {
  it('nothing changed: no warning', async () => {
    await showAll();
    expect((await events.verify({}, DIRECT)).history).toEqual({ changed: null, purged: false });
  });

  it('an old event rewritten with the hashes recomputed is named, even 280 events back', async () => {
    await showAll();
    backend.rewriteFrom(20);
    await showAll(); // the rewritten page is shown again: what was seen first is kept
    expect((await events.verify({}, DIRECT)).history?.changed).toMatchObject({
      seq: 20,
      type: 'sign_in',
      problem: 'altered',
    });
  });

  it('a retention purge forgets the events it removed, without a warning', async () => {
    await showAll();
    backend.purgeUpTo(50);
    expect((await events.verify({}, DIRECT)).history).toEqual({ changed: null, purged: true });
    expect((await events.verify({}, DIRECT)).history).toEqual({ changed: null, purged: false });
  });

  it('a purge faked in the database (an anchor the server cannot vouch for) names the first event that vanished', async () => {
    await showAll();
    backend.purgeUpTo(50, false);
    expect((await events.verify({}, DIRECT)).history?.changed).toMatchObject({ seq: 1, problem: 'missing' });
  });
});
