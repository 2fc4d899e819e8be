/**
 * The common case of a successful sign-in, as ONE SQL statement (atomic on its own, no BEGIN/COMMIT round
 * trips): refresh the workstation, restart the account's activity clock (only if it is active and before its
 * block date, and the workstation is not revoked), open the session, append the `sign_in` event to the
 * account's hash chain (the hash is computed by PostgreSQL with the same formula as events/hash.ts), and
 * put the sign-in mail in the outbox, and clear the identifier's throttle counter. Anything unusual (blocked, due, revoked workstation) writes nothing
 * and falls back to the general path in password.ts.
 *
 * Concurrency: the UPDATE of the account row and the FOR UPDATE of the chain head serialise concurrent
 * appends to one account, also across backend instances (READ COMMITTED re-reads the locked row).
 */
import { sql, type RawBuilder } from 'kysely';
import { randomUUID } from 'node:crypto';
import { prepared, type Db } from '../db/connect';
import { eventPayload } from '../events/hash';
import { newMessageId, newToken, sha256 } from '../crypto';
import type { Mail } from '../mail/templates';
import type { RequestMeta } from '../http/meta';
import { labelOnSeen } from '../workstations/workstations';

export interface FastSignIn {
  accountId: string;
  /** The account's pharmacy: a workstation's first sign-in makes it the pharmacy's. */
  pharmacyId: string;
  now: Date;
  meta: RequestMeta & { workstationId: string };
  deadlines: { block_due_at: Date; next_reminder_at: Date | null };
  mail: Mail & { to: string };
  /** The throttle key of this identifier: a success clears its counter in the same statement. */
  throttleKey?: string;
}

export type FastOutcome =
  { ok: true; token: string; sessionId: string } | { ok: false; workstationRevoked: boolean };

/**
 * The writes every successful password sign-in ends with, as CTEs that follow `acc` (the account row, updated only
 * when the sign-in goes through): the session (only its token's SHA-256 stored), the `sign_in` event appended to
 * the account's chain (hashed by PostgreSQL from the head it locks, with events/hash.ts's formula) and the
 * sign-in mail. Shared by the one-step statement here and the second step's (auth/factors/steps-fast.ts).
 */
export function signInWrites(p: {
  accountId: string;
  now: Date;
  meta: RequestMeta & { workstationId: string };
  label: string | null;
  /** The session's scope, as SQL. */
  scope: RawBuilder<unknown>;
  token: string;
  sessionId: string;
  details: Record<string, string>;
  mail: Mail & { to: string };
}) {
  const { now, meta } = p;
  const payload = eventPayload({
    accountId: p.accountId,
    at: now,
    type: 'sign_in',
    method: 'password',
    outcome: 'success',
    workstationId: meta.workstationId,
    workstationLabel: p.label,
    ip: meta.ip,
    appVersion: meta.appVersion,
    cardSerial: null,
    details: p.details,
  });
  return sql`sess as (
      insert into sessions (id, account_id, workstation_id, token_hash, method, scope, created_at, last_seen_at, ip, app_version)
      select ${p.sessionId}::uuid, acc.id, ${meta.workstationId}::text, ${sha256(p.token)}::text, 'password', ${p.scope},
             ${now}::timestamptz, ${now}::timestamptz, ${meta.ip}::text, ${meta.appVersion}::text
      from acc
      returning id
    ), head as (
      select c.seq, c.head_hash from event_chains c
      where c.account_id = ${p.accountId}::uuid and exists (select 1 from acc)
      for update
    ), moved as (
      update event_chains c set
        seq = head.seq + 1,
        head_hash = encode(sha256(convert_to(head.head_hash || E'\\n' || (head.seq + 1)::text || E'\\n' || ${payload}::text, 'UTF8')), 'hex')
      from head
      where c.account_id = ${p.accountId}::uuid
      returning c.seq, c.head_hash, head.head_hash as prev_hash
    ), ev as (
      insert into events (account_id, seq, at, type, method, outcome, workstation_id, workstation_label, ip, app_version, card_serial, details, prev_hash, hash)
      select ${p.accountId}::uuid, moved.seq, ${now}::timestamptz, 'sign_in', 'password', 'success', ${meta.workstationId}::text, ${p.label}::text,
             ${meta.ip}::text, ${meta.appVersion}::text, null, ${JSON.stringify(p.details)}::jsonb, moved.prev_hash, moved.head_hash
      from moved
      returning id
    ), mail as (
      insert into outbox (message_id, account_id, kind, to_address, subject, body_text, created_at, next_attempt_at)
      select ${newMessageId()}::text, acc.id, ${p.mail.kind}::text, ${p.mail.to}::text, ${p.mail.subject}::text, ${p.mail.text}::text,
             ${now}::timestamptz, ${now}::timestamptz
      from acc
      returning id
    )`;
}

