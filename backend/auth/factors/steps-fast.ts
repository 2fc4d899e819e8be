/**
 * The second step's two statements (their SQL is committed in db/snapshots/second-step-*.sql).
 *
 * 1. `stepAttemptQuery`, for every code attempt: the live step the ticket names with all that the check and the
 *    session need, and the reservation of this attempt on its counters (the source, the step, the account's), in
 *    one round trip, before any check. A throttled attempt is not counted.
 * 2. `fastTotpSignInQuery`, for a right authenticator app code (checked in between against the secret the first
 *    statement read): everything the general path does after the check, in one statement: the step, its TOTP time
 *    step and the account locked and checked again (still live, the same secret and an earlier time step, active and
 *    before its block date, a delegate's delegation still there, the workstation not withdrawn and as it was read),
 *    then the step done, the time step taken, the workstation seen, the activity clock restarted, the session, the
 *    `sign_in` event appended to the account's hash chain (hashed by PostgreSQL as in ../password-fast.ts), the
 *    sign-in mail and the counters settled. When any check fails it writes nothing and the general path of
 *    second-step.ts decides (which refuses, blocks or names the withdrawn workstation as before).
 */
import { sql } from 'kysely';
import type { ThrottlePolicy } from '../../../domain/policy';
import type { BackendConfig } from '../../context';
import { sha256 } from '../../crypto';
import { prepared } from '../../db/connect';
import type { RequestMeta } from '../../http/meta';
import type { Mail } from '../../mail/templates';
import { signInWrites } from '../password-fast';
import { throttledSql } from '../throttle';
import type { StepRow } from './step-store';

/** The live step a ticket names, with its account, factor and workstation (nulls when it names none). */
export interface AttemptRow extends Omit<StepRow, 'id'> {
  throttled: boolean;
  id: string | null;
  totp_secret: string | null;
  last_step: number | null;
  kind: 'holder' | 'card_delegate' | 'password_delegate';
  created_at: Date;
  pharmacy_id: string;
  pharmacy_name: string;
  finess: string;
  ws_label: string | null;
  ws_public_key: string | null;
}

export interface AttemptInput {
  ticket: string;
  workstationId: string;
  purpose: 'verify' | 'enrol';
  /** The counter of this source (workstation and address). */
  sourceKey: string;
  /** What follows `2f:acc:<account id>` in the account's counter, and that counter's policy. */
  accountSuffix: string;
  accountPolicy: ThrottlePolicy;
  now: Date;
}

/** One counter's reservation (see ../throttle.ts `reserveAttempt`), on the rows `from` selects as `key`. */
const reservation = (
  keySql: ReturnType<typeof sql>,
  from: ReturnType<typeof sql>,
  now: Date,
  p: ThrottlePolicy,
) => {
  const t = throttledSql('t', now, p);
  return sql`
      insert into login_throttle as t (key, failures, last_failure_at, last_throttled)
      select ${keySql}, 1, ${now}::timestamptz, false ${from}
      on conflict (key) do update set
        failures = case when ${t.throttled} then t.failures else ${t.effective} + 1 end,
        last_failure_at = case when ${t.throttled} then t.last_failure_at else ${now}::timestamptz end,
        last_throttled = ${t.throttled}
      returning last_throttled`;
};

/** The first statement, unexecuted. */
export function stepAttemptQuery(p: AttemptInput, config: Pick<BackendConfig, 'accountThrottle'>) {
  const { now } = p;
  return sql<AttemptRow>`${prepared('second-step-attempt')}
    with st as (
      select st.id, st.account_id, st.purpose, st.password_change, st.from_session, st.expires_at,
             st.mail_code_hash, st.mail_code_sent_at, st.mail_code_expires_at, st.mail_code_tries, st.mail_proven_at,
             st.pending_secret, a.email, a.display_name, a.kind, a.created_at, a.pharmacy_id,
             ph.name as pharmacy_name, ph.finess, f.kind as factor_kind, f.totp_secret, f.last_step,
             w.label as ws_label, w.public_key as ws_public_key
      from factor_steps st
      join accounts a on a.id = st.account_id
      join pharmacies ph on ph.id = a.pharmacy_id
      left join second_factors f on f.account_id = st.account_id
      left join workstations w on w.id = st.workstation_id
      where st.ticket_hash = ${sha256(p.ticket)}::text and st.workstation_id = ${p.workstationId}::text
        and st.done_at is null and st.expires_at > ${now}::timestamptz and st.purpose = ${p.purpose}::text
    ), r_src as (${reservation(sql`${p.sourceKey}::text`, sql``, now, config.accountThrottle)}
    ), r_step as (${reservation(sql`'2f:step:' || st.id::text`, sql`from st`, now, config.accountThrottle)}
    ), r_acc as (${reservation(sql`'2f:acc:' || st.account_id::text || ${p.accountSuffix}::text`, sql`from st`, now, p.accountPolicy)}
    )
    select
      coalesce((select bool_or(x) from (
        select last_throttled from r_src union all select last_throttled from r_step
        union all select last_throttled from r_acc) as r (x)), false) as throttled,
      st.*
    from (values (1)) as one (x)
    left join st on true
  `;
}

