/**
 * The events history against someone who can write the database: they edit an old event by hand and
 * recompute every hash after it (the formula is public), or fake a retention purge to make events disappear.
 * The server keys its checkpoints of each chain with a key that is not in the database, so neither passes.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PHARMACY } from '../demo/people';
import { seedDemo, type SeedResult } from '../demo/seed';
import { call, newWorkstation, startTestEnv, type TestEnv } from './harness';
import { keepFactorGraceOpen } from './factor-grace';
import { rewriteAndRecompute } from './tamper';

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
