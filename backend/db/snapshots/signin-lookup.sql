/* prepared:signin-lookup */
      with src as (
        select
          $1::boolean and reg.registered as proven,
          $2::boolean and reg.registered and exists (
            select 1 from accounts a0 where a0.identifier = $3
              and (a0.last_activity_workstation_id = $4
                or exists (select 1 from sessions s where s.workstation_id = $5 and s.account_id = a0.id))
          ) as familiar,
          reg.registered
        from (select exists (select 1 from workstations w where w.id = $6 and w.public_key is not null) as registered) reg
      ), ipv as (
        select not src.familiar and coalesce((select ((case when "ip".last_failure_at is null or $7::timestamptz - "ip".last_failure_at >= $8::float8 * interval '1 millisecond' then 0 else "ip".failures end) > 0 and "ip".last_failure_at + ($9::float8[])[least((case when "ip".last_failure_at is null or $10::timestamptz - "ip".last_failure_at >= $11::float8 * interval '1 millisecond' then 0 else "ip".failures end), $12) + 1] * interval '1 millisecond' > $13::timestamptz) from login_throttle ip where ip.key = $14), false) as throttled from src
      ), r as (
        insert into login_throttle as t (key, failures, last_failure_at, last_throttled)
        select case when src.proven then $15::text else $16::text end, 1, $17::timestamptz, false from ipv, src
        where not ipv.throttled and (src.proven or not src.registered)
        on conflict (key) do update set
          failures = case when ((case when "t".last_failure_at is null or $18::timestamptz - "t".last_failure_at >= $19::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($20::float8[])[least((case when "t".last_failure_at is null or $21::timestamptz - "t".last_failure_at >= $22::float8 * interval '1 millisecond' then 0 else "t".failures end), $23) + 1] * interval '1 millisecond' > $24::timestamptz) then t.failures else (case when "t".last_failure_at is null or $25::timestamptz - "t".last_failure_at >= $26::float8 * interval '1 millisecond' then 0 else "t".failures end) + 1 end,
          last_failure_at = case when ((case when "t".last_failure_at is null or $27::timestamptz - "t".last_failure_at >= $28::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($29::float8[])[least((case when "t".last_failure_at is null or $30::timestamptz - "t".last_failure_at >= $31::float8 * interval '1 millisecond' then 0 else "t".failures end), $32) + 1] * interval '1 millisecond' > $33::timestamptz) then t.last_failure_at else $34::timestamptz end,
          last_throttled = ((case when "t".last_failure_at is null or $35::timestamptz - "t".last_failure_at >= $36::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($37::float8[])[least((case when "t".last_failure_at is null or $38::timestamptz - "t".last_failure_at >= $39::float8 * interval '1 millisecond' then 0 else "t".failures end), $40) + 1] * interval '1 millisecond' > $41::timestamptz)
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
        (select w.label from workstations w where w.id = $42 and w.public_key is not null) as ws_registered_label,
        (select w.public_key from workstations w where w.id = $43) as ws_public_key
      from (values (1)) as one (x)
      left join accounts a on a.identifier = $44
      left join pharmacies ph on ph.id = a.pharmacy_id
      left join passwords p on p.account_id = a.id and p.current
      left join second_factors f on f.account_id = a.id