export interface FastTotpSignIn {
  stepId: string;
  accountId: string;
  pharmacyId: string;
  /** The sealed secret and the time step of the right code. */
  totpSecret: string;
  totpStep: number;
  now: Date;
  meta: RequestMeta & { workstationId: string };
  /** The workstation's key and label as the first statement read them, and its label once seen. */
  wsPublicKey: string | null;
  wsReadLabel: string;
  wsLabel: string;
  passwordChange: boolean;
  deadlines: { block_due_at: Date; next_reminder_at: Date | null };
  mail: Mail & { to: string };
  /** The counters a right code clears, and the shared one it takes its own count back from. */
  clearKeys: string[];
  sharedKey: string | null;
}

/** The second statement, unexecuted. `token` is the session's bearer token (only its SHA-256 is stored). */
export function fastTotpSignInQuery(p: FastTotpSignIn, token: string, sessionId: string) {
  const { now, meta } = p;
  const details = { sessionId, factor: 'totp' };
  return sql<{ activated: number }>`${prepared('second-step-totp')}
    with ok as (
      select st.id
      from factor_steps st
      join second_factors f on f.account_id = st.account_id
      join accounts a on a.id = st.account_id
      join workstations w on w.id = st.workstation_id
      where st.id = ${p.stepId}::uuid and st.account_id = ${p.accountId}::uuid and st.workstation_id = ${meta.workstationId}::text
        and st.purpose = 'verify' and st.done_at is null and st.expires_at > ${now}::timestamptz
        and f.kind = 'totp' and f.totp_secret = ${p.totpSecret}::text and (f.last_step is null or f.last_step < ${p.totpStep}::bigint)
        and a.state = 'active' and a.block_due_at > ${now}::timestamptz
        and (a.kind = 'holder' or exists (select 1 from delegations d where d.delegate_account_id = a.id and d.revoked_at is null))
        and w.revoked_at is null and w.public_key is not distinct from ${p.wsPublicKey}::text and w.label = ${p.wsReadLabel}::text
      for no key update of st, f, a, w
    ), done as (
      update factor_steps set done_at = ${now}::timestamptz
      where id = ${p.stepId}::uuid and exists (select 1 from ok)
      returning id
    ), taken as (
      update second_factors set last_step = ${p.totpStep}::bigint
      where account_id = ${p.accountId}::uuid and exists (select 1 from ok)
      returning account_id
    ), ws as (
      update workstations set
        label = ${p.wsLabel}::text,
        last_seen_at = ${now}::timestamptz,
        pharmacy_id = coalesce(workstations.pharmacy_id, ${p.pharmacyId}::uuid)
      where id = ${meta.workstationId}::text and exists (select 1 from ok)
      returning id
    ), acc as (
      update accounts set
        last_activity_at = ${now}::timestamptz,
        last_activity_method = 'password',
        last_activity_workstation_id = ${meta.workstationId}::text,
        block_due_at = ${p.deadlines.block_due_at}::timestamptz,
        next_reminder_at = ${p.deadlines.next_reminder_at}::timestamptz
      where id = ${p.accountId}::uuid and exists (select 1 from ok)
      returning id
    ), ${signInWrites({
      accountId: p.accountId,
      now,
      meta,
      label: p.wsLabel,
      scope: sql`${p.passwordChange ? 'password_change' : 'full'}::text`,
      token,
      sessionId,
      details,
      mail: p.mail,
    })}, cleared as (
      delete from login_throttle where key = any(${p.clearKeys}::text[]) and exists (select 1 from acc)
      returning key
    ), given_back as (
      update login_throttle set failures = greatest(failures - 1, 0)
      where key = ${p.sharedKey}::text and exists (select 1 from acc)
      returning key
    )
    select (select count(*) from acc)::int as activated,
           (select count(*) from done)::int as done,
           (select count(*) from taken)::int as taken,
           (select count(*) from ws)::int as seen,
           (select count(*) from sess)::int as sessions,
           (select count(*) from ev)::int as events,
           (select count(*) from mail)::int as mails,
           (select count(*) from cleared)::int as cleared,
           (select count(*) from given_back)::int as given_back
  `;
}
