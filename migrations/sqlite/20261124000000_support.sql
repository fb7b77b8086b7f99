-- The support bot (crates/server/src/support/).

-- Events Divar POSTed to the events URL, stored before the answer and processed once by any
-- instance, in the order they came. `event_key` is Divar's id for the event (a bot message's id),
-- so a redelivery is a duplicate. The content is sealed: a user's message is personal data.
create table divar_events (
    id              integer primary key autoincrement,
    event_key       text not null unique,
    kind            text not null,
    payload         blob not null,
    received_at     integer not null,
    processed_at    integer,
    attempts        integer not null default 0
);

create index divar_events_due on divar_events (processed_at, id);

-- A conversation with the support bot. `state`: 'open' (the bot answered, nobody asked staff
-- yet) | 'waiting' (a question waits for staff) | 'answered' | 'closed'.
create table support_conversations (
    conversation_id text primary key not null,
    state           text not null,
    unread          integer not null default 0,
    opened_at       integer not null,
    updated_at      integer not null,
    closed_at       integer
);

create index support_by_update on support_conversations (updated_at);

-- What the user wrote and what staff answered, sealed. `operator` is who answered.
create table support_messages (
    id              integer primary key autoincrement,
    conversation_id text not null references support_conversations (conversation_id) on delete cascade,
    from_user       integer not null,
    body            blob not null,
    operator        text,
    created_at      integer not null
);

create index support_messages_by_conversation on support_messages (conversation_id, id);

-- The outbox carries the bot's answers too: `channel` 'chat' (a shipment's message, sent with
-- the user's token) or 'bot' (sent with the API key; no shipment). SQLite cannot drop a NOT NULL,
-- so the table is rebuilt.
create table outbox_new (
    id                  integer primary key autoincrement,
    shipment_id         text references shipments (id) on delete cascade,
    channel             text not null default 'chat',
    conversation_id     text not null,
    body                text not null,
    state               text not null default 'pending',
    attempts            integer not null default 0,
    next_attempt_at     integer not null,
    last_status         integer,
    created_at          integer not null,
    sent_at             integer,
    claimed_by          text,
    claimed_until       integer,
    attempt_started_at  integer
);

insert into outbox_new (id, shipment_id, conversation_id, body, state, attempts, next_attempt_at,
    last_status, created_at, sent_at, claimed_by, claimed_until, attempt_started_at)
select id, shipment_id, conversation_id, body, state, attempts, next_attempt_at,
    last_status, created_at, sent_at, claimed_by, claimed_until, attempt_started_at
from outbox;

drop table outbox;
alter table outbox_new rename to outbox;
create index outbox_due on outbox (state, next_attempt_at);
create index outbox_by_shipment on outbox (shipment_id, id);
