//! OAuth `state` values Ersal handed out and waits for: stored as digests, single use, bound to
//! the landing session that asked, with the sealed PKCE verifier and what the consent is for.

use crate::crypto::{self, Keys};
use crate::db::Db;
use crate::{on_db, StoreError};

/// A consent on its way to Divar.
pub struct Pending<'a> {
    /// The `state` in the consent URL (kept as its digest).
    pub state: &'a str,
    /// The landing session that asked.
    pub landing: &'a str,
    pub verifier: Option<&'a str>,
    /// What the consent is for, as its use case writes it (`None`: a chat message).
    pub purpose: Option<&'a str>,
    pub expires_at: i64,
}

/// What a used-up `state` was issued for.
#[derive(Debug, PartialEq, Eq)]
pub struct Issued {
    pub landing: String,
    pub verifier: Option<String>,
    pub purpose: Option<String>,
}

/// Remembers a consent until Divar's answer comes back.
pub async fn remember(
    db: &Db,
    keys: &Keys,
    pending: &Pending<'_>,
    now: i64,
) -> Result<(), StoreError> {
    let digest = crypto::token_digest(pending.state);
    let verifier = pending
        .verifier
        .map(|v| keys.seal(v.as_bytes(), digest.as_bytes()));
    on_db!(db, pool => {
        sqlx::query(
            "insert into oauth_states (state_digest, landing_digest, created_at, expires_at,
               pkce_verifier_sealed, purpose)
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&digest)
        .bind(pending.landing)
        .bind(now)
        .bind(pending.expires_at)
        .bind(&verifier)
        .bind(pending.purpose)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Uses up a `state`: what it was issued for, if it is known, unused and unexpired.
pub async fn consume(
    db: &Db,
    keys: &Keys,
    state: &str,
    now: i64,
) -> Result<Option<Issued>, StoreError> {
    let digest = crypto::token_digest(state);
    let row: Option<(String, Option<Vec<u8>>, Option<String>)> = on_db!(db, pool => {
        sqlx::query_as(
            "update oauth_states set used_at = $1
             where state_digest = $2 and used_at is null and expires_at > $1
             returning landing_digest, pkce_verifier_sealed, purpose",
        )
        .bind(now)
        .bind(&digest)
        .fetch_optional(pool)
        .await?
    });
    let Some((landing, sealed, purpose)) = row else {
        return Ok(None);
    };
    let verifier = match sealed {
        Some(sealed) => Some(
            String::from_utf8(keys.open(&sealed, digest.as_bytes())?)
                .map_err(|_| StoreError::Broken("a sealed PKCE verifier is not text"))?,
        ),
        None => None,
    };
    Ok(Some(Issued {
        landing,
        verifier,
        purpose,
    }))
}