/**
 * The statement, unexecuted (its SQL is committed in db/snapshots/signin-fast.sql). `token` is the session's
 * bearer token (only its SHA-256 is stored), `sessionId` its id.
 */
export function fastSignInQuery(p: FastSignIn, token: string, sessionId: string) {
  // The caller passes the registered label when the workstation has one (the statement keeps it too).
  const label = p.meta.workstationLabel;
  const now = p.now;
  return sql<{ activated: number; ws_revoked: boolean }>`${prepared('signin-fast')}
    with ws as (
      insert into workstations (id, label, first_seen_at, last_seen_at, pharmacy_id)
      values (${p.meta.workstationId}::text, coalesce(${label}::text, 'Poste sans nom'), ${now}::timestamptz, ${now}::timestamptz, ${p.pharmacyId}::uuid)
      on conflict (id) do update set
        label = ${labelOnSeen(label)},
        last_seen_at = ${now}::timestamptz,
        pharmacy_id = coalesce(workstations.pharmacy_id, excluded.pharmacy_id)
      returning revoked_at, label
    ), acc as (
      update accounts set
        last_activity_at = ${now}::timestamptz,
        last_activity_method = 'password',
        last_activity_workstation_id = ${p.meta.workstationId}::text,
        block_due_at = ${p.deadlines.block_due_at}::timestamptz,
        next_reminder_at = ${p.deadlines.next_reminder_at}::timestamptz
      where id = ${p.accountId}::uuid and state = 'active' and block_due_at > ${now}::timestamptz
        and (select revoked_at from ws) is null
      returning id
    ), ${signInWrites({
      accountId: p.accountId,
      now,
      meta: p.meta,
      label,
      scope: sql`'full'`,
      token,
      sessionId,
      details: { sessionId },
      mail: p.mail,
    })}, cleared as (
      delete from login_throttle where key = ${p.throttleKey ?? null}::text and exists (select 1 from acc)
      returning key
    )
    select (select count(*) from acc)::int as activated,
           (select revoked_at is not null from ws) as ws_revoked,
           (select count(*) from ev)::int as events,
           (select count(*) from sess)::int as sessions,
           (select count(*) from mail)::int as mails,
           (select count(*) from cleared)::int as cleared
  `;
}

export async function fastSignIn(db: Db, p: FastSignIn): Promise<FastOutcome> {
  const token = newToken();
  const sessionId = randomUUID();
  const r = await fastSignInQuery(p, token, sessionId).execute(db);
  const row = r.rows[0];
  if (row && Number(row.activated) === 1) return { ok: true, token, sessionId };
  return { ok: false, workstationRevoked: row?.ws_revoked === true };
}

export interface FastStep {
  accountId: string;
  now: Date;
  meta: RequestMeta & { workstationId: string };
  ticket: string;
  purpose: 'verify' | 'enrol';
  passwordChange: boolean;
  expiresAt: Date;
  throttleKey: string;
}

/**
 * The right password on an account that goes on to a second step, as ONE statement (its SQL is committed in
 * db/snapshots/signin-step.sql): the workstation seen, then, if it is not withdrawn and the account is active and
 * before its block date, the identifier's throttle counter cleared and the step opened (only its ticket's SHA-256
 * stored). The activity clock does not move. Anything unusual writes nothing but the workstation's visit, and the
 * general path in password.ts decides.
 */
export function fastStepQuery(p: FastStep) {
  const { now, meta } = p;
  const label = meta.workstationLabel;
  return sql<{ opened: number; ws_revoked: boolean }>`${prepared('signin-step')}
    with ws as (
      insert into workstations (id, label, first_seen_at, last_seen_at, revoked_at)
      values (${meta.workstationId}::text, coalesce(${label}::text, 'Poste sans nom'), ${now}::timestamptz, ${now}::timestamptz, null)
      on conflict (id) do update set
        label = ${labelOnSeen(label)},
        last_seen_at = ${now}::timestamptz
      returning revoked_at
    ), live as (
      select id from accounts
      where id = ${p.accountId}::uuid and state = 'active' and block_due_at > ${now}::timestamptz
        and (select revoked_at from ws) is null
    ), cleared as (
      delete from login_throttle where key = ${p.throttleKey}::text and exists (select 1 from live)
      returning key
    ), st as (
      insert into factor_steps (ticket_hash, account_id, workstation_id, purpose, password_change, from_session, created_at, expires_at)
      select ${sha256(p.ticket)}::text, live.id, ${meta.workstationId}::text, ${p.purpose}::text, ${p.passwordChange}::boolean, false,
             ${now}::timestamptz, ${p.expiresAt}::timestamptz
      from live
      returning id
    )
    select (select count(*) from st)::int as opened,
           (select revoked_at is not null from ws) as ws_revoked,
           (select count(*) from cleared)::int as cleared
  `;
}
