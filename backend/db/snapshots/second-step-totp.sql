/* prepared:second-step-totp */
    with ok as (
      select st.id
      from factor_steps st
      join second_factors f on f.account_id = st.account_id
      join accounts a on a.id = st.account_id
      join workstations w on w.id = st.workstation_id
      where st.id = $1::uuid and st.account_id = $2::uuid and st.workstation_id = $3::text
        and st.purpose = 'verify' and st.done_at is null and st.expires_at > $4::timestamptz
        and f.kind = 'totp' and f.totp_secret = $5::text and (f.last_step is null or f.last_step < $6::bigint)
        and a.state = 'active' and a.block_due_at > $7::timestamptz
        and (a.kind = 'holder' or exists (select 1 from delegations d where d.delegate_account_id = a.id and d.revoked_at is null))
        and w.revoked_at is null and w.public_key is not distinct from $8::text and w.label = $9::text
      for no key update of st, f, a, w
    ), done as (
      update factor_steps set done_at = $10::timestamptz
      where id = $11::uuid and exists (select 1 from ok)
      returning id
    ), taken as (
      update second_factors set last_step = $12::bigint
      where account_id = $13::uuid and exists (select 1 from ok)
      returning account_id
    ), ws as (
      update workstations set
        label = $14::text,
        last_seen_at = $15::timestamptz,
        pharmacy_id = coalesce(workstations.pharmacy_id, $16::uuid)
      where id = $17::text and exists (select 1 from ok)
      returning id
    ), acc as (
      update accounts set
        last_activity_at = $18::timestamptz,
        last_activity_method = 'password',
        last_activity_workstation_id = $19::text,
        block_due_at = $20::timestamptz,
        next_reminder_at = $21::timestamptz
      where id = $22::uuid and exists (select 1 from ok)
      returning id
    ), sess as (
      insert into sessions (id, account_id, workstation_id, token_hash, method, scope, created_at, last_seen_at, ip, app_version)
      select $23::uuid, acc.id, $24::text, $25::text, 'password', $26::text,
             $27::timestamptz, $28::timestamptz, $29::text, $30::text
      from acc
      returning id
    ), head as (
      select c.seq, c.head_hash from event_chains c
      where c.account_id = $31::uuid and exists (select 1 from acc)
      for update
    ), moved as (
      update event_chains c set
        seq = head.seq + 1,
        head_hash = encode(sha256(convert_to(head.head_hash || E'\n' || (head.seq + 1)::text || E'\n' || $32::text, 'UTF8')), 'hex')
      from head
      where c.account_id = $33::uuid
      returning c.seq, c.head_hash, head.head_hash as prev_hash
    ), ev as (
      insert into events (account_id, seq, at, type, method, outcome, workstation_id, workstation_label, ip, app_version, card_serial, details, prev_hash, hash)
      select $34::uuid, moved.seq, $35::timestamptz, 'sign_in', 'password', 'success', $36::text, $37::text,
             $38::text, $39::text, null, $40::jsonb, moved.prev_hash, moved.head_hash
      from moved
      returning id
    ), mail as (
      insert into outbox (message_id, account_id, kind, to_address, subject, body_text, created_at, next_attempt_at)
      select $41::text, acc.id, $42::text, $43::text, $44::text, $45::text,
             $46::timestamptz, $47::timestamptz
      from acc
      returning id
    ), cleared as (
      delete from login_throttle where key = any($48::text[]) and exists (select 1 from acc)
      returning key
    ), given_back as (
      update login_throttle set failures = greatest(failures - 1, 0)
      where key = $49::text and exists (select 1 from acc)
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
