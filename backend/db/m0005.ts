/**
 * Migration 0005: the server's keyed checkpoints of each events chain.
 *  - `seal_seq`, `seal_hash`, `seal_mac`: the last point of the chain the server has verified or written itself,
 *    with an HMAC under a key kept outside the database (events/chain.ts). Someone who rewrites events and
 *    recomputes the hashes cannot recompute the MAC.
 *  - `anchor_mac`: the same MAC over the retention anchor, so that a purge faked by hand is told apart from the
 *    retention job's.
 *  - Roles: `vigie_app`, what the backend connects as (through a login role that is a member of it): it reads and
 *    writes the tables, but may only INSERT into `events` and move the head and checkpoint of `event_chains`; it
 *    owns nothing, so it can neither switch the append-only trigger off nor delete events. `vigie_purge`, the
 *    retention purge's role: it deletes events and moves the anchor. The owner (who runs the migrations) keeps
 *    the rest. Tables added by later migrations get `vigie_app`'s rights by default privileges. On embedded
 *    PGlite there is one superuser and these roles change nothing (SECURITY.md).
 * A chain created before this migration has no MAC: `npm run backend -- seal-events` checks and seals them once,
 * by an operator's decision (the server never trusts an unsealed chain on its own).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const m0005: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
alter table event_chains
  add column seal_seq bigint not null default 0,
  add column seal_hash text not null default '0000000000000000000000000000000000000000000000000000000000000000',
  add column seal_mac text,
  add column anchor_mac text;

do $$
begin
  if not exists (select from pg_roles where rolname = 'vigie_app') then create role vigie_app nologin; end if;
  if not exists (select from pg_roles where rolname = 'vigie_purge') then create role vigie_purge nologin; end if;
end $$;

grant usage on schema public to vigie_app, vigie_purge;
grant select, insert, update, delete on all tables in schema public to vigie_app;
grant usage, select on all sequences in schema public to vigie_app;
alter default privileges in schema public grant select, insert, update, delete on tables to vigie_app;
alter default privileges in schema public grant usage, select on sequences to vigie_app;

-- The migrations' own tables: read only (the backend checks that it is up to date, the owner migrates).
revoke insert, update, delete on kysely_migration, kysely_migration_lock from vigie_app;

-- Events: append only. The chain: the head and the checkpoint move, the anchor does not.
revoke update, delete, truncate on events from vigie_app;
revoke update, delete, truncate on event_chains from vigie_app;
grant update (seq, head_hash, seal_seq, seal_hash, seal_mac) on event_chains to vigie_app;

-- The retention purge: deletes a prefix, moves the anchor, records events_purged.
grant select, insert, delete on events to vigie_purge;
grant usage, select on all sequences in schema public to vigie_purge;
grant select on event_chains to vigie_purge;
grant update (seq, head_hash, seal_seq, seal_hash, seal_mac, anchor_seq, anchor_hash, anchor_at, anchor_mac) on event_chains to vigie_purge;
grant select on accounts to vigie_purge;
`.execute(db);
  },
};
