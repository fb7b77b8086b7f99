//! The webhooks' tables: the shipping company's endpoints (their signing secrets sealed), the
//! messages queued for them (outbox rows of [`Channel::Webhook`], keyed by endpoint and subject
//! so that one shipment's events reach an endpoint in order), and the log of every attempt.

use domain::delivery::Delivery;
use domain::webhook::{events_key, parse_events, Event, DISABLE_AFTER_SECS, ROTATION_OVERLAP_SECS};
use serde::{Deserialize, Serialize};

use crate::crypto::{random_token, Keys};
use crate::db::{Db, Tx};
use crate::outbox::{self, Channel};
use crate::{on_db, on_tx, StoreError};

/// An endpoint as the console and the API list it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub events: Vec<Event>,
    /// Whether its payloads carry the two sides' names, phones and addresses.
    pub personal: bool,
    pub created_by: String,
    pub created_at: i64,
    /// Since when every attempt failed (`None` while the last one succeeded).
    pub failing_since: Option<i64>,
    pub last_ok_at: Option<i64>,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    /// Until when the previous secret still signs, after a rotation.
    pub previous_until: Option<i64>,
}

/// An endpoint's row, as read.
#[derive(sqlx::FromRow)]
struct EndpointRow {
    id: i64,
    url: String,
    events: String,
    personal: bool,
    created_by: String,
    created_at: i64,
    failing_since: Option<i64>,
    last_ok_at: Option<i64>,
    disabled_at: Option<i64>,
    disabled_reason: Option<String>,
    previous_until: Option<i64>,
}

const ENDPOINT_COLUMNS: &str = "id, url, events, personal, created_by, created_at, failing_since,
    last_ok_at, disabled_at, disabled_reason, previous_until";

fn endpoint(row: EndpointRow) -> Endpoint {
    Endpoint {
        id: row.id,
        url: row.url,
        events: parse_events(&row.events),
        personal: row.personal,
        created_by: row.created_by,
        created_at: row.created_at,
        failing_since: row.failing_since,
        last_ok_at: row.last_ok_at,
        disabled_at: row.disabled_at,
        disabled_reason: row.disabled_reason,
        previous_until: row.previous_until,
    }
}

/// A new endpoint.
pub struct NewEndpoint<'a> {
    pub url: &'a str,
    pub events: &'a [Event],
    pub personal: bool,
    pub created_by: &'a str,
}

fn secret_context(id: i64) -> Vec<u8> {
    format!("webhook-secret:{id}").into_bytes()
}

/// Stores an endpoint with its signing secret (sealed, bound to its id); returns its id.
pub async fn add(
    db: &Db,
    keys: &Keys,
    new: &NewEndpoint<'_>,
    secret: &[u8],
    now: i64,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "insert into webhook_endpoints (url, events, personal, created_by, created_at)
             values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(new.url)
        .bind(events_key(new.events))
        .bind(new.personal)
        .bind(new.created_by)
        .bind(now)
        .fetch_one(conn)
        .await?
    });
    let sealed = keys.seal(secret, &secret_context(id));
    on_tx!(&mut tx, conn => {
        sqlx::query("update webhook_endpoints set secret = $1 where id = $2")
            .bind(sealed)
            .bind(id)
            .execute(conn)
            .await?;
    });
    tx.commit().await?;
    Ok(id)
}

/// Every endpoint, oldest first.
pub async fn list(db: &Db) -> Result<Vec<Endpoint>, StoreError> {
    let sql = format!("select {ENDPOINT_COLUMNS} from webhook_endpoints order by id");
    let rows: Vec<EndpointRow> = on_db!(db, pool => {
        sqlx::query_as(&sql).fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(endpoint).collect())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Endpoint>, StoreError> {
    let sql = format!("select {ENDPOINT_COLUMNS} from webhook_endpoints where id = $1");
    let row: Option<EndpointRow> = on_db!(db, pool => {
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
    });
    Ok(row.map(endpoint))
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_scalar("select count(*) from webhook_endpoints").fetch_one(pool).await?
    }))
}

/// An endpoint's sealed secret, its sealed previous one and until when that one signs.
type SealedSecrets = (Option<Vec<u8>>, Option<Vec<u8>>, Option<i64>);

