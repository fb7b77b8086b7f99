-- Drafts: what the opener has typed so far, per landing session, so a reload or an app switch
-- loses nothing. The whole draft (names, phones, addresses as typed) is sealed.
create table drafts (
    landing_digest  text primary key not null references landing_sessions (id_digest) on delete cascade,
    data_sealed     blob not null,
    updated_at      integer not null
);

-- Shipments. Cities, the item and the quote are kept in the clear for operations; names,
-- phones and addresses of both sides are sealed in parties_sealed.
create table shipments (
    id                  text primary key not null,      -- public tracking code
    landing_digest      text not null references landing_sessions (id_digest),
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
    updated_at          integer not null
);

create index shipments_by_conversation on shipments (conversation_id);

-- Every status a shipment went through: who, when, and an optional note.
create table shipment_events (
    id              integer primary key autoincrement,
    shipment_id     text not null references shipments (id) on delete cascade,
    status          text not null,
    actor           text not null,
    at              integer not null,
    note            text
);

create index shipment_events_by_shipment on shipment_events (shipment_id, id);
