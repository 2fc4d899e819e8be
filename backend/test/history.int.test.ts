/**
 * The events history against someone who can write the database: they edit an old event by hand and
 * recompute every hash after it (the formula is public), or fake a retention purge to make events disappear.
 * The server keys its checkpoints of each chain with a key that is not in the database, so neither passes.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PHARMACY } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { openDatabase } from '../db/connect';
import { usePurgeDatabase } from '../events/chain';
import { call, dbKind, newWorkstation, startTestEnv, type TestEnv } from './harness';
import { rewriteAndRecompute } from './tamper';

let env: TestEnv;
let seed: SeedResult;
let token: string;
const ws = newWorkstation('Bureau');

beforeAll(async () => {
  env = await startTestEnv();
  seed = await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
  token = (
    await call(env, 'POST', '/v1/auth/password', {
      ws,
      body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
    })
  ).json.token as string;
});
afterAll(() => env?.close());

const verify = async (accountId?: string) =>
  (await call(env, 'GET', `/v1/events/verify${accountId ? `?accountId=${accountId}` : ''}`, { ws, token }))
    .json as {
    ok: boolean;
    anchorSeq: number;
    firstBad: { seq: number; problem: string } | null;
  };

describe('history that a database writer rewrites', () => {
  it('an old event edited by hand with the chain recomputed is refused by the server', async () => {
    const accountId = seed.accounts.holder;
    expect(await verify()).toMatchObject({ ok: true, firstBad: null });
    await rewriteAndRecompute(env.backend.db, accountId, 5, 'Poste du stagiaire');
    const after = await verify();
    expect(after.ok).toBe(false);
    expect(after.firstBad?.problem).toBe('rewritten');
    // The server's checkpoint is after the edited event: it says the history up to it changed.
    expect(after.firstBad!.seq).toBeGreaterThanOrEqual(5);
  });

  it('a retention purge faked by hand (events deleted, anchor moved) is refused by the server', async () => {
    const accountId = Object.values(seed.accounts).find((a) => a !== seed.accounts.holder)!;
    expect(await verify(accountId)).toMatchObject({ ok: true });
    await env.backend.db.transaction().execute(async (trx) => {
      const ev = await trx
        .selectFrom('events')
        .select(['seq', 'hash'])
        .where('account_id', '=', accountId)
        .where('seq', '=', 10)
        .executeTakeFirstOrThrow();
      await sql`alter table events disable trigger events_append_only`.execute(trx);
      await sql`delete from events where account_id = ${accountId} and seq <= 10`.execute(trx);
      await sql`update event_chains set anchor_seq = ${ev.seq}, anchor_hash = ${ev.hash}, anchor_at = now() where account_id = ${accountId}`.execute(
        trx,
      );
      await sql`alter table events enable trigger events_append_only`.execute(trx);
    });
    expect(await verify(accountId)).toMatchObject({ ok: false, firstBad: { problem: 'rewritten' } });
  });

  it('a real retention purge still verifies', async () => {
    const accountId = Object.values(seed.accounts).filter((a) => a !== seed.accounts.holder)[1]!;
    env.clock.advance(90 * 86_400_000); // the seed's oldest events are now past the 12-month retention
    token = (
      await call(env, 'POST', '/v1/auth/password', {
        ws,
        body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
      })
    ).json.token as string;
    const purged = await env.backend.jobs.run('retention');
    expect(purged).toBeGreaterThan(0);
    const after = await verify(accountId);
    expect(after).toMatchObject({ ok: true, firstBad: null });
    expect(after.anchorSeq).toBeGreaterThan(0);
  });
});

/**
 * On a PostgreSQL server the backend connects as a role that owns neither the events tables nor their
 * trigger, and the retention purge as another one: a leaked backend connection string cannot lift the
 * append-only protection, move the anchor, or delete events.
 */
describe.runIf(dbKind() === 'postgres')('the backend connection on a PostgreSQL server', () => {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const appRole = `vigie_backend_${suffix}`;
  const purgeRole = `vigie_retention_${suffix}`;
  const urlAs = (role: string) => env.databaseUrl.replace('//postgres@', `//${role}@`);
  let app: pg.Client;

  beforeAll(async () => {
    // What the operator does once, as the database owner (backend/README.md).
    await sql
      .raw(
        `create role ${appRole} login in role vigie_app; create role ${purgeRole} login in role vigie_purge`,
      )
      .execute(env.backend.db);
    app = new pg.Client({ connectionString: urlAs(appRole) });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
  });

  it('cannot lift the trigger, delete or rewrite events, nor move the retention anchor', async () => {
    const accountId = seed.accounts.holder;
    const refused = async (text: string) => {
      await app.query('begin');
      try {
        await expect(app.query(text), text).rejects.toThrow(/permission denied|must be owner/);
      } finally {
        await app.query('rollback');
      }
    };
    await refused(`alter table events disable trigger events_append_only`);
    await app.query('begin');
    await app.query(`select set_config('vigie.purge', 'on', true)`);
    await expect(app.query(`delete from events where account_id = '${accountId}'`)).rejects.toThrow(
      /permission denied/,
    );
    await app.query('rollback');
    await refused(`update events set workstation_label = 'Poste pirate' where account_id = '${accountId}'`);
    await refused(`update event_chains set anchor_seq = 10 where account_id = '${accountId}'`);
    await refused(`truncate events`);
  });

  it('a backend on that role signs in, records and verifies; the purge runs under its own role', async () => {
    const other = await startTestEnv({ backend: { database: urlAs(appRole) } });
    const purge = await openDatabase(urlAs(purgeRole));
    try {
      const r = await call(other, 'POST', '/v1/auth/password', {
        ws,
        body: { identifier: DEMO_PHARMACY.amNumber, password: DEMO_PASSWORD },
      });
      expect(r.status).toBe(200);
      const v = await call(other, 'GET', '/v1/events/verify', { ws, token: r.json.token as string });
      // The holder's chain was rewritten above: the answer says so, through this role too.
      expect(v.status).toBe(200);
      expect(v.json).toMatchObject({ ok: false, firstBad: { problem: 'rewritten' } });
      usePurgeDatabase(purge.db);
      other.clock.advance(200 * 86_400_000);
      expect(await other.backend.jobs.run('retention')).toBeGreaterThan(0);
    } finally {
      usePurgeDatabase(null);
      await purge.close();
      await other.close();
    }
  });
});