/// The secrets that sign for endpoint `id` now: its own, then the previous one while a
/// rotation's overlap lasts. Empty when the endpoint is gone.
pub async fn signing_secrets(
    db: &Db,
    keys: &Keys,
    id: i64,
    now: i64,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let row: Option<SealedSecrets> = on_db!(db, pool => {
        sqlx::query_as(
            "select secret, previous_secret, previous_until from webhook_endpoints where id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    });
    let Some((current, previous, until)) = row else {
        return Ok(Vec::new());
    };
    let previous = previous.filter(|_| until.is_some_and(|until| until > now));
    let context = secret_context(id);
    [current, previous]
        .into_iter()
        .flatten()
        .map(|sealed| {
            keys.open(&sealed, &context)
                .map_err(|_| StoreError::Broken("a webhook secret does not open"))
        })
        .collect()
}

/// Replaces endpoint `id`'s secret; the old one keeps signing for a day
/// ([`ROTATION_OVERLAP_SECS`]). `false` when there is no such endpoint.
pub async fn rotate(
    db: &Db,
    keys: &Keys,
    id: i64,
    secret: &[u8],
    now: i64,
) -> Result<bool, StoreError> {
    let sealed = keys.seal(secret, &secret_context(id));
    Ok(on_db!(db, pool => {
        sqlx::query(
            "update webhook_endpoints set previous_secret = secret, previous_until = $1,
               secret = $2 where id = $3",
        )
        .bind(now + ROTATION_OVERLAP_SECS)
        .bind(sealed)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
    }) == 1)
}

/// The outbox key prefix of endpoint `id`'s messages.
fn key_prefix(id: i64) -> String {
    format!("wh/{id}/")
}

/// The endpoint an outbox key of [`Channel::Webhook`] names.
pub fn endpoint_of(key: &str) -> Option<i64> {
    key.strip_prefix("wh/")?.split_once('/')?.0.parse().ok()
}

/// Deletes endpoint `id`, its waiting messages and its log.
pub async fn delete(db: &Db, id: i64) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "delete from outbox where channel = $1 and conversation_id like $2 and state = $3",
        )
        .bind(Channel::Webhook.key())
        .bind(format!("{}%", key_prefix(id)))
        .bind(Delivery::Pending.key())
        .execute(&mut *conn)
        .await?;
        sqlx::query("delete from webhook_attempts where endpoint_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    });
    let deleted = on_tx!(&mut tx, conn => {
        sqlx::query("delete from webhook_endpoints where id = $1")
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(deleted == 1)
}

/// Turns endpoint `id` back on, its failures forgotten.
pub async fn enable(db: &Db, id: i64) -> Result<bool, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query(
            "update webhook_endpoints set disabled_at = null, disabled_reason = null,
               failing_since = null where id = $1",
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
    }) == 1)
}

/// Turns endpoint `id` off, saying why (an operator did, or a day of failures).
pub async fn disable(db: &Db, id: i64, reason: &str, now: i64) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "update webhook_endpoints set disabled_at = $1, disabled_reason = $2
             where id = $3 and disabled_at is null",
        )
        .bind(now)
        .bind(reason)
        .bind(id)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Records that a delivery to endpoint `id` succeeded: it is failing no more.
pub async fn succeeded(db: &Db, id: i64, now: i64) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "update webhook_endpoints set failing_since = null, last_ok_at = $1 where id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Records that a delivery to endpoint `id` failed; once it has failed for a day without a
/// success ([`DISABLE_AFTER_SECS`]), it is turned off with `reason`. Returns whether it was
/// turned off now.
pub async fn failed(db: &Db, id: i64, reason: &str, now: i64) -> Result<bool, StoreError> {
    let since: Option<i64> = on_db!(db, pool => {
        sqlx::query_scalar(
            "update webhook_endpoints set failing_since = coalesce(failing_since, $1)
             where id = $2 returning failing_since",
        )
        .bind(now)
        .bind(id)
        .fetch_optional(pool)
        .await?
    });
    if since.is_some_and(|since| now - since >= DISABLE_AFTER_SECS) {
        disable(db, id, reason, now).await?;
        return Ok(true);
    }
    Ok(false)
}

/// A message as queued for an endpoint: the outbox row's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub endpoint: i64,
    /// `webhook-id`: the same on every attempt, so that receivers can drop duplicates.
    pub id: String,
    /// The event's key (`shipment.booked`).
    pub event: String,
    /// The shipment's code, or the support conversation's id.
    pub subject: String,
    /// When it happened (Unix seconds).
    pub at: i64,
    /// The payload's `data`, without personal data (added at send time, for endpoints that may
    /// receive it, from what is still stored then).
    pub data: serde_json::Value,
}

