import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connect';
import { DEMO_PASSWORD, DEMO_PHARMACY } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { usePurgeDatabase } from '../events/purge';
import { call, newWorkstation, startTestEnv, type TestEnv } from './harness';

let env: TestEnv;
let seed: SeedResult;
const ws = newWorkstation('Bureau');

beforeAll(async () => {
  env = await startTestEnv();
  seed = await seedDemo(env.backend.db, env.clock.now(), env.backend.ctx.config);
});
afterAll(() => env?.close());

/**
 * On a PostgreSQL server the backend connects as a role that owns neither the events tables nor their
 * trigger, and the retention purge as another one: a leaked backend connection string cannot lift the
 * append-only protection, move the anchor, or delete events.
 */
describe('the backend connection on a PostgreSQL server', () => {
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
      expect(v.json).toMatchObject({ ok: true, firstBad: null });
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
