-- The keys self-contained landing ids are sealed under (crates/server/src/sessions/link_keys.rs):
-- one random key per hour (`period` = Unix hour), sealed under the root secret, shared by the
-- instances, deleted by housekeeping once every id it sealed has expired.
create table landing_keys (
    period      integer primary key not null,
    key_sealed  blob not null
);
