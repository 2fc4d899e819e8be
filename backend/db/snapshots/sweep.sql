with due as (
        select id, display_name, email from accounts
        where state = 'active' and block_due_at <= $1::timestamptz
        order by block_due_at
        limit $2
        for update skip locked
      ), blocked as (
        update accounts a set state = 'blocked', block_reason = $3::text, block_explanation = $4::text,
          blocked_at = $5::timestamptz, next_reminder_at = null
        from due where a.id = due.id
        returning a.id
      ), ended as (
        update sessions s set revoked_at = $6::timestamptz, end_reason = 'account_blocked'
        where s.account_id in (select id from due) and s.revoked_at is null
        returning s.id
      ), head as (
        select c.account_id, c.seq, c.head_hash from event_chains c
        where c.account_id in (select id from due)
        for update
      ), moved as (
        update event_chains c set
          seq = head.seq + 1,
          head_hash = encode(sha256(convert_to(
            head.head_hash || E'\n' || (head.seq + 1)::text || E'\n' || $7::text || head.account_id::text || $8::text,
            'UTF8')), 'hex')
        from head
        where c.account_id = head.account_id
        returning c.account_id, c.seq, c.head_hash, head.head_hash as prev_hash
      ), ev as (
        insert into events (account_id, seq, at, type, method, outcome, details, prev_hash, hash)
        select account_id, seq, $9::timestamptz, 'account_blocked', 'system', 'info', $10::jsonb, prev_hash, head_hash
        from moved
        returning id
      ), mails as (
        insert into outbox (message_id, account_id, kind, to_address, subject, body_text, created_at, next_attempt_at)
        select '<' || gen_random_uuid()::text || '@vigie.invalid>', id, $11::text, email, $12::text,
               $13::text || display_name || $14::text, $15::timestamptz, $16::timestamptz
        from due
        returning id
      )
      select (select count(*) from blocked)::int as n, (select count(*) from ev)::int as events, (select count(*) from mails)::int as mails
