/* prepared:signin-fast */
    with ws as (
      insert into workstations (id, label, first_seen_at, last_seen_at, pharmacy_id)
      values ($1::text, coalesce($2::text, 'Poste sans nom'), $3::timestamptz, $4::timestamptz, $5::uuid)
      on conflict (id) do update set
        label = case when workstations.public_key is null then coalesce($6::text, workstations.label) else workstations.label end,
        last_seen_at = $7::timestamptz,
        pharmacy_id = coalesce(workstations.pharmacy_id, excluded.pharmacy_id)
      returning revoked_at, label
    ), acc as (
      update accounts set
        last_activity_at = $8::timestamptz,
        last_activity_method = 'password',
        last_activity_workstation_id = $9::text,
        block_due_at = $10::timestamptz,
        next_reminder_at = $11::timestamptz
      where id = $12::uuid and state = 'active' and block_due_at > $13::timestamptz
        and (select revoked_at from ws) is null
      returning id
    ), sess as (
      insert into sessions (id, account_id, workstation_id, token_hash, method, scope, created_at, last_seen_at, ip, app_version)
      select $14::uuid, acc.id, $15::text, $16::text, 'password', 'full',
             $17::timestamptz, $18::timestamptz, $19::text, $20::text
      from acc
      returning id
    ), head as (
      select c.seq, c.head_hash from event_chains c
      where c.account_id = $21::uuid and exists (select 1 from acc)
      for update
    ), moved as (
      update event_chains c set
        seq = head.seq + 1,
        head_hash = encode(sha256(convert_to(head.head_hash || E'\n' || (head.seq + 1)::text || E'\n' || $22::text, 'UTF8')), 'hex')
      from head
      where c.account_id = $23::uuid
      returning c.seq, c.head_hash, head.head_hash as prev_hash
    ), ev as (
      insert into events (account_id, seq, at, type, method, outcome, workstation_id, workstation_label, ip, app_version, card_serial, details, prev_hash, hash)
      select $24::uuid, moved.seq, $25::timestamptz, 'sign_in', 'password', 'success', $26::text, $27::text,
             $28::text, $29::text, null, $30::jsonb, moved.prev_hash, moved.head_hash
      from moved
      returning id
    ), mail as (
      insert into outbox (message_id, account_id, kind, to_address, subject, body_text, created_at, next_attempt_at)
      select $31::text, acc.id, $32::text, $33::text, $34::text, $35::text,
             $36::timestamptz, $37::timestamptz
      from acc
      returning id
    ), cleared as (
      delete from login_throttle where key = $38::text and exists (select 1 from acc)
      returning key
    )
    select (select count(*) from acc)::int as activated,
           (select revoked_at is not null from ws) as ws_revoked,
           (select count(*) from ev)::int as events,
           (select count(*) from sess)::int as sessions,
           (select count(*) from mail)::int as mails,
           (select count(*) from cleared)::int as cleared
