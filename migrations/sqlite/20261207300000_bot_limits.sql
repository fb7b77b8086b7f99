-- The support bot's answers per conversation and minute (`start` in seconds): a user who
-- writes in a loop gets a few answers, one "please wait", then silence until the minute ends.
create table bot_replies (
  conversation_id text not null,
  start bigint not null,
  used bigint not null,
  primary key (conversation_id, start)
);

-- How many of a conversation's oldest messages were dropped to keep it under its cap.
alter table support_conversations add column dropped bigint not null default 0;
