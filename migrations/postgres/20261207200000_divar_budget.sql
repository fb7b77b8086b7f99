-- Calls to Divar's API, counted for every instance together: one row per minute and per day
-- (`used` calls in the window that starts at `start`, in seconds), and one `pause` row (its
-- `start` 0) whose `used` is when Divar's Retry-After lets calls go again (milliseconds).
create table divar_budget (
  window_kind text not null,
  start bigint not null,
  used bigint not null,
  primary key (window_kind, start)
);

-- get-post answers, shared by every instance for a few minutes (a post not found too).
create table post_cache (
  post_token text primary key,
  found text,
  fetched_at bigint not null
);
