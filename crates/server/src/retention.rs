//! Time-driven changes: shipments the other side never completed expire, and the personal data
//! of ended shipments is purged after the retention period. The rows come from the store
//! ([`store::shipments::retention`]); the rules about which sessions go and what the chat hears
//! are here.

use domain::code::TrackingCode;
use domain::status::{Actor, Status};
use store::crypto::Keys;
use store::db::Db;
use store::sessions;
use store::shipments::retention::{self as rows, Due};
use store::shipments::{Change, Changed};

use crate::chat::texts::{announce, Facts};
use crate::chat::verify_button;
use crate::error::AppError;

/// Days a shipment may wait for the other side before it expires.
pub const COUNTERPARTY_DAYS: i64 = 7;

/// Removes the personal data of shipments that reached a terminal status more than
/// `retention_days` ago ([`rows::purge`] says what goes), with every landing session of it:
/// the opener's, and those opened by its chat buttons (the other side's, with their draft). The
/// chat's tokens go by the one shared rule ([`store::grants::release_when_done`]): only once no
/// shipment of the chat still needs them. The anonymised record — item, cities, price,
/// statuses and their times — stays. Returns how many were purged.
pub async fn purge_personal_data(
    db: &Db,
    keys: &Keys,
    retention_days: u32,
    now: i64,
) -> Result<u64, AppError> {
    let due = rows::due_for_purge(db, now - i64::from(retention_days) * 86_400).await?;
    for shipment in &due {
        let pressed = pressed_for(db, keys, shipment).await?;
        rows::purge(db, keys, shipment, &pressed, now).await?;
        // The chat's permission goes only when no other shipment of it still needs it.
        if let Some(conversation) = &shipment.conversation {
            store::grants::release_when_done(db, conversation).await?;
        }
    }
    Ok(due.len() as u64)
}

/// The landing sessions opened in the shipment's conversation by a genuine button of it.
async fn pressed_for(db: &Db, keys: &Keys, shipment: &Due) -> Result<Vec<String>, AppError> {
    let Some(conversation) = &shipment.conversation else {
        return Ok(Vec::new());
    };
    Ok(sessions::opened_by_buttons(db, keys, conversation)
        .await?
        .into_iter()
        .filter(|(_, data)| {
            verify_button(keys, data, conversation)
                .is_some_and(|pressed| pressed.code.as_str() == shipment.id)
        })
        .map(|(landing, _)| landing)
        .collect())
}

/// Moves shipments whose other side never completed (no change for [`COUNTERPARTY_DAYS`]) to
/// Expired, by the system, announcing it in their chat. Returns how many expired.
pub async fn expire_unanswered(db: &Db, keys: &Keys, now: i64) -> Result<usize, AppError> {
    let mut expired = 0;
    for waiting in rows::unanswered(db, now - COUNTERPARTY_DAYS * 86_400).await? {
        let Ok(code) = TrackingCode::try_from(waiting.id) else {
            continue;
        };
        let mut change = Change::to(Status::Expired, Actor::System);
        change.message = announce(keys, waiting.conversation.as_ref(), |composer| {
            composer.expired(&Facts {
                code: &code,
                item: &waiting.item,
                route: None,
            })
        });
        if let Changed::Done = crate::chat::tokens::transition(db, &code, change, now).await? {
            expired += 1;
        }
    }
    Ok(expired)
}
