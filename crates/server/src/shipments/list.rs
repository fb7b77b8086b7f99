//! The console's view of many shipments: a filtered, paged list and the counts per status.

use domain::status::Status;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::rows::decode;
use crate::db::Db;
use crate::error::AppError;

/// The console's filters; empty fields mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<Status>,
    /// Created at or after / before (Unix seconds).
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    /// The beginning of a tracking code, normalised.
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
pub async fn list(db: &Db, filter: &Filter, page: i64) -> Result<(Vec<Line>, i64), AppError> {
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
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((lines, total))
}

/// How many shipments are in each status.
pub async fn counts(db: &Db) -> Result<Vec<(Status, i64)>, AppError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("select status, count(*) from shipments group by status")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, n)| Status::parse(&s).map(|s| (s, n)))
        .collect())
}
