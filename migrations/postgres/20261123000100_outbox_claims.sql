-- Several instances share the outbox (crates/server/src/chat/outbox.rs): a worker claims a row
-- until `claimed_until` (Unix milliseconds) and records when an attempt starts, so that a claim
-- left by a dead instance is either taken again (no attempt started) or marked `unknown`
-- (an attempt started: the message may have been sent).
alter table outbox add column claimed_by text;
alter table outbox add column claimed_until bigint;
alter table outbox add column attempt_started_at bigint;

-- A shipment's chat messages (the tracking page, the console, the purge).
create index outbox_by_shipment on outbox (shipment_id, id);
