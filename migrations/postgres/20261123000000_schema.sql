-- The PostgreSQL schema: the final state of the SQLite migrations (migrations/sqlite), as one
-- fresh schema. Timestamps are Unix seconds in bigint columns, as in SQLite; flags are booleans.

-- Landing sessions: one row per session-initialization request from Divar (or per opening of
-- the Fallback URL). The landing id handed to Divar is a one-time bearer token; only its
-- SHA-256 digest is stored.
create table landing_sessions (
    id_digest       text primary key not null,
    -- 1 or 2 for Divar's init versions; null for a Fallback-URL session
    api_version     bigint,
    source          text not null,
    post_token      text,
    conversation_id text,
    -- 'SUPPLY', 'DEMAND', or null when Divar did not say
    user_side       text,
    -- Divar user ids, custom data and location, sealed (XChaCha20-Poly1305, bound to id_digest)
    private_sealed  bytea not null,
    -- the resolved "back to Divar" target (a checked divar.ir URL or the completion URL)
    return_target   text not null,
    created_at      bigint not null,
    expires_at      bigint not null,
    -- set once, when the landing id is exchanged for a browser session
    used_at         bigint
);

-- Browser sessions: the cookie a landing id is exchanged for. Again only the digest is kept.
create table browser_sessions (
    id_digest       text primary key not null,
    landing_digest  text not null references landing_sessions (id_digest) on delete cascade,
    created_at      bigint not null,
    last_seen_at    bigint not null
);

create index browser_sessions_landing on browser_sessions (landing_digest);

-- Drafts: what the opener has typed so far, per landing session, so a reload or an app switch
-- loses nothing. The whole draft (names, phones, addresses as typed) is sealed.
create table drafts (
    landing_digest  text primary key not null references landing_sessions (id_digest) on delete cascade,
    data_sealed     bytea not null,
    updated_at      bigint not null
);

-- Shipments. Cities, the item and the quote are kept in the clear for operations; names,
-- phones and addresses of both sides are sealed in parties_sealed. A shipment outlives the
-- landing session it was opened from (housekeeping and the retention purge delete those).
create table shipments (
    id                  text primary key not null,      -- public tracking code
    -- the landing session the opener came from; null once it is gone (housekeeping, purge)
    landing_digest      text references landing_sessions (id_digest) on delete set null,
    conversation_id     text,
    post_token          text,
    opener_role         text not null,                  -- 'sender' | 'receiver'
    status              text not null,
    item_description    text not null,
    size_class          text not null,
    weight_grams        bigint,
    length_cm           bigint,
    width_cm            bigint,
    height_cm           bigint,
    declared_rials      bigint not null,
    fragile             boolean not null,
    origin_city         text,
    destination_city    text,
    service             text not null,                  -- 'economy' | 'express'
    payer               text not null,                  -- 'sender' | 'receiver'
    quote_total_rials   bigint not null,
    parties_sealed      bytea not null,
    created_at          bigint not null,
    updated_at          bigint not null,
    -- pickup appointment set by an operator
    pickup_day          bigint,
    pickup_window       text,
    -- when the shipment's personal data was purged
    purged_at           bigint,
    -- started from Divar's direct link (`/divar/fallback`) rather than a session Divar opened:
    -- Divar vouched for nobody, so the console marks it
    direct_link         boolean not null default false
);

create index shipments_by_conversation on shipments (conversation_id);
-- Deleting a landing session looks up the shipments and OAuth states that refer to it.
create index shipments_by_landing on shipments (landing_digest);

-- Every status a shipment went through: who, when, and an optional note.
create table shipment_events (
    id              bigint generated always as identity primary key,
    shipment_id     text not null references shipments (id) on delete cascade,
    status          text not null,
    actor           text not null,
    at              bigint not null,
    note            text
);

create index shipment_events_by_shipment on shipment_events (shipment_id, id);

-- OAuth `state` values: random, single use, bound to the landing session that asked, short-lived.
-- Only their digest is stored.
create table oauth_states (
    state_digest    text primary key not null,
    landing_digest  text not null references landing_sessions (id_digest) on delete cascade,
    created_at      bigint not null,
    expires_at      bigint not null,
    used_at         bigint,
    -- the PKCE verifier of the consent (KENAR_OAUTH_PKCE=on), sealed and bound to the state's
    -- digest; null when PKCE is off. It goes when the state does (housekeeping).
    pkce_verifier_sealed bytea
);

create index oauth_states_by_landing on oauth_states (landing_digest);

-- The permission to post in a conversation, as Divar issued it: both tokens sealed
-- (XChaCha20-Poly1305, bound to the conversation id). Deleted when the shipment ends.
create table chat_tokens (
    conversation_id     text primary key not null,
    access_sealed       bytea not null,
    refresh_sealed      bytea,
    access_expires_at   bigint not null,
    updated_at          bigint not null
);

-- Chat messages to send, written in the same transaction as the shipment change they announce,
-- and sent by a background worker with retries.
create table outbox (
    id              bigint generated always as identity primary key,
    shipment_id     text not null references shipments (id) on delete cascade,
    conversation_id text not null,
    body            text not null,
    -- 'pending' | 'sent' | 'undeliverable' (412 code 9) | 'failed' (rejected, or out of attempts)
    state           text not null default 'pending',
    attempts        bigint not null default 0,
    next_attempt_at bigint not null,
    last_status     bigint,
    created_at      bigint not null,
    sent_at         bigint
);

create index outbox_due on outbox (state, next_attempt_at);

-- Operators of the shipping company. Passwords are Argon2id hashes (PHC strings).
create table operators (
    id              bigint generated always as identity primary key,
    username        text not null unique,
    password_hash   text not null,
    disabled        boolean not null default false,
    -- consecutive failed logins, and the lockout they caused
    failed_logins   bigint not null default 0,
    locked_until    bigint,
    created_at      bigint not null
);

-- Console sessions: a cookie of their own (not the Divar users' one), a CSRF token per session,
-- and an idle timeout. Only the digest of the cookie value is stored.
create table operator_sessions (
    id_digest       text primary key not null,
    operator_id     bigint not null references operators (id) on delete cascade,
    csrf            text not null,
    created_at      bigint not null,
    last_seen_at    bigint not null
);

-- Failed logins by client address, for per-address rate limiting. (SQLite has no key here and
-- uses its rowid; this id stands in for it.)
create table login_failures (
    id              bigint generated always as identity primary key,
    address         text not null,
    at              bigint not null
);

create index login_failures_by_address on login_failures (address, at);

-- Who did what to a shipment, and who opened its personal data.
create table audit (
    id              bigint generated always as identity primary key,
    shipment_id     text not null,
    operator_id     bigint not null references operators (id),
    at              bigint not null,
    what            text not null
);

create index audit_by_shipment on audit (shipment_id, id);
