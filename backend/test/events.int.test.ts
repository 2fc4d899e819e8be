import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PHARMACY } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { EventsPageSchema } from '../../domain/backend-api';
import { appendEvents } from '../events/chain';
import { call, newWorkstation, startTestEnv, type TestEnv } from './harness';
import { keepFactorGraceOpen } from './factor-grace';

let env: TestEnv;
let seed: SeedResult;
let token: string;
const ws = newWorkstation('Bureau');

beforeAll(async () => {
  env = await startTestEnv();
  seed = await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
  await keepFactorGraceOpen(env.backend.db);
  token = (
    await call(env, 'POST', '/v1/auth/password', {
      ws,
      body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    })
  ).json.token as string;
});
afterAll(() => env?.close());

type Ev = {
  id: number;
  seq: number;
  at: string;
  type: string;
  method: string | null;
  outcome: string;
  workstationLabel: string | null;
};
const get = async (q: string) => {
  const r = await call(env, 'GET', `/v1/events${q}`, { ws, token });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as { events: Ev[]; nextCursor: string | null };
};

/** Tampering as a database owner would: the append-only trigger is switched off first. */
async function tamper(statement: ReturnType<typeof sql>) {
  await env.backend.db.transaction().execute(async (trx) => {
    await sql`alter table events disable trigger events_append_only`.execute(trx);
    await statement.execute(trx);
    await sql`alter table events enable trigger events_append_only`.execute(trx);
  });
}

