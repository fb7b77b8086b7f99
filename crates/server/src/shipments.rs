//! The shipments repository: creating a shipment from a finished draft, reading it with its
//! timeline, and moving it through the status machine. Names, phones and addresses are sealed.

use domain::shipment::{Item, Party, Payer, PickupWindow, Role};
use domain::size::SizeClass;
use domain::status::{Actor, Status};
use domain::tariff::Service;
use domain::values::{Dimensions, Grams, ItemDescription, Rials};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite};

use kenar::message::SendMessage;

use crate::chat;
use crate::crypto::Keys;
use crate::db::Db;

/// Both sides' personal details; the counterparty's is `None` until they fill it in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Parties {
    pub sender: Option<Party>,
    pub receiver: Option<Party>,
}

/// A shipment to create.
pub struct NewShipment {
    pub landing: String,
    pub conversation_id: Option<String>,
    pub post_token: Option<String>,
    pub opener_role: Role,
    pub item: Item,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    pub service: Service,
    pub payer: Payer,
    pub quote_total: Rials,
    pub parties: Parties,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub status: Status,
    pub actor: String,
    pub at: i64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub id: String,
    pub landing: String,
    pub conversation_id: Option<String>,
    pub post_token: Option<String>,
    pub opener_role: Role,
    pub status: Status,
    pub item: Item,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    pub service: Service,
    pub payer: Payer,
    pub quote_total: Rials,
    pub parties: Parties,
    pub events: Vec<Event>,
}

#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error("the shipment does not exist")]
    NotFound,
    #[error("{from:?} cannot become {to:?} by {actor:?}")]
    Forbidden {
        from: Status,
        to: Status,
        actor: Actor,
    },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Tracking codes: 10 characters without look-alikes (no 0/O, 1/I), about 50 bits.
fn tracking_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rngs::OsRng;
    (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

fn actor_key(actor: Actor) -> &'static str {
    match actor {
        Actor::Opener => "opener",
        Actor::Counterparty => "counterparty",
        Actor::Operator => "operator",
        Actor::System => "system",
    }
}

