-- Shipments started from Divar's direct link (`/divar/fallback`) rather than a session Divar
-- opened: Divar vouched for nobody, so the console marks them.
alter table shipments add column direct_link integer not null default 0;
