//! The drafts repository: one sealed draft per landing session, whatever shape the UI keeps.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::crypto::Keys;
use crate::db::Db;

/// The draft of a landing session, if any (a draft that no longer opens reads as none).
pub async fn load<T: DeserializeOwned>(
    db: &Db,
    keys: &Keys,
    landing: &str,
) -> Result<Option<T>, sqlx::Error> {
    let sealed: Option<Vec<u8>> =
        sqlx::query_scalar("select data_sealed from drafts where landing_digest = ?")
            .bind(landing)
            .fetch_optional(db)
            .await?;
    Ok(sealed
        .and_then(|sealed| keys.open(&sealed, landing.as_bytes()).ok())
        .and_then(|plain| serde_json::from_slice(&plain).ok()))
}

pub async fn save<T: Serialize>(
    db: &Db,
    keys: &Keys,
    landing: &str,
    draft: &T,
    now: i64,
) -> Result<(), sqlx::Error> {
    let plain = serde_json::to_vec(draft).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
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
