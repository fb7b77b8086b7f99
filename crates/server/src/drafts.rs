//! The drafts repository: one sealed draft per landing session.

use domain::draft::Draft;

use crate::crypto::Keys;
use crate::db::Db;
use crate::error::AppError;

/// The draft of a landing session; a fresh one when there is none, or when it no longer opens.
pub async fn load(db: &Db, keys: &Keys, landing: &str) -> Result<Draft, AppError> {
    let sealed: Option<Vec<u8>> =
        sqlx::query_scalar("select data_sealed from drafts where landing_digest = ?")
            .bind(landing)
            .fetch_optional(db)
            .await?;
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
) -> Result<(), AppError> {
    let plain = serde_json::to_vec(draft)?;
    sqlx::query(
        "insert into drafts (landing_digest, data_sealed, updated_at) values (?, ?, ?)
         on conflict (landing_digest) do update set data_sealed = excluded.data_sealed, updated_at = excluded.updated_at",
    )
    .bind(landing)
    .bind(keys.seal(&plain, landing.as_bytes()))
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes a landing session's draft once what it held is in a shipment (inside the
/// transaction that saves the shipment).
pub(crate) async fn delete(tx: &mut sqlx::SqliteConnection, landing: &str) -> Result<(), AppError> {
    sqlx::query("delete from drafts where landing_digest = ?")
        .bind(landing)
        .execute(tx)
        .await?;
    Ok(())
}
