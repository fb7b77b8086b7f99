-- Webhooks (docs/webhooks.md): the shipping company's endpoints, with the events each wants,
-- whether it may receive personal data, and its signing secret sealed with the root key (the
-- previous one too, for a day after a rotation). An endpoint failing for a day is turned off
-- with the reason. Deliveries are outbox rows of channel 'webhook'; each attempt is logged
-- here for the console.
create table webhook_endpoints (
  id bigserial primary key,
  url text not null,
  events text not null,
  personal boolean not null default false,
  secret bytea,
  previous_secret bytea,
  previous_until bigint,
  created_by text not null,
  created_at bigint not null,
  failing_since bigint,
  last_ok_at bigint,
  disabled_at bigint,
  disabled_reason text
);

create table webhook_attempts (
  id bigserial primary key,
  endpoint_id bigint not null references webhook_endpoints (id) on delete cascade,
  outbox_id bigint not null,
  message_id text not null,
  event text not null,
  subject text not null,
  attempt bigint not null,
  at_ms bigint not null,
  status integer,
  outcome text not null,
  duration_ms bigint not null
);
create index webhook_attempts_by_endpoint on webhook_attempts (endpoint_id, id);
create index webhook_attempts_by_time on webhook_attempts (at_ms);
create index outbox_by_key on outbox (conversation_id, id);
