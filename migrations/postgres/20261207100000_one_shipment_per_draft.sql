-- A landing session's draft becomes one shipment at most. Before this, two concurrent submits
-- could both save one: the later copies keep their data but lose the link to the session, so
-- that the unique key below can hold.
update shipments set landing_digest = null
where landing_digest is not null
  and exists (
    select 1 from shipments earlier
    where earlier.landing_digest = shipments.landing_digest
      and (earlier.created_at < shipments.created_at
           or (earlier.created_at = shipments.created_at and earlier.id < shipments.id))
  );

drop index shipments_by_landing;
create unique index shipments_one_per_landing on shipments (landing_digest);