describe('events log', () => {
  it('has months of demo events, newest first, with keyset pagination and no overlap', async () => {
    const seen = new Set<number>();
    let cursor: string | null = null;
    let pages = 0;
    let last = Infinity;
    do {
      const page = await get(`?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      for (const e of page.events) {
        expect(seen.has(e.id)).toBe(false);
        expect(e.seq).toBeLessThan(last);
        last = e.seq;
        seen.add(e.id);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBeGreaterThan(150);
    expect(pages).toBeGreaterThan(3);
  });

  it('sends each event as recorded: every column, the time in ISO form, details with quotes and accents', async () => {
    const accountId = seed.accounts.holder;
    const at = new Date('2026-03-01T09:05:07.089Z');
    await env.backend.db.transaction().execute((trx) =>
      appendEvents(trx, [
        {
          accountId,
          at,
          type: 'activity_reported',
          outcome: 'info',
          method: 'card',
          workstationId: '6f1c2a0e-0000-4000-8000-000000000009',
          workstationLabel: 'Comptoir « 2 » é\u00a0"x"',
          ip: '2001:db8::1',
          appVersion: '1.2.3',
          cardSerial: '8025000001234',
          details: {
            note: 'Ligne 1\nLigne 2 \\ \u0001 « ok »',
            count: 3,
            ratio: 0.5,
            flag: false,
            none: null,
          },
        },
        { accountId, at: new Date(at.getTime() + 1), type: 'sign_out', outcome: 'success' },
      ]),
    );
    const r = await call(env, 'GET', '/v1/events?limit=5', { ws, token });
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const page = EventsPageSchema.parse(r.json);
    const rows = await env.backend.db
      .selectFrom('events')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('seq', 'desc')
      .limit(5)
      .execute();
    // What the route's schema would have sent, column by column.
    expect(r.json.events).toEqual(
      rows.map((e) => ({
        id: Number(e.id),
        accountId: e.account_id,
        seq: Number(e.seq),
        at: e.at.toISOString(),
        type: e.type,
        method: e.method,
        outcome: e.outcome,
        workstationId: e.workstation_id,
        workstationLabel: e.workstation_label,
        ip: e.ip,
        appVersion: e.app_version,
        cardSerial: e.card_serial,
        details: e.details,
        hash: e.hash,
      })),
    );
    expect(page.events[1]).toMatchObject({
      type: 'activity_reported',
      at: '2026-03-01T09:05:07.089Z',
      workstationLabel: 'Comptoir « 2 » é\u00a0"x"',
      details: { note: 'Ligne 1\nLigne 2 \\ \u0001 « ok »', count: 3, ratio: 0.5, flag: false, none: null },
    });
    expect(page.events[0]).toMatchObject({ type: 'sign_out', method: null, cardSerial: null, details: {} });
    expect(page.nextCursor).toBe(String(rows[4]!.seq));
  });

  it('filters by type, method, outcome, workstation and date range', async () => {
    const cards = await get('?type=sign_in&method=card&limit=200');
    expect(cards.events.length).toBeGreaterThan(50);
    expect(cards.events.every((e) => e.type === 'sign_in' && e.method === 'card')).toBe(true);
    const ws2 = await get('?workstationId=6f1c2a0e-0000-4000-8000-000000000002&limit=200');
    expect(ws2.events.every((e) => e.workstationLabel === 'Comptoir 2')).toBe(true);
    const from = '2025-12-01T00:00:00Z';
    const to = '2026-01-01T00:00:00Z';
    const dec = await get(`?from=${from}&to=${to}&limit=200`);
    expect(dec.events.length).toBeGreaterThan(5);
    expect(dec.events.every((e) => e.at >= from && e.at < to)).toBe(true);
    // the holder reads a delegate's log; failures only
    const sophie = await get(`?accountId=${seed.accounts.accountantSoon}&outcome=failure`);
    expect(sophie.events.every((e) => e.outcome === 'failure')).toBe(true);
  });

  it('exports CSV with the same filter', async () => {
    const r = await call(env, 'GET', '/v1/events.csv?type=sign_in&method=card', { ws, token });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const lines = r.body.trim().split('\r\n');
    expect(lines[0]).toBe('date,evenement,methode,resultat,poste,id_poste,ip,version_app,carte,numero');
    let count = 0;
    for (let c: string | null = ''; c !== null;) {
      const page = await get(`?type=sign_in&method=card&limit=200${c ? `&cursor=${c}` : ''}`);
      count += page.events.length;
      c = page.nextCursor;
    }
    expect(lines.length - 1).toBe(count);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT.*,sign_in,card,success,Comptoir [12],/);
  });

  it('verifies the chain, and names the first altered event after a direct SQL edit', async () => {
    const ok = await call(env, 'GET', '/v1/events/verify', { ws, token });
    expect(ok.json).toMatchObject({ ok: true, firstBad: null });
    expect(ok.json.checked).toBeGreaterThan(100);

    const target = (await get('?type=sign_in&limit=30')).events[29]!;
    await tamper(sql`update events set workstation_label = 'Poste pirate' where id = ${target.id}`);
    const bad = await call(env, 'GET', '/v1/events/verify', { ws, token });
    expect(bad.json).toMatchObject({
      ok: false,
      firstBad: { seq: target.seq, id: target.id, problem: 'altered' },
    });
    await tamper(
      sql`update events set workstation_label = ${target.workstationLabel} where id = ${target.id}`,
    );
    expect((await call(env, 'GET', '/v1/events/verify', { ws, token })).json.ok).toBe(true);
  });

  it('names a deleted event (middle or last) of a delegate', async () => {
    const acc = seed.accounts.employee;
    const verify = () => call(env, 'GET', `/v1/events/verify?accountId=${acc}`, { ws, token });
    expect((await verify()).json.ok).toBe(true);
    const page = await get(`?accountId=${acc}&limit=20`);
    const middle = page.events[10]!;
    await tamper(sql`delete from events where id = ${middle.id}`);
    expect((await verify()).json).toMatchObject({
      ok: false,
      firstBad: { seq: middle.seq, id: null, problem: 'missing' },
    });

    const other = seed.accounts.accountantBlocked;
    const lastEv = (await get(`?accountId=${other}&limit=1`)).events[0]!;
    await tamper(sql`delete from events where id = ${lastEv.id}`);
    const r = await call(env, 'GET', `/v1/events/verify?accountId=${other}`, { ws, token });
    expect(r.json).toMatchObject({ ok: false, firstBad: { seq: lastEv.seq, problem: 'missing' } });
  });

  it('refuses UPDATE and DELETE on events outside the purge (append-only trigger)', async () => {
    await expect(
      sql`update events set type = 'sign_out' where account_id = ${seed.accounts.holder}`.execute(
        env.backend.db,
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`delete from events where account_id = ${seed.accounts.holder}`.execute(env.backend.db),
    ).rejects.toThrow(/append-only/);
  });

  it('purges events older than the retention and keeps the chain verifiable', async () => {
    const before = (await call(env, 'GET', '/v1/events/verify', { ws, token })).json as { checked: number };
    env.clock.advance(90 * 86_400_000); // 12 months back is now ~11 months after the seed's start
    token = (
      await call(env, 'POST', '/v1/auth/password', {
        ws,
        body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
      })
    ).json.token as string;
    const purged = await env.backend.jobs.run('retention');
    expect(purged).toBeGreaterThan(0);
    const after = (await call(env, 'GET', '/v1/events/verify', { ws, token })).json as {
      ok: boolean;
      checked: number;
      anchorSeq: number;
    };
    expect(after.ok).toBe(true);
    expect(after.anchorSeq).toBeGreaterThan(0);
    expect(after.checked).toBeLessThan(before.checked);
    const purgedEvent = await get('?type=events_purged');
    expect(purgedEvent.events).toHaveLength(1);
    // tampering is still detected after a purge
    const first = await env.backend.db
      .selectFrom('events')
      .select(['id', 'seq'])
      .where('account_id', '=', seed.accounts.holder)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirstOrThrow();
    await tamper(sql`update events set ip = '203.0.113.66' where id = ${first.id}`);
    expect((await call(env, 'GET', '/v1/events/verify', { ws, token })).json).toMatchObject({
      ok: false,
      firstBad: { seq: Number(first.seq), problem: 'altered' },
    });
  });

  it('records "Je ne reconnais pas cette activité" with the advice to call 36 08', async () => {
    env.clock.advance(-90 * 86_400_000);
    token = (
      await call(env, 'POST', '/v1/auth/password', {
        ws,
        body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
      })
    ).json.token as string;
    const e = (await get(`?accountId=${seed.accounts.accountantSoon}&type=sign_in&limit=1`)).events[0]!;
    const r = await call(env, 'POST', '/v1/reports', {
      ws,
      token,
      body: { eventId: e.id, comment: 'Pas moi' },
    });
    expect(r.status).toBe(200);
    expect(r.json.advice).toContain('36 08');
    const reported = await get(`?accountId=${seed.accounts.accountantSoon}&type=activity_reported`);
    expect(reported.events).toHaveLength(1);
    const unknown = { eventId: 999999999 };
    expect((await call(env, 'POST', '/v1/reports', { ws, token, body: unknown })).status).toBe(404);
  });
});
