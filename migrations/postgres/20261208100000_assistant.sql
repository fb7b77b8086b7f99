-- The seller's shipping assistant (docs/assistant.md): a row per post while it answers, with
-- the size class its prices are for, until when it answers, and until when Divar's
-- subscription holds.
create table assistant_posts (
  post_token text primary key not null,
  size text not null,
  turned_on_at bigint not null,
  ends_at bigint not null,
  subscribed_until bigint,
  updated_at bigint not null
);

-- At most one answer per conversation: what it said (the city and the price, never the
-- buyer's words) and where it stands.
create table assistant_replies (
  conversation_id text primary key not null,
  post_token text not null,
  destination text,
  price_rials bigint,
  state text not null,
  asked_at bigint not null,
  settled_at bigint
);
create index assistant_replies_by_post on assistant_replies (post_token, asked_at);
