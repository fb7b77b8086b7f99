-- The operator API (docs/api.md): tokens for the shipping company's own systems, stored as a
-- SHA-256 digest (the token is shown once), with their scopes; revoked tokens are kept for the
-- audit. Every call is logged with its token; a move also joins the shipment's audit trail.
create table api_tokens (
  id integer primary key autoincrement,
  name text not null unique,
  scopes text not null,
  token_digest text not null unique,
  created_by text not null,
  created_at bigint not null,
  last_used_at bigint,
  revoked_at bigint
);

create table api_calls (
  id integer primary key autoincrement,
  token_id bigint not null references api_tokens (id),
  at bigint not null,
  method text not null,
  route text not null,
  status integer not null
);
create index api_calls_by_token on api_calls (token_id, id);
create index api_calls_by_time on api_calls (at);

create table api_audit (
  id integer primary key autoincrement,
  shipment_id text not null,
  token_id bigint not null references api_tokens (id),
  at bigint not null,
  what text not null
);
create index api_audit_by_shipment on api_audit (shipment_id, id);

-- A move's answer per token and Idempotency-Key, replayed to a retry with the same key and
-- request; kept for a day.
create table api_idempotency (
  token_id bigint not null references api_tokens (id),
  key text not null,
  request_digest text not null,
  status integer not null,
  body text not null,
  created_at bigint not null,
  primary key (token_id, key)
);
create index api_idempotency_by_time on api_idempotency (created_at);

-- The API's list pages through shipments by (created_at, id).
create index shipments_by_created on shipments (created_at, id);
