-- Housekeeping (crates/server/src/housekeeping.rs) and the retention purge delete landing
-- sessions; a shipment outlives the one it was opened from. So `shipments.landing_digest`
-- becomes nullable and is set to null when that landing session goes (`on delete set null`),
-- which needs the table rebuilt (SQLite cannot alter a column's constraints).
--
-- Migrations run in a transaction with foreign keys enforced, and `pragma foreign_keys` cannot
-- change inside one, so dropping the old table would cascade to its events and chat messages:
-- they are kept aside and put back. `select *` everywhere, so a column added to any of these
-- tables by an earlier migration makes this one fail loudly instead of losing it.

create temp table kept_events as select * from shipment_events;
create temp table kept_outbox as select * from outbox;

create table shipments_new (
    id                  text primary key not null,      -- public tracking code
    -- the landing session the opener came from; null once it is gone (housekeeping, purge)
    landing_digest      text references landing_sessions (id_digest) on delete set null,
    conversation_id     text,
    post_token          text,
    opener_role         text not null,                  -- 'sender' | 'receiver'
    status              text not null,
    item_description    text not null,
    size_class          text not null,
    weight_grams        integer,
    length_cm           integer,
    width_cm            integer,
    height_cm           integer,
    declared_rials      integer not null,
    fragile             integer not null,
    origin_city         text,
    destination_city    text,
    service             text not null,                  -- 'economy' | 'express'
    payer               text not null,                  -- 'sender' | 'receiver'
    quote_total_rials   integer not null,
    parties_sealed      blob not null,
    created_at          integer not null,
    updated_at          integer not null,
    pickup_day          integer,
    pickup_window       text,
    purged_at           integer
);

insert into shipments_new select * from shipments;
drop table shipments;
alter table shipments_new rename to shipments;
insert into shipment_events select * from temp.kept_events;
insert into outbox select * from temp.kept_outbox;
drop table temp.kept_events;
drop table temp.kept_outbox;

create index shipments_by_conversation on shipments (conversation_id);
-- Deleting a landing session looks up the shipments and OAuth states that refer to it.
create index shipments_by_landing on shipments (landing_digest);
create index oauth_states_by_landing on oauth_states (landing_digest);

-- Shipments purged before the purge covered these: unlinked from their landing session, their
-- operators' notes and audit texts blanked (the rows stay).
update shipments set landing_digest = null where purged_at is not null;
update shipment_events set note = null
 where shipment_id in (select id from shipments where purged_at is not null);
update audit set what = ''
 where shipment_id in (select id from shipments where purged_at is not null);
