-- The support bot (crates/server/src/support/).

-- Events Divar POSTed to the events URL, stored before the answer and processed once by any
-- instance, in the order they came. `event_key` is Divar's id for the event (a bot message's id),
-- so a redelivery is a duplicate. The content is sealed: a user's message is personal data.
create table divar_events (
    id              bigint generated always as identity primary key,
    event_key       text not null unique,
    kind            text not null,
    payload         bytea not null,
    received_at     bigint not null,
    processed_at    bigint,
    attempts        bigint not null default 0
);

create index divar_events_due on divar_events (processed_at, id);

-- A conversation with the support bot. `state`: 'open' (the bot answered, nobody asked staff
-- yet) | 'waiting' (a question waits for staff) | 'answered' | 'closed'.
create table support_conversations (
    conversation_id text primary key not null,
    state           text not null,
    unread          bigint not null default 0,
    opened_at       bigint not null,
    updated_at      bigint not null,
    closed_at       bigint
);

create index support_by_update on support_conversations (updated_at);

-- What the user wrote and what staff answered, sealed. `operator` is who answered.
create table support_messages (
    id              bigint generated always as identity primary key,
    conversation_id text not null references support_conversations (conversation_id) on delete cascade,
    from_user       boolean not null,
    body            bytea not null,
    operator        text,
    created_at      bigint not null
);

create index support_messages_by_conversation on support_messages (conversation_id, id);

-- The outbox carries the bot's answers too: `channel` 'chat' (a shipment's message, sent with
-- the user's token) or 'bot' (sent with the API key; no shipment).
alter table outbox alter column shipment_id drop not null;
alter table outbox add column channel text not null default 'chat';
