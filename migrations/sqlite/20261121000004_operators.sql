-- Operators of the shipping company. Passwords are Argon2id hashes (PHC strings).
create table operators (
    id              integer primary key autoincrement,
    username        text not null unique,
    password_hash   text not null,
    disabled        integer not null default 0,
    -- consecutive failed logins, and the lockout they caused
    failed_logins   integer not null default 0,
    locked_until    integer,
    created_at      integer not null
);

-- Console sessions: a cookie of their own (not the Divar users' one), a CSRF token per session,
-- and an idle timeout. Only the digest of the cookie value is stored.
create table operator_sessions (
    id_digest       text primary key not null,
    operator_id     integer not null references operators (id) on delete cascade,
    csrf            text not null,
    created_at      integer not null,
    last_seen_at    integer not null
);

-- Failed logins by client address, for per-address rate limiting.
create table login_failures (
    address         text not null,
    at              integer not null
);

create index login_failures_by_address on login_failures (address, at);

-- Who did what to a shipment, and who opened its personal data.
create table audit (
    id              integer primary key autoincrement,
    shipment_id     text not null,
    operator_id     integer not null references operators (id),
    at              integer not null,
    what            text not null
);

create index audit_by_shipment on audit (shipment_id, id);

-- Pickup appointments set by operators, and when a shipment's personal data was purged.
alter table shipments add column pickup_day integer;
alter table shipments add column pickup_window text;
alter table shipments add column purged_at integer;
