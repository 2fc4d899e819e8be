/**
 * The first statement of a password sign-in, in one round trip: the address throttle verdict, the account with
 * all that a sign-in needs, and the reservation of this attempt on the counter of its source (this identifier from
 * this workstation and address, or from this proven workstation) before the password is checked.
 *
 * The reservation is one upsert: parallel guesses from one source queue on its row, each sees the attempts before
 * it, and no more than the policy allows get a password check; a throttled attempt is not counted. Nothing is
 * reserved when the address is throttled (a familiar workstation is not held back by its address), nor for a
 * registered workstation that sent no proof (it is refused afterwards). A successful sign-in deletes the key. The
 * outer one-row VALUES keeps the row when there is no such account.
 */
import { sql } from 'kysely';
import type { BackendConfig } from '../context';
import { prepared } from '../db/connect';
import { ipKey, provenWorkstationKey, sourceKey, throttledSql } from './throttle';

export interface LookupRow {
  /** IP or source throttled: the password is not checked. */
  throttled: boolean;
  /** The counter this attempt was reserved on (null when none was: address throttled, or proof missing). */
  throttle_key: string | null;
  /**
   * A familiar source: a registered workstation that proved the request and on which this account already signed
   * in (an open or recent session, or its last activity). Its failures are evidence (nobody else can send them);
   * the address throttle does not apply to it.
   */
  familiar: boolean;
  id: string | null;
  display_name: string;
  email: string;
  created_at: Date;
  kind: 'holder' | 'card_delegate' | 'password_delegate';
  pharmacy_id: string;
  hash: string | null;
  expires_at: Date | null;
  pharmacy_name: string;
  finess: string;
  delegated: boolean;
  /** A registered workstation keeps its registered label; the header cannot rename it. */
  ws_registered_label: string | null;
  ws_public_key: string | null;
  /** The enrolled second factor, if any (auth/factors/). */
  factor_kind: 'totp' | 'email' | null;
  /** The pharmacy's second-factor grace: null until it starts. */
  factor_grace_ends_at: Date | null;
  factor_grace_extended: boolean;
}

export interface LookupInput {
  identifier: string;
  workstationId: string;
  ip: string | null;
  /** The request carried a valid workstation proof (checked before this statement). */
  proven: boolean;
  now: Date;
}

/** The statement, unexecuted (its SQL is committed in db/snapshots/signin-lookup.sql). */
export function signInLookupQuery(
  p: LookupInput,
  config: Pick<BackendConfig, 'ipThrottle' | 'accountThrottle'>,
) {
  const { identifier, workstationId, proven, now } = p;
  const addressThrottled = throttledSql('ip', now, config.ipThrottle);
  const sourceThrottled = throttledSql('t', now, config.accountThrottle);
  return sql<LookupRow>`${prepared('signin-lookup')}
      with src as (
        select
          ${proven}::boolean and reg.registered as proven,
          ${proven}::boolean and reg.registered and exists (
            select 1 from accounts a0 where a0.identifier = ${identifier}
              and (a0.last_activity_workstation_id = ${workstationId}
                or exists (select 1 from sessions s where s.workstation_id = ${workstationId} and s.account_id = a0.id))
          ) as familiar,
          reg.registered
        from (select exists (select 1 from workstations w where w.id = ${workstationId} and w.public_key is not null) as registered) reg
      ), ipv as (
        select not src.familiar and coalesce((select ${addressThrottled.throttled} from login_throttle ip where ip.key = ${ipKey(p.ip)}), false) as throttled from src
      ), r as (
        insert into login_throttle as t (key, failures, last_failure_at, last_throttled)
        select case when src.proven then ${provenWorkstationKey(identifier, workstationId)}::text else ${sourceKey(identifier, workstationId, p.ip)}::text end, 1, ${now}::timestamptz, false from ipv, src
        where not ipv.throttled and (src.proven or not src.registered)
        on conflict (key) do update set
          failures = case when ${sourceThrottled.throttled} then t.failures else ${sourceThrottled.effective} + 1 end,
          last_failure_at = case when ${sourceThrottled.throttled} then t.last_failure_at else ${now}::timestamptz end,
          last_throttled = ${sourceThrottled.throttled}
        returning key, last_throttled
      )
      select
        coalesce((select last_throttled from r), true) as throttled,
        (select key from r) as throttle_key,
        (select familiar from src) as familiar,
        a.id, a.display_name, a.email, a.created_at, a.kind, a.pharmacy_id, p.hash, p.expires_at,
        ph.name as pharmacy_name, ph.finess,
        f.kind as factor_kind, ph.factor_grace_ends_at, ph.factor_grace_extended_at is not null as factor_grace_extended,
        exists (select 1 from delegations d where d.delegate_account_id = a.id and d.revoked_at is null) as delegated,
        (select w.label from workstations w where w.id = ${workstationId} and w.public_key is not null) as ws_registered_label,
        (select w.public_key from workstations w where w.id = ${workstationId}) as ws_public_key
      from (values (1)) as one (x)
      left join accounts a on a.identifier = ${identifier}
      left join pharmacies ph on ph.id = a.pharmacy_id
      left join passwords p on p.account_id = a.id and p.current
      left join second_factors f on f.account_id = a.id
    `;
}
