//! What Divar POSTed to the events URL, kept until processed: each event once per Divar id
//! (a redelivery finds its key taken), sealed (a bot message is personal data), taken by one
//! worker at a time in the transaction that does what it asks, and retried with a growing wait
//! when that fails.

use crate::crypto::Keys;
use crate::db::{Db, Tx};
use crate::{on_db, on_tx, StoreError};

/// Events taken per round.
const BATCH: i64 = 16;

/// What became of an event offered for keeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    New,
    /// An event with its key was stored before: Divar's redelivery, acknowledged as it is.
    Duplicate,
    /// `max` events wait to be processed already: not stored (Divar delivers it again later).
    /// A redelivery of a stored event is never refused so.
    Full,
}

/// How many unprocessed events may wait, and how many tries make one given up (a given-up
/// event waits for nothing and takes no place).
#[derive(Debug, Clone, Copy)]
pub struct Waiting {
    pub max: i64,
    pub max_attempts: i64,
}

/// Stores an event's `payload` sealed under its `key`, unless an event with that key was
/// stored before or `waiting.max` unprocessed events wait already.
pub async fn store(
    db: &Db,
    keys: &Keys,
    key: &str,
    kind: &str,
    payload: &[u8],
    now: i64,
    waiting: Waiting,
) -> Result<Kept, StoreError> {
    let sealed = keys.seal(payload, key.as_bytes());
    let (inserted, known) = on_db!(db, pool => {
        let inserted = sqlx::query(
            "insert into divar_events (event_key, kind, payload, received_at)
             select $1, $2, $3, $4
             where (select count(*) from divar_events
                    where processed_at is null and attempts < $6) < $5
             on conflict (event_key) do nothing",
        )
        .bind(key)
        .bind(kind)
        .bind(&sealed)
        .bind(now)
        .bind(waiting.max)
        .bind(waiting.max_attempts)
        .execute(pool)
        .await?
        .rows_affected();
        let known: bool = sqlx::query_scalar(
            "select exists (select 1 from divar_events where event_key = $1)",
        )
        .bind(key)
        .fetch_one(pool)
        .await?;
        (inserted, known)
    });
    Ok(match (inserted, known) {
        (1, _) => Kept::New,
        (_, true) => Kept::Duplicate,
        _ => Kept::Full,
    })
}

/// The keys of unprocessed events due now: tried fewer than `max_attempts` times, and waited
/// `retry_secs × attempts²` since they arrived. Oldest first.
pub async fn due(
    db: &Db,
    max_attempts: i64,
    retry_secs: i64,
    now: i64,
) -> Result<Vec<String>, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_scalar(
            "select event_key from divar_events where processed_at is null and attempts < $1
               and received_at + attempts * attempts * $2 <= $3
             order by id limit $4",
        )
        .bind(max_attempts)
        .bind(retry_secs)
        .bind(now)
        .bind(BATCH)
        .fetch_all(pool)
        .await?
    }))
}

/// Counts a failed try of an event; returns how many it has had.
pub async fn failed(db: &Db, key: &str) -> Result<i64, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_scalar(
            "update divar_events set attempts = attempts + 1 where event_key = $1
             returning attempts",
        )
        .bind(key)
        .fetch_one(pool)
        .await?
    }))
}

/// Takes an event inside the caller's transaction, marking it processed: its opened payload,
/// or `None` when another worker had taken it.
pub async fn take(
    tx: &mut Tx,
    keys: &Keys,
    key: &str,
    now: i64,
) -> Result<Option<Vec<u8>>, StoreError> {
    let payload: Option<Vec<u8>> = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "update divar_events set processed_at = $1
             where event_key = $2 and processed_at is null returning payload",
        )
        .bind(now)
        .bind(key)
        .fetch_optional(conn)
        .await?
    });
    match payload {
        Some(sealed) => Ok(Some(keys.open(&sealed, key.as_bytes())?)),
        None => Ok(None),
    }
}
