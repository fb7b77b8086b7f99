-- Handover codes (docs/handover.md): per shipment, the pickup code the sender shows the courier
-- and the delivery code only the receiver holds. Each is six digits, sealed (the pages show
-- them to their holder), issued on first need, used once, and issued anew when the pickup or
-- the delivery is tried again. How each handover was proved: 'code', or 'operator' (moved by
-- staff without the code). Deleted with the shipment's personal data.
create table handover_codes (
  shipment_id text primary key not null references shipments (id) on delete cascade,
  pickup_sealed bytea,
  delivery_sealed bytea,
  pickup_proof text,
  delivery_proof text,
  created_at bigint not null
);

-- Each wrong code typed, for the limits per shipment and per operator.
create table handover_attempts (
  shipment_id text not null references shipments (id) on delete cascade,
  operator_id bigint not null,
  at bigint not null
);
create index handover_attempts_by_shipment on handover_attempts (shipment_id, at);
create index handover_attempts_by_operator on handover_attempts (operator_id, at);

-- The opener's side of the chat (DEMAND, SUPPLY), so that the other side's visit can be told
-- apart: each side sees only the code it holds.
alter table shipments add column opener_side text;
