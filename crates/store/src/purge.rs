//! Deleting every user's data at once: the end-of-contract step (Divar's policies ask for
//! users' data to be deleted within six months after the contract with Divar ends). What
//! stays holds no user's data: operators' accounts and sessions, the operator API's tokens and
//! call log, the webhook endpoints, the landing ids' keys, the API budget's counters and the
//! migrations' record. The database can serve again, empty.

use crate::db::Db;
use crate::{on_tx, StoreError};

/// Every table that can hold a user's data, children before their parents.
pub const USERS_DATA: [&str; 23] = [
    "api_idempotency",
    "webhook_attempts",
    "api_audit",
    "handover_attempts",
    "handover_codes",
    "audit",
    "shipment_events",
    "outbox",
    "shipments",
    "drafts",
    "oauth_states",
    "browser_sessions",
    "landing_sessions",
    "chat_tokens",
    "support_messages",
    "support_conversations",
    "bot_replies",
    "divar_events",
    "post_addons",
    "assistant_replies",
    "assistant_posts",
    "post_cache",
    "login_failures",
];

/// Deletes every row of [`USERS_DATA`] in one transaction; how many went from each table.
pub async fn everything(db: &Db) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let mut tx = db.begin().await?;
    let mut deleted = Vec::with_capacity(USERS_DATA.len());
    for table in USERS_DATA {
        // The names are this module's constants, never input.
        let statement = format!("delete from {table}");
        let rows = on_tx!(&mut tx, conn => {
            sqlx::query(&statement).execute(&mut *conn).await?.rows_affected()
        });
        deleted.push((table, rows));
    }
    tx.commit().await?;
    Ok(deleted)
}