/// Stores a submitted shipment (Draft → AwaitingCounterparty, both recorded), queues the chat
/// message `message` composes for it (given the tracking code), and removes the landing
/// session's draft — in one transaction. Returns the tracking code.
pub async fn create(
    db: &Db,
    keys: &Keys,
    new: &NewShipment,
    message: impl FnOnce(&str) -> Option<(String, SendMessage)>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = tracking_code();
    let parties = serde_json::to_vec(&new.parties).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let dims = new.item.dimensions;
    let mut tx = db.begin().await?;
    sqlx::query(
        "insert into shipments
           (id, landing_digest, conversation_id, post_token, opener_role, status, item_description,
            size_class, weight_grams, length_cm, width_cm, height_cm, declared_rials, fragile,
            origin_city, destination_city, service, payer, quote_total_rials, parties_sealed,
            created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
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
    .bind(i64::try_from(new.item.declared_value.0).unwrap_or(i64::MAX))
    .bind(new.item.fragile)
    .bind(&new.origin_city)
    .bind(&new.destination_city)
    .bind(new.service.key())
    .bind(new.payer.key())
    .bind(i64::try_from(new.quote_total.0).unwrap_or(i64::MAX))
    .bind(keys.seal(&parties, id.as_bytes()))
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for status in [Status::Draft, Status::AwaitingCounterparty] {
        sqlx::query(
            "insert into shipment_events (shipment_id, status, actor, at) values (?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(status.key())
        .bind(actor_key(Actor::Opener))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    if let Some((conversation, body)) = message(&id) {
        chat::enqueue(&mut tx, &id, &conversation, &body, now * 1000).await?;
    }
    sqlx::query("delete from drafts where landing_digest = ?")
        .bind(&new.landing)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The counterparty's side arrived and they confirmed: their details join the shipment, the
/// route and price are final, the status goes AwaitingCounterparty → AwaitingConfirmation →
/// Booked (both recorded, by the counterparty), and the "booked" message is queued — in one
/// transaction, and only if the shipment is still waiting for them.
pub async fn complete_counterparty(
    db: &Db,
    keys: &Keys,
    shipment: &Shipment,
    completion: &Completion,
    message: Option<(String, SendMessage)>,
    now: i64,
) -> Result<(), TransitionError> {
    let forbidden = || TransitionError::Forbidden {
        from: shipment.status,
        to: Status::Booked,
        actor: Actor::Counterparty,
    };
    if !(shipment
        .status
        .can_become(Status::AwaitingConfirmation, Actor::Counterparty)
        && Status::AwaitingConfirmation.can_become(Status::Booked, Actor::Counterparty))
    {
        return Err(forbidden());
    }
    let parties =
        serde_json::to_vec(&completion.parties).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let mut tx = db.begin().await?;
    let changed = sqlx::query(
        "update shipments set status = ?, parties_sealed = ?, origin_city = ?, destination_city = ?,
           quote_total_rials = ?, updated_at = ?
         where id = ? and status = ?",
    )
    .bind(Status::Booked.key())
    .bind(keys.seal(&parties, shipment.id.as_bytes()))
    .bind(&completion.origin_city)
    .bind(&completion.destination_city)
    .bind(i64::try_from(completion.total.0).unwrap_or(i64::MAX))
    .bind(now)
    .bind(&shipment.id)
    .bind(shipment.status.key())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(forbidden());
    }
    for status in [Status::AwaitingConfirmation, Status::Booked] {
        sqlx::query(
            "insert into shipment_events (shipment_id, status, actor, at) values (?, ?, ?, ?)",
        )
        .bind(&shipment.id)
        .bind(status.key())
        .bind(actor_key(Actor::Counterparty))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    if let Some((conversation, body)) = message {
        chat::enqueue(&mut tx, &shipment.id, &conversation, &body, now * 1000).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What the counterparty adds.
pub struct Completion {
    pub parties: Parties,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    pub total: Rials,
}

fn item(row: &sqlx::sqlite::SqliteRow) -> Result<Item, sqlx::Error> {
    let side = |name: &str| -> Result<Option<u16>, sqlx::Error> {
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

fn decode<T>(value: Option<T>, what: &str) -> Result<T, sqlx::Error> {
    value.ok_or_else(|| sqlx::Error::Decode(format!("unknown {what} in shipments").into()))
}

/// Whether a shipment's personal data has been purged.
pub async fn is_purged(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let purged: Option<Option<i64>> =
        sqlx::query_scalar("select purged_at from shipments where id = ?")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(purged.flatten().is_some())
}

/// The conversation a shipment belongs to (`None` when unknown, or started outside a chat).
pub async fn conversation_of(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    let found: Option<Option<String>> =
        sqlx::query_scalar("select conversation_id from shipments where id = ?")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(found.flatten())
}

/// A shipment with its timeline, oldest event first.
pub async fn get(db: &Db, keys: &Keys, id: &str) -> Result<Option<Shipment>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "select id, landing_digest, conversation_id, post_token, opener_role, status, item_description,
                size_class, weight_grams, length_cm, width_cm, height_cm, declared_rials, fragile,
                origin_city, destination_city, service, payer, quote_total_rials, parties_sealed
         from shipments where id = ?",
    )
    .bind(id)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let events = sqlx::query(
        "select status, actor, at, note from shipment_events where shipment_id = ? order by id",
    )
    .bind(id)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|e| {
        Ok(Event {
            status: decode(Status::parse(e.try_get("status")?), "status")?,
            actor: e.try_get("actor")?,
            at: e.try_get("at")?,
            note: e.try_get("note")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let sealed: Vec<u8> = row.try_get("parties_sealed")?;
    let parties = keys
        .open(&sealed, id.as_bytes())
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .ok_or_else(|| sqlx::Error::Decode("shipment parties do not open".into()))?;
    let total: i64 = row.try_get("quote_total_rials")?;
    Ok(Some(Shipment {
        id: row.try_get("id")?,
        landing: row.try_get("landing_digest")?,
        conversation_id: row.try_get("conversation_id")?,
        post_token: row.try_get("post_token")?,
        opener_role: decode(Role::parse(row.try_get("opener_role")?), "role")?,
        status: decode(Status::parse(row.try_get("status")?), "status")?,
        item: item(&row)?,
        origin_city: row.try_get("origin_city")?,
        destination_city: row.try_get("destination_city")?,
        service: decode(Service::parse(row.try_get("service")?), "service")?,
        payer: decode(Payer::parse(row.try_get("payer")?), "payer")?,
        quote_total: Rials(u64::try_from(total).unwrap_or_default()),
        parties,
        events,
    }))
}

/// A status change: who makes it, an optional note (a cancellation reason, a failure), a pickup
/// appointment when one is set, and the chat message announcing it.
pub struct Change {
    pub to: Status,
    pub actor: Actor,
    pub note: Option<String>,
    pub pickup: Option<(i64, PickupWindow)>,
    pub message: Option<(String, SendMessage)>,
}

impl Change {
    pub fn to(to: Status, actor: Actor) -> Self {
        Self {
            to,
            actor,
            note: None,
            pickup: None,
            message: None,
        }
    }
}

/// Moves a shipment as `change` says, if the status machine allows its actor to, recording the
/// event and queueing the chat message in the same transaction. The status check and the
/// update are one statement, so concurrent changes cannot both win.
pub async fn transition(
    db: &Db,
    id: &str,
    change: Change,
    now: i64,
) -> Result<Status, TransitionError> {
    let Change {
        to,
        actor,
        note,
        pickup,
        message,
    } = change;
    let mut tx = db.begin().await?;
    let current: Option<String> = sqlx::query_scalar("select status from shipments where id = ?")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let from = current
        .as_deref()
        .and_then(Status::parse)
        .ok_or(TransitionError::NotFound)?;
    if !from.can_become(to, actor) {
        return Err(TransitionError::Forbidden { from, to, actor });
    }
    let changed = sqlx::query(
        "update shipments set status = ?, updated_at = ?,
           pickup_day = coalesce(?, pickup_day), pickup_window = coalesce(?, pickup_window)
         where id = ? and status = ?",
    )
    .bind(to.key())
    .bind(now)
    .bind(pickup.map(|(day, _)| day))
    .bind(pickup.map(|(_, window)| window.key()))
    .bind(id)
    .bind(from.key())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(TransitionError::Forbidden { from, to, actor });
    }
    sqlx::query(
        "insert into shipment_events (shipment_id, status, actor, at, note) values (?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(to.key())
    .bind(actor_key(actor))
    .bind(now)
    .bind(&note)
    .execute(&mut *tx)
    .await?;
    if let Some((conversation, body)) = message {
        chat::enqueue(&mut tx, id, &conversation, &body, now * 1000).await?;
    }
    tx.commit().await?;
    Ok(from)
}

/// The console's filters; empty fields mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<Status>,
    /// Created at or after / before (Unix seconds).
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    /// A tracking code, or its beginning.
    pub code: Option<String>,
}

/// One line of the console's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub id: String,
    pub status: Status,
    pub item: String,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    pub created_at: i64,
}

pub const PAGE_SIZE: i64 = 20;

fn filtered<'a>(
    mut query: QueryBuilder<'a, Sqlite>,
    filter: &'a Filter,
) -> QueryBuilder<'a, Sqlite> {
    query.push(" where 1 = 1");
    if let Some(status) = filter.status {
        query.push(" and status = ").push_bind(status.key());
    }
    if let Some(from) = filter.from {
        query.push(" and created_at >= ").push_bind(from);
    }
    if let Some(until) = filter.until {
        query.push(" and created_at < ").push_bind(until);
    }
    if let Some(city) = &filter.origin_city {
        query.push(" and origin_city = ").push_bind(city);
    }
    if let Some(city) = &filter.destination_city {
        query.push(" and destination_city = ").push_bind(city);
    }
    if let Some(code) = &filter.code {
        query
            .push(" and id like ")
            .push_bind(format!("{}%", code.replace(['%', '_'], "")));
    }
    query
}

/// A page (from 0) of shipments matching `filter`, newest first, and how many match in all.
pub async fn list(db: &Db, filter: &Filter, page: i64) -> Result<(Vec<Line>, i64), sqlx::Error> {
    let total: i64 = filtered(QueryBuilder::new("select count(*) from shipments"), filter)
        .build_query_scalar()
        .fetch_one(db)
        .await?;
    let mut query = filtered(
        QueryBuilder::new("select id, status, item_description, origin_city, destination_city, created_at from shipments"),
        filter,
    );
    query
        .push(" order by created_at desc, id limit ")
        .push_bind(PAGE_SIZE)
        .push(" offset ")
        .push_bind(page.max(0) * PAGE_SIZE);
    let lines = query
        .build()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(Line {
                id: row.try_get("id")?,
                status: decode(Status::parse(row.try_get("status")?), "status")?,
                item: row.try_get("item_description")?,
                origin_city: row.try_get("origin_city")?,
                destination_city: row.try_get("destination_city")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((lines, total))
}

/// How many shipments are in each status.
pub async fn counts(db: &Db) -> Result<Vec<(Status, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("select status, count(*) from shipments group by status")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, n)| Status::parse(&s).map(|s| (s, n)))
        .collect())
}

/// Removes the personal data (names, phones, addresses; the chat link and its tokens) of
/// shipments that reached a terminal status more than `retention_days` ago. The anonymised
/// record — item, cities, price, statuses and their times — stays. Returns how many were purged.
pub async fn purge_personal_data(
    db: &Db,
    keys: &Keys,
    retention_days: u32,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let terminal: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| s.key())
        .collect();
    let mut query = QueryBuilder::<Sqlite>::new(
        "select id, conversation_id from shipments where purged_at is null and updated_at < ",
    );
    query
        .push_bind(now - i64::from(retention_days) * 86_400)
        .push(" and status in (");
    let mut separated = query.separated(", ");
    for key in &terminal {
        separated.push_bind(*key);
    }
    query.push(")");
    let due: Vec<(String, Option<String>)> = query.build_query_as().fetch_all(db).await?;
    let empty =
        serde_json::to_vec(&Parties::default()).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    for (id, conversation) in &due {
        let mut tx = db.begin().await?;
        sqlx::query("update shipments set parties_sealed = ?, conversation_id = null, post_token = null, purged_at = ? where id = ?")
            .bind(keys.seal(&empty, id.as_bytes()))
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if let Some(conversation) = conversation {
            sqlx::query("delete from chat_tokens where conversation_id = ?")
                .bind(conversation)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("update outbox set body = '{}' where shipment_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(due.len() as u64)
}

/// Days a shipment may wait for the other side before it expires.
pub const COUNTERPARTY_DAYS: i64 = 7;

/// Moves shipments whose other side never completed (no change for [`COUNTERPARTY_DAYS`]) to
/// Expired, by the system, announcing it in their chat. Returns how many expired.
pub async fn expire_unanswered(db: &Db, keys: &Keys, now: i64) -> Result<usize, sqlx::Error> {
    let due: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "select id, conversation_id, item_description from shipments
         where status in (?, ?) and updated_at < ?",
    )
    .bind(Status::AwaitingCounterparty.key())
    .bind(Status::AwaitingConfirmation.key())
    .bind(now - COUNTERPARTY_DAYS * 86_400)
    .fetch_all(db)
    .await?;
    let mut expired = 0;
    for (id, conversation, item) in due {
        let text = format!(
            "«{item}»: {}؛ طرف مقابل مشخصات خود را ثبت نکرد. کد پیگیری: {id}",
            Status::Expired.label()
        );
        let mut change = Change::to(Status::Expired, Actor::System);
        change.message = conversation.map(|c| {
            let body = chat::milestone_message(keys, &id, &c, text);
            (c, body)
        });
        match transition(db, &id, change, now).await {
            Ok(_) => expired += 1,
            Err(TransitionError::Db(cause)) => return Err(cause),
            Err(_) => {}
        }
    }
    Ok(expired)
}
