//! The drafts repository: one sealed draft per landing session.

use domain::draft::Draft;

use crate::crypto::Keys;
use crate::db::{Db, Tx};
use crate::StoreError;
use crate::{on_db, on_tx};

/// The draft of a landing session; a fresh one when there is none, or when it no longer opens.
pub async fn load(db: &Db, keys: &Keys, landing: &str) -> Result<Draft, StoreError> {
    let sealed: Option<Vec<u8>> = on_db!(db, pool => {
        sqlx::query_scalar("select data_sealed from drafts where landing_digest = $1")
            .bind(landing)
            .fetch_optional(pool)
            .await?
    });
    Ok(sealed
        .and_then(|sealed| keys.open(&sealed, landing.as_bytes()).ok())
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .unwrap_or_default())
}

pub async fn save(
    db: &Db,
    keys: &Keys,
    landing: &str,
    draft: &Draft,
    now: i64,
) -> Result<(), StoreError> {
    let plain = serde_json::to_vec(draft)?;
    let sealed = keys.seal(&plain, landing.as_bytes());
    on_db!(db, pool => {
        sqlx::query(
            "insert into drafts (landing_digest, data_sealed, updated_at) values ($1, $2, $3)
             on conflict (landing_digest) do update
               set data_sealed = excluded.data_sealed, updated_at = excluded.updated_at",
        )
        .bind(landing)
        .bind(&sealed)
        .bind(now)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Deletes a landing session's draft once what it held is in a shipment (inside the
/// transaction that saves the shipment).
pub async fn delete(tx: &mut Tx, landing: &str) -> Result<(), StoreError> {
    on_tx!(tx, conn => {
        sqlx::query("delete from drafts where landing_digest = $1")
            .bind(landing)
            .execute(conn)
            .await?;
    });
    Ok(())
}
