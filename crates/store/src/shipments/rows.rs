//! The SQL of one shipment: its row, its events, and how they map to [`Shipment`].

use domain::code::TrackingCode;
use domain::shipment::{Item, Payer, PickupWindow, Role};
use domain::size::SizeClass;
use domain::status::{Actor, Status};
use domain::tariff::Service;
use domain::values::{Dimensions, Grams, ItemDescription, Rials};
use kenar::{ConversationId, PostToken, UserSide};

use super::{Completion, Event, Order, Shipment};
use crate::crypto::Keys;
use crate::db::{Db, Tx};
use crate::StoreError;
use crate::{on_db, on_tx};

fn money(value: Rials) -> i64 {
    i64::try_from(value.0).unwrap_or(i64::MAX)
}

pub(super) async fn insert(
    tx: &mut Tx,
    id: &TrackingCode,
    new: &Order,
    parties_sealed: Vec<u8>,
    now: i64,
) -> Result<bool, StoreError> {
    let dims = new.item.dimensions;
    let inserted = on_tx!(tx, conn => sqlx::query(
        "insert into shipments
           (id, landing_digest, conversation_id, post_token, opener_role, status, item_description,
            size_class, weight_grams, length_cm, width_cm, height_cm, declared_rials, fragile,
            origin_city, destination_city, service, payer, quote_total_rials, parties_sealed,
            direct_link, created_at, updated_at, opener_side)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $20, $21, $22, $22, $23)
         on conflict (landing_digest) do nothing",
    )
    .bind(id.as_str())
    .bind(&new.landing)
    .bind(new.conversation_id.as_ref().map(ConversationId::as_str))
    .bind(new.post_token.as_ref().map(PostToken::as_str))
    .bind(new.opener_role.key())
    .bind(Status::AwaitingCounterparty.key())
    .bind(new.item.description.as_str())
    .bind(new.item.size.key())
    .bind(new.item.weight.map(|g| i64::from(g.0)))
    .bind(dims.map(|d| i64::from(d.length_cm)))
    .bind(dims.map(|d| i64::from(d.width_cm)))
    .bind(dims.map(|d| i64::from(d.height_cm)))
    .bind(money(new.item.declared_value))
    .bind(new.item.fragile)
    .bind(&new.origin_city)
    .bind(&new.destination_city)
    .bind(new.service.key())
    .bind(new.payer.key())
    .bind(money(new.quote_total))
    .bind(&parties_sealed)
    .bind(new.direct_link)
    .bind(now)
    .bind(new.opener_side.map(UserSide::as_str))
    .execute(conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(inserted == 1)
}

/// Books a shipment still in the status it was read in; `false` when it has moved since.
pub(super) async fn complete(
    tx: &mut Tx,
    shipment: &Shipment,
    completion: &Completion,
    parties_sealed: Vec<u8>,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = on_tx!(tx, conn => sqlx::query(
        "update shipments set status = $1, parties_sealed = $2, origin_city = $3,
           destination_city = $4, quote_total_rials = $5, updated_at = $6
         where id = $7 and status = $8",
    )
    .bind(Status::Booked.key())
    .bind(&parties_sealed)
    .bind(&completion.origin_city)
    .bind(&completion.destination_city)
    .bind(money(completion.total))
    .bind(now)
    .bind(shipment.id.as_str())
    .bind(shipment.status.key())
    .execute(conn)
    .await?
    .rows_affected());
    Ok(changed == 1)
}

/// A shipment's status, read inside the transaction that will change it.
pub(super) async fn status(tx: &mut Tx, id: &TrackingCode) -> Result<Option<Status>, StoreError> {
    let current: Option<String> = on_tx!(tx, conn => {
        sqlx::query_scalar("select status from shipments where id = $1")
            .bind(id.as_str())
            .fetch_optional(conn)
            .await?
    });
    current
        .map(|s| decode(Status::parse(&s), "status"))
        .transpose()
}

/// Moves a shipment from `from` to `to`; `false` when it is no longer in `from`.
pub(super) async fn set_status(
    tx: &mut Tx,
    id: &TrackingCode,
    from: Status,
    to: Status,
    pickup: Option<(i64, PickupWindow)>,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = on_tx!(tx, conn => sqlx::query(
        "update shipments set status = $1, updated_at = $2,
           pickup_day = coalesce($3, pickup_day), pickup_window = coalesce($4, pickup_window)
         where id = $5 and status = $6",
    )
    .bind(to.key())
    .bind(now)
    .bind(pickup.map(|(day, _)| day))
    .bind(pickup.map(|(_, window)| window.key()))
    .bind(id.as_str())
    .bind(from.key())
    .execute(conn)
    .await?
    .rows_affected());
    Ok(changed == 1)
}

pub(super) fn decode<T>(value: Option<T>, what: &'static str) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::Unknown(what))
}

/// A shipment's row as stored.
#[derive(sqlx::FromRow)]
struct Stored {
    landing_digest: Option<String>,
    conversation_id: Option<String>,
    post_token: Option<String>,
    opener_role: String,
    opener_side: Option<String>,
    status: String,
    item_description: String,
    size_class: String,
    weight_grams: Option<i64>,
    length_cm: Option<i64>,
    width_cm: Option<i64>,
    height_cm: Option<i64>,
    declared_rials: i64,
    fragile: bool,
    origin_city: Option<String>,
    destination_city: Option<String>,
    service: String,
    payer: String,
    quote_total_rials: i64,
    parties_sealed: Vec<u8>,
    direct_link: bool,
    purged_at: Option<i64>,
    pickup_day: Option<i64>,
    pickup_window: Option<String>,
}

fn item(row: &Stored) -> Result<Item, StoreError> {
    let side = |v: Option<i64>| v.and_then(|v| u16::try_from(v).ok());
    let dimensions = match (side(row.length_cm), side(row.width_cm), side(row.height_cm)) {
        (Some(length_cm), Some(width_cm), Some(height_cm)) => Some(Dimensions {
            length_cm,
            width_cm,
            height_cm,
        }),
        _ => None,
    };
    Ok(Item {
        description: decode(
            ItemDescription::parse(&row.item_description).ok(),
            "item description",
        )?,
        size: decode(SizeClass::parse(&row.size_class), "size class")?,
        weight: row
            .weight_grams
            .and_then(|g| u32::try_from(g).ok())
            .map(Grams),
        dimensions,
        declared_value: Rials(u64::try_from(row.declared_rials).unwrap_or_default()),
        fragile: row.fragile,
    })
}

async fn events(db: &Db, id: &TrackingCode) -> Result<Vec<Event>, StoreError> {
    let rows: Vec<(String, String, i64, Option<String>)> = on_db!(db, pool => {
        sqlx::query_as(
            "select status, actor, at, note from shipment_events where shipment_id = $1 order by id",
        )
        .bind(id.as_str())
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .map(|(status, actor, at, note)| {
            Ok(Event {
                status: decode(Status::parse(&status), "status")?,
                actor: decode(Actor::parse(&actor), "actor")?,
                at,
                note,
            })
        })
        .collect()
}

pub(super) async fn read(
    db: &Db,
    keys: &Keys,
    id: &TrackingCode,
) -> Result<Option<Shipment>, StoreError> {
    let row: Option<Stored> = on_db!(db, pool => {
        sqlx::query_as(
            "select landing_digest, conversation_id, post_token, opener_role, opener_side, status,
                    item_description, size_class, weight_grams, length_cm, width_cm, height_cm,
                    declared_rials, fragile, origin_city, destination_city, service, payer,
                    quote_total_rials, parties_sealed, direct_link, purged_at, pickup_day,
                    pickup_window
             from shipments where id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(pool)
        .await?
    });
    let Some(row) = row else {
        return Ok(None);
    };
    // A decoding error could quote personal data: it is replaced by a fixed sentence.
    let parties = serde_json::from_slice(&keys.open(&row.parties_sealed, id.as_str().as_bytes())?)
        .map_err(|_| StoreError::Broken("a shipment's sealed parties do not decode"))?;
    let order = Order {
        item: item(&row)?,
        // Empty once the landing session is gone (housekeeping, purge): it matches no session.
        landing: row.landing_digest.unwrap_or_default(),
        conversation_id: crate::error::conversation(row.conversation_id)?,
        post_token: crate::error::post(row.post_token)?,
        opener_role: decode(Role::parse(&row.opener_role), "role")?,
        opener_side: row.opener_side.as_deref().and_then(UserSide::from_divar),
        origin_city: row.origin_city,
        destination_city: row.destination_city,
        service: decode(Service::parse(&row.service), "service")?,
        payer: decode(Payer::parse(&row.payer), "payer")?,
        quote_total: Rials(u64::try_from(row.quote_total_rials).unwrap_or_default()),
        parties,
        direct_link: row.direct_link,
    };
    Ok(Some(Shipment {
        id: id.clone(),
        status: decode(Status::parse(&row.status), "status")?,
        order,
        purged: row.purged_at.is_some(),
        pickup: row
            .pickup_day
            .zip(row.pickup_window.as_deref().and_then(PickupWindow::parse)),
        events: events(db, id).await?,
    }))
}
