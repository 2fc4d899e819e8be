/**
 * Test data and the after-the-fault checks, straight on the database (PGlite folder once its backend is
 * stopped, or the PostgreSQL server): every acknowledged sign-in has its session, its `sign_in` event and its
 * mail; nothing is half-written; every touched account's hash chain verifies.
 */
import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { sql } from 'kysely';
import { migrate, openDatabase, type Db } from '../../backend/db/connect';
import { defaultConfig } from '../../backend/context';
import { createAccount, createPharmacy } from '../../backend/accounts/accounts';
import { verifyChain } from '../../backend/events/chain';
import { HEADER_APP_VERSION, HEADER_WORKSTATION, HEADER_WORKSTATION_LABEL } from '../../domain/backend-api';

export const PASSWORD = 'Fautes-Essai-2027!Garrigue';
export const ARGON = { memoryCost: 4096, timeCost: 2, parallelism: 1 };

export interface Seeded {
  identifiers: string[];
  accountIds: string[];
  holderId: string;
}

/** One pharmacy, a holder and `n - 1` password delegates, all with PASSWORD. */
export async function seed(db: Db, n: number, prefix = 'faute'): Promise<Seeded> {
  const stored = await hash(PASSWORD, ARGON);
  const now = new Date();
  const config = { ...defaultConfig, argon2: ARGON };
  return db.transaction().execute(async (trx) => {
    const tag = randomUUID().slice(0, 6);
    const finess = `75${Math.floor(Math.random() * 1e7)
      .toString()
      .padStart(7, '0')}`;
    const pharmacyId = await createPharmacy(
      trx,
      {
        finess,
        amNumber: `${finess}9`.slice(0, 9),
        name: `Pharmacie ${tag}`,
        address: { line1: '1 rue', postalCode: '75001', city: 'Paris' },
      },
      now,
    );
    const identifiers: string[] = [];
    const accountIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const identifier = `${prefix}.${tag}.${i}`;
      const id = await createAccount(
        trx,
        {
          pharmacyId,
          kind: i === 0 ? 'holder' : 'password_delegate',
          displayName: `Compte ${i}`,
          identifier,
          nationalId:
            i === 0
              ? `8997${Math.floor(Math.random() * 1e8)
                  .toString()
                  .padStart(8, '0')}`
              : null,
          email: `${identifier}@x.invalid`,
          passwordHash: stored,
        },
        now,
        config,
      );
      identifiers.push(identifier);
      accountIds.push(id);
    }
    for (const id of accountIds.slice(1)) {
      await trx
        .insertInto('delegations')
        .values({
          holder_account_id: accountIds[0]!,
          delegate_account_id: id,
          granted_at: now,
          granted_by: accountIds[0]!,
          revoked_at: null,
          revoked_by: null,
        })
        .execute();
    }
    return { identifiers, accountIds, holderId: accountIds[0]! };
  });
}

export async function withDb<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const opened = await openDatabase(url, { poolSize: 2 });
  try {
    await migrate(opened.db);
    return await fn(opened.db);
  } finally {
    await opened.close();
  }
}

export const wsHeaders = (ws: string = randomUUID(), label = 'Poste fautes') => ({
  'content-type': 'application/json',
  [HEADER_WORKSTATION]: ws,
  [HEADER_WORKSTATION_LABEL]: encodeURIComponent(label),
  [HEADER_APP_VERSION]: '0.1.0-faults',
});

export interface SignInAck {
  identifier: string;
  sessionId: string;
  token: string;
}

export type Attempt =
  | { ok: true; ack: SignInAck }
  | { ok: false; status: number; code?: string; retryable?: boolean; transport?: string };

/** One password sign-in over real HTTP; a transport error (connection reset by a kill) is an outcome too. */
const workstations = new Map<string, string>();
/** Each account signs in from its own counter (two workstations at once would be "shared credentials"). */
export const workstationOf = (identifier: string) => {
  let ws = workstations.get(identifier);
  if (!ws) workstations.set(identifier, (ws = randomUUID()));
  return ws;
};

export async function signIn(
  url: string,
  identifier: string,
  password = PASSWORD,
  timeoutMs = 20_000,
): Promise<Attempt> {
  try {
    const res = await fetch(`${url}/v1/auth/password`, {
      method: 'POST',
      headers: wsHeaders(workstationOf(identifier)),
      body: JSON.stringify({ identifier, password }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as {
      token?: string;
      sessionId?: string;
      code?: string;
      retryable?: boolean;
    };
    if (res.status === 200 && body.token && body.sessionId)
      return { ok: true, ack: { identifier, sessionId: body.sessionId, token: body.token } };
    return { ok: false, status: res.status, code: body.code, retryable: body.retryable };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { ok: false, status: 0, transport: err.cause?.code ?? err.name };
  }
}

export interface Audit {
  acknowledged: number;
  missingSessions: string[];
  missingEvents: string[];
  /** Sessions without their sign_in event, or the reverse (a half-written sign-in). */
  halfWritten: number;
  sessions: number;
  signInEvents: number;
  signInMails: number;
  chainsChecked: number;
  badChains: string[];
}

/** Every acknowledged sign-in is there, nothing is half-written, every account's chain verifies. */
export async function audit(db: Db, accountIds: string[], acks: SignInAck[]): Promise<Audit> {
  const sessions = await db
    .selectFrom('sessions')
    .select(['id'])
    .where('account_id', 'in', accountIds)
    .execute();
  const events = await sql<{
    sid: string | null;
  }>`select details->>'sessionId' as sid from events where type = 'sign_in' and account_id in (${sql.join(accountIds)})`.execute(
    db,
  );
  const sessionIds = new Set(sessions.map((s) => s.id));
  const eventSids = new Set(events.rows.map((r) => r.sid).filter((x): x is string => !!x));
  const mails = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', 'in', accountIds)
    .where('kind', '=', 'sign_in')
    .executeTakeFirstOrThrow();
  let halfWritten = 0;
  for (const s of sessionIds) if (!eventSids.has(s)) halfWritten++;
  for (const s of eventSids) if (!sessionIds.has(s)) halfWritten++;
  const badChains: string[] = [];
  for (const id of accountIds) {
    const v = await verifyChain(db, id);
    if (!v.ok) badChains.push(`${id}: ${JSON.stringify(v.firstBad)}`);
  }
  return {
    acknowledged: acks.length,
    missingSessions: acks.filter((a) => !sessionIds.has(a.sessionId)).map((a) => a.sessionId),
    missingEvents: acks.filter((a) => !eventSids.has(a.sessionId)).map((a) => a.sessionId),
    halfWritten,
    sessions: sessionIds.size,
    signInEvents: eventSids.size,
    signInMails: Number(mails.n),
    chainsChecked: accountIds.length,
    badChains,
  };
}
