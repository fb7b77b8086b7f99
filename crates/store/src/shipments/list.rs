//! Many shipments at once: the console's filtered, paged list and counts per status, and the
//! operator API's list, paged by a cursor in a stable order.

use domain::stage::Stage;
use domain::status::Status;
use sqlx::{Database, QueryBuilder};

use super::rows::decode;
use crate::db::Db;
use crate::on_db;
use crate::StoreError;

/// One condition of the console's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Status(Status),
    /// Created at or after this Unix time.
    CreatedSince(i64),
    /// Created before this Unix time.
    CreatedBefore(i64),
    /// From this city id.
    Origin(String),
    /// To this city id.
    Destination(String),
    /// The tracking code begins with this, normalised.
    CodePrefix(String),
    /// In the stage on this day number (Tehran).
    Stage(Stage, i64),
    /// Picked up or delivered by staff without the holder's code.
    WithoutCode,
    /// From or to this city id.
    City(String),
    /// After this (created at, tracking code) in the API's order: a page's cursor.
    After(i64, String),
}

/// The console's filter: every condition holds (none: every shipment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter(pub Vec<Condition>);

/// One line of the console's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub id: String,
    pub status: Status,
    pub item: String,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    pub created_at: i64,
    pub direct_link: bool,
    /// The day the pickup is scheduled for.
    pub pickup_day: Option<i64>,
}

pub const PAGE_SIZE: i64 = 20;

fn filtered<'a, DB: Database>(
    mut query: QueryBuilder<'a, DB>,
    filter: &'a Filter,
) -> QueryBuilder<'a, DB>
where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    query.push(" where 1 = 1");
    for condition in &filter.0 {
        match condition {
            Condition::Status(status) => query.push(" and status = ").push_bind(status.key()),
            Condition::CreatedSince(at) => query.push(" and created_at >= ").push_bind(*at),
            Condition::CreatedBefore(at) => query.push(" and created_at < ").push_bind(*at),
            Condition::Origin(city) => query.push(" and origin_city = ").push_bind(city),
            Condition::Destination(city) => query.push(" and destination_city = ").push_bind(city),
            Condition::City(city) => query
                .push(" and (origin_city = ")
                .push_bind(city)
                .push(" or destination_city = ")
                .push_bind(city)
                .push(")"),
            Condition::After(at, id) => query
                .push(" and (created_at > ")
                .push_bind(*at)
                .push(" or (created_at = ")
                .push_bind(*at)
                .push(" and id > ")
                .push_bind(id)
                .push("))"),
            Condition::CodePrefix(code) => query
                .push(" and id like ")
                .push_bind(format!("{}%", code.replace(['%', '_'], ""))),
            Condition::WithoutCode => query.push(
                " and exists (select 1 from handover_codes h where h.shipment_id = shipments.id
                   and 'operator' in (h.pickup_proof, h.delivery_proof))",
            ),
            Condition::Stage(stage, today) => {
                // `''` is no status: it keeps the list valid for a stage of late pickups only.
                query.push(" and (status in (''");
                for status in stage.statuses() {
                    query.push(", ").push_bind(status.key());
                }
                query.push(")");
                if stage.includes_late() {
                    query
                        .push(" or (status = ")
                        .push_bind(Status::PickupScheduled.key())
                        .push(" and pickup_day < ")
                        .push_bind(*today)
                        .push(")");
                }
                query.push(")")
            }
        };
    }
    query
}

/// The columns of a [`Line`], from every shipment (a filter follows).
const LINES: &str =
    "select id, status, item_description, origin_city, destination_city, created_at,
        direct_link, pickup_day
 from shipments";

/// One line of the list as stored.
#[derive(sqlx::FromRow)]
struct Stored {
    id: String,
    status: String,
    item_description: String,
    origin_city: Option<String>,
    destination_city: Option<String>,
    created_at: i64,
    direct_link: bool,
    pickup_day: Option<i64>,
}

/// A page (from 0) of shipments matching `filter`, newest first, and how many match in all.
pub async fn list(db: &Db, filter: &Filter, page: i64) -> Result<(Vec<Line>, i64), StoreError> {
    let (rows, total): (Vec<Stored>, i64) = on_db!(db, pool => {
        let total = filtered(QueryBuilder::new("select count(*) from shipments"), filter)
            .build_query_scalar()
            .fetch_one(pool)
            .await?;
        let mut query = filtered(
            QueryBuilder::new(LINES),
            filter,
        );
        query
            .push(" order by created_at desc, id limit ")
            .push_bind(PAGE_SIZE)
            .push(" offset ")
            .push_bind(page.max(0) * PAGE_SIZE);
        (query.build_query_as().fetch_all(pool).await?, total)
    });
    Ok((lines(rows)?, total))
}

/// Up to `limit` shipments matching `filter`, oldest first (by creation, then tracking code):
/// an order that new shipments and status changes never reshuffle, so a cursor
/// ([`Condition::After`] the last line) pages through without gaps or repeats.
pub async fn in_order(db: &Db, filter: &Filter, limit: i64) -> Result<Vec<Line>, StoreError> {
    let rows: Vec<Stored> = on_db!(db, pool => {
        let mut query = filtered(
            QueryBuilder::new(LINES),
            filter,
        );
        query
            .push(" order by created_at, id limit ")
            .push_bind(limit);
        query.build_query_as().fetch_all(pool).await?
    });
    lines(rows)
}

fn lines(rows: Vec<Stored>) -> Result<Vec<Line>, StoreError> {
    rows.into_iter()
        .map(|row| {
            Ok(Line {
                status: decode(Status::parse(&row.status), "status")?,
                id: row.id,
                item: row.item_description,
                origin_city: row.origin_city,
                destination_city: row.destination_city,
                created_at: row.created_at,
                direct_link: row.direct_link,
                pickup_day: row.pickup_day,
            })
        })
        .collect()
}

/// How many shipments are in each status.
pub async fn counts(db: &Db) -> Result<Vec<(Status, i64)>, StoreError> {
    let rows: Vec<(String, i64)> = on_db!(db, pool => {
        sqlx::query_as("select status, count(*) from shipments group by status")
            .fetch_all(pool)
            .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(s, n)| Status::parse(&s).map(|s| (s, n)))
        .collect())
}

/// The first `limit` shipments scheduled for a pickup on `day` (Tehran day number), by
/// tracking code: the day's labels and manifest.
pub async fn for_pickup(db: &Db, day: i64, limit: i64) -> Result<Vec<String>, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_scalar::<_, String>(
            "select id from shipments where status = $1 and pickup_day = $2 order by id limit $3",
        )
            .bind(Status::PickupScheduled.key())
            .bind(day)
            .bind(limit)
            .fetch_all(pool)
            .await?
    }))
}
