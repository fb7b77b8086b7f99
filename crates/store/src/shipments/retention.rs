//! The rows the time-driven jobs work on: shipments the other side never completed, and ended
//! shipments whose personal data is due to be purged.

use domain::status::Status;
use kenar::ConversationId;
use sqlx::QueryBuilder;

use super::Parties;
use crate::crypto::Keys;
use crate::db::Db;
use crate::{on_db, on_tx, StoreError};

/// An ended shipment whose personal data is due to be purged.
pub struct Due {
    pub id: String,
    pub conversation: Option<ConversationId>,
    pub landing: Option<String>,
}

/// The shipments that reached a terminal status before `ended_before` and are not purged yet.
pub async fn due_for_purge(db: &Db, ended_before: i64) -> Result<Vec<Due>, StoreError> {
    let due: Vec<(String, Option<String>, Option<String>)> = on_db!(db, pool => {
        let mut query = QueryBuilder::new(
            "select id, conversation_id, landing_digest from shipments
             where purged_at is null and updated_at < ",
        );
        query.push_bind(ended_before).push(" and status in (");
        let mut separated = query.separated(", ");
        for status in Status::ALL.iter().filter(|s| s.is_terminal()) {
            separated.push_bind(status.key());
        }
        query.push(")");
        query.build_query_as().fetch_all(pool).await?
    });
    due.into_iter()
        .map(|(id, conversation, landing)| {
            Ok(Due {
                id,
                conversation: crate::error::conversation(conversation)?,
                landing,
            })
        })
        .collect()
}

/// Removes a shipment's personal data in one transaction: names, phones and addresses; the
/// chat and post link; the texts of its chat messages; operators' notes on its events and the
/// texts of its audit entries (the rows stay: who, when); its handover codes; its opener's landing session (no
/// other shipment comes from it: `landing_digest` is unique) and the landing sessions in
/// `pressed` (opened by its chat buttons), with what hangs on them.
pub async fn purge(
    db: &Db,
    keys: &Keys,
    due: &Due,
    pressed: &[String],
    now: i64,
) -> Result<(), StoreError> {
    let empty = serde_json::to_vec(&Parties::default())?;
    let sealed = keys.seal(&empty, due.id.as_bytes());
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "update shipments set parties_sealed = $1, conversation_id = null,
               post_token = null, landing_digest = null, purged_at = $2
             where id = $3",
        )
        .bind(&sealed)
        .bind(now)
        .bind(&due.id)
        .execute(&mut *conn)
        .await?;
        for blank in [
            "update outbox set body = '{}' where shipment_id = $1",
            "update shipment_events set note = null where shipment_id = $1",
            "update audit set what = '' where shipment_id = $1",
            "update api_audit set what = '' where shipment_id = $1",
            // The codes go; how each handover was proved stays.
            "update handover_codes set pickup_sealed = null, delivery_sealed = null
             where shipment_id = $1",
        ] {
            sqlx::query(blank).bind(&due.id).execute(&mut *conn).await?;
        }
        if let Some(landing) = &due.landing {
            sqlx::query("delete from landing_sessions where id_digest = $1")
                .bind(landing)
            .execute(&mut *conn)
            .await?;
        }
        for landing in pressed {
            sqlx::query("delete from landing_sessions where id_digest = $1")
                .bind(landing)
                .execute(&mut *conn)
                .await?;
        }
    });
    tx.commit().await?;
    Ok(())
}

/// A shipment still waiting for its other side.
pub struct Waiting {
    pub id: String,
    pub conversation: Option<ConversationId>,
    pub item: String,
}

/// The shipments waiting for their other side with no change since `unchanged_since`.
pub async fn unanswered(db: &Db, unchanged_since: i64) -> Result<Vec<Waiting>, StoreError> {
    let due: Vec<(String, Option<String>, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "select id, conversation_id, item_description from shipments
             where status in ($1, $2) and updated_at < $3",
        )
        .bind(Status::AwaitingCounterparty.key())
        .bind(Status::AwaitingConfirmation.key())
        .bind(unchanged_since)
        .fetch_all(pool)
        .await?
    });
    due.into_iter()
        .map(|(id, conversation, item)| {
            Ok(Waiting {
                id,
                conversation: crate::error::conversation(conversation)?,
                item,
            })
        })
        .collect()
}
