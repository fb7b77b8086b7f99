-- OAuth `state` values: random, single use, bound to the landing session that asked, short-lived.
-- Only their digest is stored.
create table oauth_states (
    state_digest    text primary key not null,
    landing_digest  text not null references landing_sessions (id_digest) on delete cascade,
    created_at      integer not null,
    expires_at      integer not null,
    used_at         integer
);

-- The permission to post in a conversation, as Divar issued it: both tokens sealed
-- (XChaCha20-Poly1305, bound to the conversation id). Deleted when the shipment ends.
create table chat_tokens (
    conversation_id     text primary key not null,
    access_sealed       blob not null,
    refresh_sealed      blob,
    access_expires_at   integer not null,
    updated_at          integer not null
);

-- Chat messages to send, written in the same transaction as the shipment change they announce,
-- and sent by a background worker with retries.
create table outbox (
    id              integer primary key autoincrement,
    shipment_id     text not null references shipments (id) on delete cascade,
    conversation_id text not null,
    body            text not null,
    -- 'pending' | 'sent' | 'undeliverable' (412 code 9) | 'failed' (rejected, or out of attempts)
    state           text not null default 'pending',
    attempts        integer not null default 0,
    next_attempt_at integer not null,
    last_status     integer,
    created_at      integer not null,
    sent_at         integer
);

create index outbox_due on outbox (state, next_attempt_at);
