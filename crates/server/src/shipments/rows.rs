//! The SQL of one shipment: its row, its events, and how they map to [`Shipment`].

use domain::code::TrackingCode;
use domain::shipment::{Item, Payer, PickupWindow, Role};
use domain::size::SizeClass;
use domain::status::{Actor, Status};
use domain::tariff::Service;
use domain::values::{Dimensions, Grams, ItemDescription, Rials};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use super::{Completion, Event, Order, Shipment};
use crate::crypto::Keys;
use crate::db::Db;
use crate::error::AppError;

fn money(value: Rials) -> i64 {
    i64::try_from(value.0).unwrap_or(i64::MAX)
}

pub(super) async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    id: &TrackingCode,
    new: &Order,
    parties_sealed: Vec<u8>,
    now: i64,
) -> Result<(), AppError> {
    let dims = new.item.dimensions;
    sqlx::query(
        "insert into shipments
           (id, landing_digest, conversation_id, post_token, opener_role, status, item_description,
            size_class, weight_grams, length_cm, width_cm, height_cm, declared_rials, fragile,
            origin_city, destination_city, service, payer, quote_total_rials, parties_sealed,
            direct_link, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.as_str())
    .bind(&new.landing)
    .bind(&new.conversation_id)
    .bind(&new.post_token)
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
    .bind(parties_sealed)
    .bind(new.direct_link)
    .bind(now)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Books a shipment still in the status it was read in; `false` when it has moved since.
pub(super) async fn complete(
    tx: &mut Transaction<'_, Sqlite>,
    shipment: &Shipment,
    completion: &Completion,
    parties_sealed: Vec<u8>,
    now: i64,
) -> Result<bool, AppError> {
    let changed = sqlx::query(
        "update shipments set status = ?, parties_sealed = ?, origin_city = ?, destination_city = ?,
           quote_total_rials = ?, updated_at = ?
         where id = ? and status = ?",
    )
    .bind(Status::Booked.key())
    .bind(parties_sealed)
    .bind(&completion.origin_city)
    .bind(&completion.destination_city)
    .bind(money(completion.total))
    .bind(now)
    .bind(shipment.id.as_str())
    .bind(shipment.status.key())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// A shipment's status and conversation, read inside the transaction that will change it.
pub(super) async fn status(
    tx: &mut Transaction<'_, Sqlite>,
    id: &TrackingCode,
) -> Result<Option<(Status, Option<String>)>, AppError> {
    let current: Option<(String, Option<String>)> =
        sqlx::query_as("select status, conversation_id from shipments where id = ?")
            .bind(id.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    current
        .map(|(s, conversation)| Ok((decode(Status::parse(&s), "status")?, conversation)))
        .transpose()
}

/// Moves a shipment from `from` to `to`; `false` when it is no longer in `from`.
pub(super) async fn set_status(
    tx: &mut Transaction<'_, Sqlite>,
    id: &TrackingCode,
    from: Status,
    to: Status,
    pickup: Option<(i64, PickupWindow)>,
    now: i64,
) -> Result<bool, AppError> {
    let changed = sqlx::query(
        "update shipments set status = ?, updated_at = ?,
           pickup_day = coalesce(?, pickup_day), pickup_window = coalesce(?, pickup_window)
         where id = ? and status = ?",
    )
    .bind(to.key())
    .bind(now)
    .bind(pickup.map(|(day, _)| day))
    .bind(pickup.map(|(_, window)| window.key()))
    .bind(id.as_str())
    .bind(from.key())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

pub(super) fn decode<T>(value: Option<T>, what: &str) -> Result<T, AppError> {
    value.ok_or_else(|| AppError::new(format_args!("unknown {what} in shipments")))
}

fn item(row: &SqliteRow) -> Result<Item, AppError> {
    let side = |name: &str| -> Result<Option<u16>, AppError> {
        Ok(row
            .try_get::<Option<i64>, _>(name)?
            .and_then(|v| u16::try_from(v).ok()))
    };
    let dimensions = match (side("length_cm")?, side("width_cm")?, side("height_cm")?) {
        (Some(length_cm), Some(width_cm), Some(height_cm)) => Some(Dimensions {
            length_cm,
            width_cm,
            height_cm,
        }),
        _ => None,
    };
    let declared: i64 = row.try_get("declared_rials")?;
    Ok(Item {
        description: decode(
            ItemDescription::parse(row.try_get("item_description")?).ok(),
            "item description",
        )?,
        size: decode(SizeClass::parse(row.try_get("size_class")?), "size class")?,
        weight: row
            .try_get::<Option<i64>, _>("weight_grams")?
            .and_then(|g| u32::try_from(g).ok())
            .map(Grams),
        dimensions,
        declared_value: Rials(u64::try_from(declared).unwrap_or_default()),
        fragile: row.try_get("fragile")?,
    })
}

async fn events(db: &Db, id: &TrackingCode) -> Result<Vec<Event>, AppError> {
    sqlx::query(
        "select status, actor, at, note from shipment_events where shipment_id = ? order by id",
    )
    .bind(id.as_str())
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|e| {
        Ok(Event {
            status: decode(Status::parse(e.try_get("status")?), "status")?,
            actor: decode(Actor::parse(e.try_get("actor")?), "actor")?,
            at: e.try_get("at")?,
            note: e.try_get("note")?,
        })
    })
    .collect()
}

pub(super) async fn read(
    db: &Db,
    keys: &Keys,
    id: &TrackingCode,
) -> Result<Option<Shipment>, AppError> {
    let Some(row) = sqlx::query(
        "select landing_digest, conversation_id, post_token, opener_role, status, item_description,
                size_class, weight_grams, length_cm, width_cm, height_cm, declared_rials, fragile,
                origin_city, destination_city, service, payer, quote_total_rials, parties_sealed,
                direct_link, purged_at
         from shipments where id = ?",
    )
    .bind(id.as_str())
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let sealed: Vec<u8> = row.try_get("parties_sealed")?;
    // A decoding error could quote personal data: it is replaced by a fixed sentence.
    let parties = serde_json::from_slice(&keys.open(&sealed, id.as_str().as_bytes())?)
        .map_err(|_| AppError::new("a shipment's sealed parties do not decode"))?;
    let total: i64 = row.try_get("quote_total_rials")?;
    let order = Order {
        // Empty once the landing session is gone (housekeeping, purge): it matches no session.
        landing: row
            .try_get::<Option<String>, _>("landing_digest")?
            .unwrap_or_default(),
        conversation_id: row.try_get("conversation_id")?,
        post_token: row.try_get("post_token")?,
        opener_role: decode(Role::parse(row.try_get("opener_role")?), "role")?,
        item: item(&row)?,
        origin_city: row.try_get("origin_city")?,
        destination_city: row.try_get("destination_city")?,
        service: decode(Service::parse(row.try_get("service")?), "service")?,
        payer: decode(Payer::parse(row.try_get("payer")?), "payer")?,
        quote_total: Rials(u64::try_from(total).unwrap_or_default()),
        parties,
        direct_link: row.try_get("direct_link")?,
    };
    Ok(Some(Shipment {
        id: id.clone(),
        status: decode(Status::parse(row.try_get("status")?), "status")?,
        order,
        purged: row.try_get::<Option<i64>, _>("purged_at")?.is_some(),
        events: events(db, id).await?,
    }))
}
