//! Time-driven changes: shipments the other side never completed expire, and the personal data
//! of ended shipments is purged after the retention period.

use domain::code::TrackingCode;
use domain::status::{Actor, Status};
use sqlx::{QueryBuilder, Sqlite};

use super::{transition, Change, Changed, Parties};
use crate::chat::texts::{announce, Facts};
use crate::chat::tokens;
use crate::crypto::Keys;
use crate::db::Db;
use crate::error::AppError;

/// Days a shipment may wait for the other side before it expires.
pub const COUNTERPARTY_DAYS: i64 = 7;

/// Removes the personal data (names, phones, addresses; the chat link, and its tokens once no
/// open shipment of the chat needs them) of
/// shipments that reached a terminal status more than `retention_days` ago. The anonymised
/// record — item, cities, price, statuses and their times — stays. Returns how many were purged.
pub async fn purge_personal_data(
    db: &Db,
    keys: &Keys,
    retention_days: u32,
    now: i64,
) -> Result<u64, AppError> {
    let mut query = QueryBuilder::<Sqlite>::new(
        "select id, conversation_id from shipments where purged_at is null and updated_at < ",
    );
    query
        .push_bind(now - i64::from(retention_days) * 86_400)
        .push(" and status in (");
    let mut separated = query.separated(", ");
    for status in Status::ALL.iter().filter(|s| s.is_terminal()) {
        separated.push_bind(status.key());
    }
    query.push(")");
    let due: Vec<(String, Option<String>)> = query.build_query_as().fetch_all(db).await?;
    let empty = serde_json::to_vec(&Parties::default())?;
    for (id, conversation) in &due {
        let mut tx = db.begin().await?;
        sqlx::query("update shipments set parties_sealed = ?, conversation_id = null, post_token = null, purged_at = ? where id = ?")
            .bind(keys.seal(&empty, id.as_bytes()))
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("update outbox set body = '{}' where shipment_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // The chat's permission goes only when no other shipment of it still needs it.
        if let Some(conversation) = conversation {
            tokens::release_when_done(db, conversation).await?;
        }
    }
    Ok(due.len() as u64)
}

/// Moves shipments whose other side never completed (no change for [`COUNTERPARTY_DAYS`]) to
/// Expired, by the system, announcing it in their chat. Returns how many expired.
pub async fn expire_unanswered(db: &Db, keys: &Keys, now: i64) -> Result<usize, AppError> {
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
        let Ok(code) = TrackingCode::try_from(id) else {
            continue;
        };
        let mut change = Change::to(Status::Expired, Actor::System);
        change.message = announce(keys, conversation.as_deref(), |composer| {
            composer.expired(&Facts {
                code: &code,
                item: &item,
                route: None,
            })
        });
        if let Changed::Done = transition(db, &code, change, now).await? {
            expired += 1;
        }
    }
    Ok(expired)
}
