/**
 * `npm run backend -- seed --demo`: the demo pharmacy with months of realistic events (deterministic).
 * Idempotent: does nothing if the demo pharmacy exists.
 */
import { sql } from 'kysely';
import { addParisDays, addParisMonths, blockDate } from '../../domain/policy';
import { defaultConfig, type BackendConfig } from '../context';
import type { Db } from '../db/connect';
import type { AuthMethod } from '../db/schema';
import { appendEvents } from '../events/chain';
import { type NewEvent } from '../events/hash';
import { sha256 } from '../crypto';
import { PasswordHasher } from '../auth/passwords';
import { createAccount, createPharmacy, deadlines } from '../accounts/accounts';
import { DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PHARMACY, DEMO_WORKSTATIONS } from './people';

/** A small deterministic PRNG (mulberry32) so that the demo is the same on every machine. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedResult {
  created: boolean;
  pharmacyId: string;
  accounts: Record<keyof typeof DEMO_PEOPLE, string>;
}

export async function seedDemo(
  db: Db,
  now: Date,
  config: BackendConfig = defaultConfig,
): Promise<SeedResult> {
  const existing = await db
    .selectFrom('pharmacies')
    .select('id')
    .where('finess', '=', DEMO_PHARMACY.finess)
    .executeTakeFirst();
  if (existing) {
    const rows = await db
      .selectFrom('accounts')
      .select(['id', 'national_id', 'identifier'])
      .where('pharmacy_id', '=', existing.id)
      .execute();
    const find = (p: { nationalId: string | null; identifier: string | null }) =>
      rows.find(
        (r) =>
          (p.nationalId && r.national_id === p.nationalId) || (p.identifier && r.identifier === p.identifier),
      )?.id ?? '';
    const accounts = Object.fromEntries(
      Object.entries(DEMO_PEOPLE).map(([k, p]) => [k, find(p)]),
    ) as SeedResult['accounts'];
    return { created: false, pharmacyId: existing.id, accounts };
  }
  const hasher = new PasswordHasher(config.argon2);
  const passwordHash = await hasher.hash(DEMO_PASSWORD);
  const rnd = prng(20270314);
  const P = DEMO_PEOPLE;
  // When each account was created, and its last activity (which sets its block date).
  const created = addParisMonths(now, -14);
  const soonLast = addParisDays(addParisMonths(now, -6), P.accountantSoon.daysBeforeBlock);
  const lastActivity: Record<keyof typeof P, Date> = {
    holder: addParisDays(now, -1),
    employee: addParisDays(now, -2),
    accountantSoon: soonLast,
    accountantBlocked: addParisMonths(now, -7),
    suspicious: addParisDays(now, -20),
  };

  return db.transaction().execute(async (trx) => {
    const pharmacyId = await createPharmacy(
      trx,
      { ...DEMO_PHARMACY, address: { ...DEMO_PHARMACY.address } },
      created,
    );
    for (const w of DEMO_WORKSTATIONS) {
      await trx
        .insertInto('workstations')
        .values({ id: w.id, label: w.label, first_seen_at: created, last_seen_at: now, revoked_at: null })
        .execute();
    }
    const ids = {} as SeedResult['accounts'];
    for (const [key, p] of Object.entries(P) as [keyof typeof P, (typeof P)[keyof typeof P]][]) {
      ids[key] = await createAccount(
        trx,
        {
          pharmacyId,
          kind: p.kind,
          displayName: p.displayName,
          nationalId: p.nationalId,
          identifier: p.identifier,
          email: p.email,
          postalAddress: { ...DEMO_PHARMACY.address },
          passwordHash: p.identifier ? passwordHash : null,
          createdBy: null,
        },
        created,
        config,
      );
    }
    for (const key of ['employee', 'accountantSoon', 'accountantBlocked', 'suspicious'] as const) {
      await trx
        .insertInto('delegations')
        .values({
          holder_account_id: ids.holder,
          delegate_account_id: ids[key],
          granted_at: created,
          granted_by: ids.holder,
          revoked_at: null,
          revoked_by: null,
        })
        .execute();
    }

    // Months of sign-ins: counter staff nearly every opening day, accountants around the monthly closing.
    const methodOf: Record<keyof typeof P, AuthMethod> = {
      holder: 'card',
      employee: 'card',
      accountantSoon: 'password',
      accountantBlocked: 'password',
      suspicious: 'password',
    };
    const history: NewEvent[] = [];
    for (const key of Object.keys(P) as (keyof typeof P)[]) {
      const events: NewEvent[] = [];
      const last = lastActivity[key];
      const start = addParisDays(created, 1);
      const staff = key === 'holder' || key === 'employee';
      for (
        let day = start;
        day.getTime() <= last.getTime();
        day = addParisDays(day, staff ? 1 : 30 + Math.floor(rnd() * 5))
      ) {
        const dow = new Date(day).getUTCDay();
        if (staff && (dow === 0 || rnd() < 0.15)) continue;
        const ws = DEMO_WORKSTATIONS[staff ? Math.floor(rnd() * 2) : 2]!;
        const at = new Date(day.getTime() + Math.floor(rnd() * 8 * 3600_000));
        if (at.getTime() > last.getTime()) break;
        const base = {
          accountId: ids[key],
          workstationId: ws.id,
          workstationLabel: ws.label,
          ip: `192.0.2.${10 + Math.floor(rnd() * 20)}`,
          appVersion: '0.1.0',
        };
        const cardSerial =
          methodOf[key] === 'card' ? (key === 'holder' ? '8250000001234' : '8250000006789') : null;
        if (!staff && rnd() < 0.2) {
          events.push({
            ...base,
            at: new Date(at.getTime() - 60_000),
            type: 'sign_in_failed',
            method: 'password',
            outcome: 'failure',
            details: { reason: 'wrong_password' },
          });
        }
        events.push({
          ...base,
          at,
          type: 'sign_in',
          method: methodOf[key],
          outcome: 'success',
          cardSerial,
          details: {},
        });
        if (staff && rnd() < 0.6) {
          events.push({
            ...base,
            at: new Date(at.getTime() + (1 + rnd() * 3) * 3600_000),
            type: 'sign_out',
            outcome: 'success',
            details: {},
          });
        }
      }
      // The last sign-in is exactly the recorded last activity.
      const ws = DEMO_WORKSTATIONS[staff ? 0 : 2]!;
      if (events.length === 0 || events[events.length - 1]!.at.getTime() < last.getTime()) {
        events.push({
          accountId: ids[key],
          at: last,
          type: 'sign_in',
          method: methodOf[key],
          outcome: 'success',
          workstationId: ws.id,
          workstationLabel: ws.label,
          ip: '192.0.2.10',
          appVersion: '0.1.0',
          details: {},
        });
      }
      history.push(...events.filter((e) => e.at.getTime() <= last.getTime() || e.type === 'sign_out'));
      await trx
        .updateTable('accounts')
        .set({
          last_activity_at: last,
          last_activity_method: methodOf[key],
          last_activity_workstation_id: ws.id,
          ...deadlines(last, created, now, config),
        })
        .where('id', '=', ids[key])
        .execute();
      // The session of that last sign-in, long over: the workstations list of the holder shows who used what.
      await trx
        .insertInto('sessions')
        .values({
          account_id: ids[key],
          workstation_id: ws.id,
          token_hash: sha256(`demo-ended-session-${key}`),
          method: methodOf[key],
          scope: 'full',
          created_at: last,
          last_seen_at: new Date(last.getTime() + 3600_000),
          revoked_at: new Date(Math.min(last.getTime() + 2 * 3600_000, now.getTime())),
          end_reason: 'sign_out',
          ip: '192.0.2.10',
          app_version: '0.1.0',
        })
        .execute();
    }
    // Each workstation was last seen at the last sign-in on it.
    await sql`update workstations w set last_seen_at = coalesce((select max(s.created_at) from sessions s where s.workstation_id = w.id), w.last_seen_at)
      where w.id = any(${DEMO_WORKSTATIONS.map((w) => w.id)}::text[])`.execute(trx);
    history.sort((a, b) => a.at.getTime() - b.at.getTime());
    // Blocks happened in the past for the two blocked accounts.
    const marcBlockedAt = blockDate(lastActivity.accountantBlocked, created);
    const nadiaBlockedAt = addParisDays(lastActivity.suspicious, 1);
    history.push(
      {
        accountId: ids.accountantBlocked,
        at: marcBlockedAt,
        type: 'account_blocked',
        method: 'system',
        outcome: 'info',
        details: { reason: 'inactivity', explanation: 'Compte non utilisé depuis plus de 6 mois.' },
      },
      {
        accountId: ids.suspicious,
        at: nadiaBlockedAt,
        type: 'account_blocked',
        method: 'system',
        outcome: 'info',
        details: { reason: 'suspicious', explanation: P.suspicious.explanation },
      },
    );
    await appendEvents(
      trx,
      history.sort((a, b) => a.at.getTime() - b.at.getTime()),
    );
    await trx
      .updateTable('accounts')
      .set({
        state: 'blocked',
        block_reason: 'inactivity',
        block_explanation: 'Compte non utilisé depuis plus de 6 mois.',
        blocked_at: marcBlockedAt,
        next_reminder_at: null,
      })
      .where('id', '=', ids.accountantBlocked)
      .execute();
    await trx
      .updateTable('accounts')
      .set({
        state: 'blocked',
        block_reason: 'suspicious',
        block_explanation: P.suspicious.explanation,
        blocked_at: nadiaBlockedAt,
        next_reminder_at: null,
      })
      .where('id', '=', ids.suspicious)
      .execute();
    // Passwords were last changed two months ago (they expire after six).
    const pwSetAt = addParisMonths(now, -2);
    await trx
      .updateTable('passwords')
      .set({ created_at: pwSetAt, expires_at: addParisMonths(pwSetAt, 6) })
      .where('account_id', 'in', Object.values(ids))
      .execute();
    // Sophie's D-30 and D-7 reminders were mailed already; D-1 is still to come.
    const sophieBlock = blockDate(lastActivity.accountantSoon, created);
    const reminders: NewEvent[] = [];
    for (const days of [30, 7]) {
      const at = addParisDays(sophieBlock, -days);
      if (at.getTime() > now.getTime()) continue;
      await trx
        .insertInto('reminders')
        .values({ account_id: ids.accountantSoon, block_due_at: sophieBlock, days, sent_at: at })
        .execute();
      reminders.push({
        accountId: ids.accountantSoon,
        at,
        type: 'reminder_sent',
        method: 'system',
        outcome: 'info',
        details: { days, blockAt: sophieBlock.toISOString() },
      });
    }
    await appendEvents(trx, reminders);
    return { created: true, pharmacyId, accounts: ids };
  });
}
