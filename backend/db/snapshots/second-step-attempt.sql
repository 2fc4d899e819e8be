/* prepared:second-step-attempt */
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
      where st.ticket_hash = $1::text and st.workstation_id = $2::text
        and st.done_at is null and st.expires_at > $3::timestamptz and st.purpose = $4::text
    ), r_src as (
      insert into login_throttle as t (key, failures, last_failure_at, last_throttled)
      select $5::text, 1, $6::timestamptz, false
      on conflict (key) do update set
        failures = case when ((case when "t".last_failure_at is null or $7::timestamptz - "t".last_failure_at >= $8::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($9::float8[])[least((case when "t".last_failure_at is null or $10::timestamptz - "t".last_failure_at >= $11::float8 * interval '1 millisecond' then 0 else "t".failures end), $12) + 1] * interval '1 millisecond' > $13::timestamptz) then t.failures else (case when "t".last_failure_at is null or $14::timestamptz - "t".last_failure_at >= $15::float8 * interval '1 millisecond' then 0 else "t".failures end) + 1 end,
        last_failure_at = case when ((case when "t".last_failure_at is null or $16::timestamptz - "t".last_failure_at >= $17::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($18::float8[])[least((case when "t".last_failure_at is null or $19::timestamptz - "t".last_failure_at >= $20::float8 * interval '1 millisecond' then 0 else "t".failures end), $21) + 1] * interval '1 millisecond' > $22::timestamptz) then t.last_failure_at else $23::timestamptz end,
        last_throttled = ((case when "t".last_failure_at is null or $24::timestamptz - "t".last_failure_at >= $25::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($26::float8[])[least((case when "t".last_failure_at is null or $27::timestamptz - "t".last_failure_at >= $28::float8 * interval '1 millisecond' then 0 else "t".failures end), $29) + 1] * interval '1 millisecond' > $30::timestamptz)
      returning last_throttled
    ), r_step as (
      insert into login_throttle as t (key, failures, last_failure_at, last_throttled)
      select '2f:step:' || st.id::text, 1, $31::timestamptz, false from st
      on conflict (key) do update set
        failures = case when ((case when "t".last_failure_at is null or $32::timestamptz - "t".last_failure_at >= $33::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($34::float8[])[least((case when "t".last_failure_at is null or $35::timestamptz - "t".last_failure_at >= $36::float8 * interval '1 millisecond' then 0 else "t".failures end), $37) + 1] * interval '1 millisecond' > $38::timestamptz) then t.failures else (case when "t".last_failure_at is null or $39::timestamptz - "t".last_failure_at >= $40::float8 * interval '1 millisecond' then 0 else "t".failures end) + 1 end,
        last_failure_at = case when ((case when "t".last_failure_at is null or $41::timestamptz - "t".last_failure_at >= $42::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($43::float8[])[least((case when "t".last_failure_at is null or $44::timestamptz - "t".last_failure_at >= $45::float8 * interval '1 millisecond' then 0 else "t".failures end), $46) + 1] * interval '1 millisecond' > $47::timestamptz) then t.last_failure_at else $48::timestamptz end,
        last_throttled = ((case when "t".last_failure_at is null or $49::timestamptz - "t".last_failure_at >= $50::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($51::float8[])[least((case when "t".last_failure_at is null or $52::timestamptz - "t".last_failure_at >= $53::float8 * interval '1 millisecond' then 0 else "t".failures end), $54) + 1] * interval '1 millisecond' > $55::timestamptz)
      returning last_throttled
    ), r_acc as (
      insert into login_throttle as t (key, failures, last_failure_at, last_throttled)
      select '2f:acc:' || st.account_id::text || $56::text, 1, $57::timestamptz, false from st
      on conflict (key) do update set
        failures = case when ((case when "t".last_failure_at is null or $58::timestamptz - "t".last_failure_at >= $59::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($60::float8[])[least((case when "t".last_failure_at is null or $61::timestamptz - "t".last_failure_at >= $62::float8 * interval '1 millisecond' then 0 else "t".failures end), $63) + 1] * interval '1 millisecond' > $64::timestamptz) then t.failures else (case when "t".last_failure_at is null or $65::timestamptz - "t".last_failure_at >= $66::float8 * interval '1 millisecond' then 0 else "t".failures end) + 1 end,
        last_failure_at = case when ((case when "t".last_failure_at is null or $67::timestamptz - "t".last_failure_at >= $68::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($69::float8[])[least((case when "t".last_failure_at is null or $70::timestamptz - "t".last_failure_at >= $71::float8 * interval '1 millisecond' then 0 else "t".failures end), $72) + 1] * interval '1 millisecond' > $73::timestamptz) then t.last_failure_at else $74::timestamptz end,
        last_throttled = ((case when "t".last_failure_at is null or $75::timestamptz - "t".last_failure_at >= $76::float8 * interval '1 millisecond' then 0 else "t".failures end) > 0 and "t".last_failure_at + ($77::float8[])[least((case when "t".last_failure_at is null or $78::timestamptz - "t".last_failure_at >= $79::float8 * interval '1 millisecond' then 0 else "t".failures end), $80) + 1] * interval '1 millisecond' > $81::timestamptz)
      returning last_throttled
    )
    select
      coalesce((select bool_or(x) from (
        select last_throttled from r_src union all select last_throttled from r_step
        union all select last_throttled from r_acc) as r (x)), false) as throttled,
      st.*
    from (values (1)) as one (x)
    left join st on true
