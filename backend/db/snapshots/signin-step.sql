/* prepared:signin-step */
    with ws as (
      insert into workstations (id, label, first_seen_at, last_seen_at, revoked_at)
      values ($1::text, coalesce($2::text, 'Poste sans nom'), $3::timestamptz, $4::timestamptz, null)
      on conflict (id) do update set
        label = case when workstations.public_key is null then coalesce($5::text, workstations.label) else workstations.label end,
        last_seen_at = $6::timestamptz
      returning revoked_at
    ), live as (
      select id from accounts
      where id = $7::uuid and state = 'active' and block_due_at > $8::timestamptz
        and (select revoked_at from ws) is null
    ), cleared as (
      delete from login_throttle where key = $9::text and exists (select 1 from live)
      returning key
    ), st as (
      insert into factor_steps (ticket_hash, account_id, workstation_id, purpose, password_change, from_session, created_at, expires_at)
      select $10::text, live.id, $11::text, $12::text, $13::boolean, false,
             $14::timestamptz, $15::timestamptz
      from live
      returning id
    )
    select (select count(*) from st)::int as opened,
           (select revoked_at is not null from ws) as ws_revoked,
           (select count(*) from cleared)::int as cleared
