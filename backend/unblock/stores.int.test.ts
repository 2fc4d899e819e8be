/**
 * The PostgreSQL stores through the path production uses: Kysely + `pg` over the wire protocol, to a fresh
 * database on the run's PostgreSQL server (backend-postgres project) or to a PGlite served by pglite-socket on
 * loopback (backend-pglite project), with the real migrations. Same behaviours as the in-memory stores:
 * single-use challenges, 3 security-key tries in 24 h under parallel requests, one pending postal code, single use.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createAccount, createPharmacy } from '../accounts/accounts';
import { SqlChallengeStore } from '../auth/card/challenge-store';
import { consumeChallenge, issueChallenge } from '../auth/card/challenges';
import { defaultConfig } from '../context';
import { migrate, type Db } from '../db/connect';
import type { Database } from '../db/schema';
import { SqlPostalCodeStore, SqlSecurityKeyStore } from './stores';
import { redeemPostalCode, requestPostalCode } from './postal-code';
import { setSecurityKey, verifySecurityKey } from './security-key';

let lite: PGlite | undefined;
let server: PGLiteSocketServer | undefined;
let db: Db;
let ACC: string;
const T0 = new Date('2026-11-22T09:00:00Z');
const at = (h: number) => new Date(T0.getTime() + h * 3600_000);

async function freshPostgresDatabase(): Promise<string> {
  const admin = (inject as unknown as (k: string) => string)('pgUrl');
  const name = `vigie_signin_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  return admin.replace(/\/postgres$/, `/${name}`);
}

beforeAll(async () => {
  let pool: pg.Pool;
  if (process.env.VIGIE_TEST_DB === 'postgres') {
    // Several connections: the parallel tries really run at the same time.
    pool = new pg.Pool({ connectionString: await freshPostgresDatabase(), max: 6 });
  } else {
    lite = new PGlite();
    await lite.waitReady;
    server = new PGLiteSocketServer({ db: lite, port: 0, host: '127.0.0.1' });
    await server.start();
    const [host, port] = server.getServerConn().split(':');
    pool = new pg.Pool({ host, port: Number(port), user: 'postgres', database: 'postgres', max: 1 });
  }
  db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrate(db);
  ACC = await db.transaction().execute(async (trx) => {
    const address = { line1: '1 rue de la Gare', postalCode: '69003', city: 'Lyon' };
    const pharmacyId = await createPharmacy(
      trx,
      { finess: '690000001', amNumber: '690000001', name: 'Pharmacie des stores', address },
      T0,
    );
    const account = { pharmacyId, kind: 'holder' as const, displayName: 'Claire M.', email: 'c@example.fr' };
    return createAccount(trx, { ...account, nationalId: '810000000001' }, T0, defaultConfig);
  });
});
afterAll(async () => {
  await db?.destroy();
  await server?.stop();
  await lite?.close();
});

describe('PostgreSQL stores (Kysely + pg)', () => {
  it('card challenges: one of two simultaneous uses wins, the other is a replay', async () => {
    const store = new SqlChallengeStore(db);
    const { challenge } = await issueChallenge(store, { workstationId: 'ws-1', now: T0, ttlMs: 60_000 });
    const res = await Promise.all(
      Array.from({ length: 4 }, () => consumeChallenge(store, challenge, 'ws-1', T0)),
    );
    expect(res.map((r) => (r.ok ? 'ok' : r.code)).sort()).toEqual([
      'CHALLENGE_REPLAYED',
      'CHALLENGE_REPLAYED',
      'CHALLENGE_REPLAYED',
      'ok',
    ]);
    await store.purgeExpired(at(1));
  });

  it('card challenges: single use, bound to the workstation, purged when expired', async () => {
    const store = new SqlChallengeStore(db);
    const { challenge } = await issueChallenge(store, { workstationId: 'ws-1', now: T0, ttlMs: 60_000 });
    expect((await consumeChallenge(store, challenge, 'ws-1', T0)).ok).toBe(true);
    expect(await consumeChallenge(store, challenge, 'ws-1', T0)).toMatchObject({
      code: 'CHALLENGE_REPLAYED',
    });
    const other = await issueChallenge(store, { workstationId: 'ws-1', now: T0, ttlMs: 60_000 });
    expect(await consumeChallenge(store, other.challenge, 'ws-2', T0)).toMatchObject({
      code: 'CHALLENGE_FOREIGN',
    });
    const late = await issueChallenge(store, { workstationId: 'ws-1', now: T0, ttlMs: 60_000 });
    expect(await consumeChallenge(store, late.challenge, 'ws-1', at(1))).toMatchObject({
      code: 'CHALLENGE_EXPIRED',
    });
    expect(await store.purgeExpired(at(1))).toBe(3);
  });

  it('security key: argon2id hash stored, 3 tries in 24 h even with parallel requests', async () => {
    const store = new SqlSecurityKeyStore(db);
    const answers = { birth_date: '03/07/1980', practice_postal_code: '69003', iban_last4: '4821' };
    await setSecurityKey(store, ACC, answers, T0);
    expect((await store.get(ACC))?.hash).toMatch(/^\$argon2id\$/);
    const wrong = { ...answers, iban_last4: '0000' };
    const res = await Promise.all(
      Array.from({ length: 5 }, () => verifySecurityKey(store, ACC, wrong, at(1))),
    );
    expect(res.map((r) => (r.ok ? 'ok' : r.code)).sort()).toEqual([
      'SECURITY_KEY_LOCKED',
      'SECURITY_KEY_LOCKED',
      'SECURITY_KEY_WRONG',
      'SECURITY_KEY_WRONG',
      'SECURITY_KEY_WRONG',
    ]);
    expect(await store.failuresSince(ACC, at(-23))).toBe(3);
    expect(await verifySecurityKey(store, ACC, { ...answers, birth_date: '1980-07-03' }, at(25.5))).toEqual({
      ok: true,
    });
  });

  it('postal codes: hashed, single use; a new request keeps the earlier code until one is used', async () => {
    const store = new SqlPostalCodeStore(db);
    const a = await requestPostalCode(store, ACC, T0);
    if (!a.ok) throw new Error(a.message);
    expect(await requestPostalCode(store, ACC, at(1))).toMatchObject({ code: 'POSTAL_CODE_PENDING' });
    const b = await requestPostalCode(store, ACC, at(48));
    if (!b.ok) throw new Error(b.message);
    expect(await redeemPostalCode(store, ACC, 'AAAA-BBBB-CCCC', at(49))).toMatchObject({
      code: 'POSTAL_CODE_WRONG',
    });
    expect(await redeemPostalCode(store, ACC, b.code, at(50))).toMatchObject({
      ok: true,
      reference: b.reference,
    });
    expect(await redeemPostalCode(store, ACC, b.code, at(51))).toMatchObject({ code: 'POSTAL_CODE_USED' });
    // Using one code ended the other.
    expect(await redeemPostalCode(store, ACC, a.code, at(51))).toMatchObject({ code: 'POSTAL_CODE_EXPIRED' });
  });
});
