//! get-post answers, kept a few minutes for every instance: many views of one post cost Divar
//! one call. A post Divar did not find is kept too (`found` empty), so that a made-up token
//! cannot be asked about again and again.

use crate::db::Db;

/// How long Divar's answer about a post is used without asking again.
pub const FRESH_SECS: i64 = 300;
use crate::{on_db, StoreError};

/// What Divar answered about `post` since `fresh_since` (seconds): `Some(Some(json))` for a
/// post, `Some(None)` for one it did not find, `None` when nothing fresh is kept.
pub async fn cached(
    db: &Db,
    post: &kenar::PostToken,
    fresh_since: i64,
) -> Result<Option<Option<String>>, StoreError> {
    on_db!(db, pool => {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "select found from post_cache where post_token = $1 and fetched_at >= $2",
        )
        .bind(post.as_str())
        .bind(fresh_since)
        .fetch_optional(pool)
        .await?;
        Ok(row.map(|(found,)| found))
    })
}

/// Keeps Divar's answer about `post` (`None`: not found), replacing an older one.
pub async fn keep(
    db: &Db,
    post: &kenar::PostToken,
    found: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "insert into post_cache (post_token, found, fetched_at) values ($1, $2, $3)
             on conflict (post_token) do update
               set found = excluded.found, fetched_at = excluded.fetched_at",
        )
        .bind(post.as_str())
        .bind(found)
        .bind(now)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Forgets answers fetched before `stale_before`.
pub async fn forget_stale(db: &Db, stale_before: i64) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query("delete from post_cache where fetched_at < $1")
            .bind(stale_before)
            .execute(pool)
            .await?
            .rows_affected()
    }))
}
