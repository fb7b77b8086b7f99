//! Time-driven changes: shipments the other side never completed expire, and the personal data
//! of ended shipments is purged after the retention period.

use domain::code::TrackingCode;
use domain::status::{Actor, Status};
use sqlx::QueryBuilder;

use super::{transition, Change, Changed, Parties};
use crate::chat::texts::{announce, Facts};
use crate::chat::verify_button;
use crate::error::AppError;
use store::crypto::Keys;
use store::db::Db;
use store::sessions;
use store::{on_db, on_tx};

/// Days a shipment may wait for the other side before it expires.
pub const COUNTERPARTY_DAYS: i64 = 7;

/// Removes the personal data of shipments that reached a terminal status more than
/// `retention_days` ago: names, phones and addresses; the chat and post link; the texts of the
/// chat messages; operators' notes on its events and the texts of its audit entries (the rows
/// stay: who, when); and every landing session of it, with their browser sessions, drafts and
/// OAuth states — the opener's (unless another shipment not yet purged was opened from it too)
/// and those opened by its chat buttons (the other side's, with their draft). The chat's
/// tokens go by the one shared rule ([`store::grants::release_when_done`]): only once no shipment of
/// the chat still needs them. The anonymised record — item, cities, price, statuses and their
/// times — stays. Returns how many were purged.
pub async fn purge_personal_data(
    db: &Db,
    keys: &Keys,
    retention_days: u32,
    now: i64,
) -> Result<u64, AppError> {
    let due: Vec<(String, Option<String>, Option<String>)> = on_db!(db, pool => {
        let mut query = QueryBuilder::new(
            "select id, conversation_id, landing_digest from shipments
             where purged_at is null and updated_at < ",
        );
        query
            .push_bind(now - i64::from(retention_days) * 86_400)
            .push(" and status in (");
        let mut separated = query.separated(", ");
        for status in Status::ALL.iter().filter(|s| s.is_terminal()) {
            separated.push_bind(status.key());
        }
        query.push(")");
        query.build_query_as().fetch_all(pool).await?
    });
    let empty = serde_json::to_vec(&Parties::default())?;
    for (id, conversation, landing) in &due {
        let pressed = match conversation {
            Some(conversation) => pressed_for(db, keys, conversation, id).await?,
            None => Vec::new(),
        };
        let sealed = keys.seal(&empty, id.as_bytes());
        let mut tx = db.begin().await?;
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "update shipments set parties_sealed = $1, conversation_id = null,
                   post_token = null, landing_digest = null, purged_at = $2
                 where id = $3",
            )
            .bind(&sealed)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            for blank in [
                "update outbox set body = '{}' where shipment_id = $1",
                "update shipment_events set note = null where shipment_id = $1",
                "update audit set what = '' where shipment_id = $1",
            ] {
                sqlx::query(blank).bind(id).execute(&mut *conn).await?;
            }
            if let Some(landing) = landing {
                sqlx::query(
                    "delete from landing_sessions where id_digest = $1
                       and not exists (select 1 from shipments where landing_digest = $1)",
                )
                .bind(landing)
                .execute(&mut *conn)
                .await?;
            }
            for landing in &pressed {
                sqlx::query("delete from landing_sessions where id_digest = $1")
                    .bind(landing)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        tx.commit().await?;
        // The chat's permission goes only when no other shipment of it still needs it.
        if let Some(conversation) = conversation {
            store::grants::release_when_done(db, conversation).await?;
        }
    }
    Ok(due.len() as u64)
}

/// The landing sessions opened in `conversation` by a genuine button of shipment `id`.
async fn pressed_for(
    db: &Db,
    keys: &Keys,
    conversation: &str,
    id: &str,
) -> Result<Vec<String>, AppError> {
    Ok(sessions::opened_by_buttons(db, keys, conversation)
        .await?
        .into_iter()
        .filter(|(_, data)| {
            verify_button(keys, data, conversation).is_some_and(|(code, _)| code.as_str() == id)
        })
        .map(|(landing, _)| landing)
        .collect())
}

/// Moves shipments whose other side never completed (no change for [`COUNTERPARTY_DAYS`]) to
/// Expired, by the system, announcing it in their chat. Returns how many expired.
pub async fn expire_unanswered(db: &Db, keys: &Keys, now: i64) -> Result<usize, AppError> {
    let due: Vec<(String, Option<String>, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "select id, conversation_id, item_description from shipments
             where status in ($1, $2) and updated_at < $3",
        )
        .bind(Status::AwaitingCounterparty.key())
        .bind(Status::AwaitingConfirmation.key())
        .bind(now - COUNTERPARTY_DAYS * 86_400)
        .fetch_all(pool)
        .await?
    });
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