/// Queues `event` about `subject` for every endpoint turned on that wants it, inside the
/// caller's transaction.
pub async fn enqueue(
    tx: &mut Tx,
    event: Event,
    subject: &str,
    data: &serde_json::Value,
    now: i64,
) -> Result<(), StoreError> {
    let endpoints: Vec<(i64, String)> = on_tx!(tx, conn => {
        sqlx::query_as("select id, events from webhook_endpoints where disabled_at is null")
            .fetch_all(conn)
            .await?
    });
    for (endpoint, events) in endpoints {
        if !parse_events(&events).contains(&event) {
            continue;
        }
        let message = Message {
            endpoint,
            id: format!("msg_{}", random_token()),
            event: event.key().to_owned(),
            subject: subject.to_owned(),
            at: now,
            data: data.clone(),
        };
        let key = format!("{}{subject}", key_prefix(endpoint));
        let body = serde_json::to_string(&message)?;
        outbox::enqueue(tx, Channel::Webhook, &key, &body, now).await?;
    }
    Ok(())
}

/// One attempt to deliver a message, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Attempt {
    pub outbox_id: i64,
    pub message_id: String,
    pub event: String,
    pub subject: String,
    pub attempt: i64,
    pub at_ms: i64,
    /// The endpoint's HTTP status, if it answered.
    pub status: Option<i32>,
    /// What came of it: a [`domain::webhook::Outcome`]'s key.
    pub outcome: String,
    pub duration_ms: i64,
}

/// Logs an attempt on endpoint `endpoint`.
pub async fn log_attempt(db: &Db, endpoint: i64, attempt: &Attempt) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "insert into webhook_attempts (endpoint_id, outbox_id, message_id, event, subject,
               attempt, at_ms, status, outcome, duration_ms)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(endpoint)
        .bind(attempt.outbox_id)
        .bind(&attempt.message_id)
        .bind(&attempt.event)
        .bind(&attempt.subject)
        .bind(attempt.attempt)
        .bind(attempt.at_ms)
        .bind(attempt.status)
        .bind(&attempt.outcome)
        .bind(attempt.duration_ms)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Endpoint `endpoint`'s newest `limit` attempts, newest first.
pub async fn attempts(db: &Db, endpoint: i64, limit: i64) -> Result<Vec<Attempt>, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_as(
            "select outbox_id, message_id, event, subject, attempt, at_ms, status, outcome,
               duration_ms
             from webhook_attempts where endpoint_id = $1 order by id desc limit $2",
        )
        .bind(endpoint)
        .bind(limit)
        .fetch_all(pool)
        .await?
    }))
}

/// Queues endpoint `endpoint`'s failed messages again, due now, with their tries counted
/// afresh and their ids unchanged. Returns how many.
pub async fn replay(db: &Db, endpoint: i64, now_ms: i64) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query(
            "update outbox set state = $4, attempts = 0, next_attempt_at = $1, last_status = null
             where channel = $2 and conversation_id like $3 and state = $5",
        )
        .bind(now_ms)
        .bind(Channel::Webhook.key())
        .bind(format!("{}%", key_prefix(endpoint)))
        .bind(Delivery::Pending.key())
        .bind(Delivery::Failed.key())
        .execute(pool)
        .await?
        .rows_affected()
    }))
}

/// How many of endpoint `endpoint`'s messages wait to be sent, and how many failed.
pub async fn counts(db: &Db, endpoint: i64) -> Result<(i64, i64), StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_as(
            "select count(*) filter (where state = $3), count(*) filter (where state = $4)
             from outbox where channel = $1 and conversation_id like $2",
        )
        .bind(Channel::Webhook.key())
        .bind(format!("{}%", key_prefix(endpoint)))
        .bind(Delivery::Pending.key())
        .bind(Delivery::Failed.key())
        .fetch_one(pool)
        .await?
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_its_endpoint() {
        assert_eq!(
            endpoint_of(&format!("{}TKTSUEL7YP", key_prefix(12))),
            Some(12)
        );
        assert_eq!(endpoint_of("wh/x/TKTSUEL7YP"), None);
        assert_eq!(endpoint_of("0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10"), None);
    }
}
