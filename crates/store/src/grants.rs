//! Grants: the OAuth tokens a user gave Ersal for one [`Grant`] (post in a conversation, or put
//! widgets on a post), sealed at rest under the grant's key, with the digest of the granting
//! user's per-app id so that their revocation finds them. At most one grant per key: a newer
//! consent replaces the older one whole.

use domain::delivery::Delivery;
use kenar::{ConversationId, DivarUserId, Grant};
use sqlx::QueryBuilder;

use crate::crypto::{token_digest, Keys};
use crate::db::Db;
use crate::{on_db, StoreError};

/// Tokens as Divar issued them, to be kept.
pub struct Issued<'a> {
    pub access: &'a str,
    pub refresh: Option<&'a str>,
    /// Unix seconds.
    pub access_expires_at: i64,
}

/// A stored grant, opened.
pub struct Stored {
    pub access: Option<String>,
    pub refresh: Option<String>,
    /// The refresh token as sealed: a refreshed pair is kept only if this is still the stored
    /// one ([`store_refreshed`]).
    pub refresh_sealed: Option<Vec<u8>>,
    pub access_expires_at: i64,
}

fn sealed(keys: &Keys, key: &str, issued: &Issued) -> (Vec<u8>, Option<Vec<u8>>) {
    let seal = |token: &str| keys.seal(token.as_bytes(), key.as_bytes());
    (seal(issued.access), issued.refresh.map(seal))
}

/// How a grant's user is found again: the digest of their per-app id.
fn user_digest(user: &DivarUserId) -> String {
    token_digest(user.as_str())
}

/// Stores what `user` granted for `grant`, sealed, replacing an earlier grant (rotation, or the
/// other side's newer consent). A new consent that comes without a refresh token keeps the
/// earlier refresh token only if the same user gave both: a refresh token never passes from
/// one user's grant to another's.
pub async fn store(
    db: &Db,
    keys: &Keys,
    grant: &Grant,
    issued: &Issued<'_>,
    user: &DivarUserId,
    now: i64,
) -> Result<(), StoreError> {
    let key = grant.key();
    let (access, refresh) = sealed(keys, &key, issued);
    on_db!(db, pool => {
        sqlx::query(
            "insert into chat_tokens (grant_key, access_sealed, refresh_sealed,
               access_expires_at, updated_at, user_digest)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (grant_key) do update set access_sealed = excluded.access_sealed,
               refresh_sealed = case when chat_tokens.user_digest = excluded.user_digest
                 then coalesce(excluded.refresh_sealed, chat_tokens.refresh_sealed)
                 else excluded.refresh_sealed end,
               access_expires_at = excluded.access_expires_at, updated_at = excluded.updated_at,
               user_digest = excluded.user_digest",
        )
        .bind(&key)
        .bind(&access)
        .bind(&refresh)
        .bind(issued.access_expires_at)
        .bind(now)
        .bind(user_digest(user))
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// The grant kept for `grant`, opened (a token that no longer opens reads as absent).
pub async fn read(db: &Db, keys: &Keys, grant: &Grant) -> Result<Option<Stored>, StoreError> {
    let key = grant.key();
    let row: Option<(Vec<u8>, Option<Vec<u8>>, i64)> = on_db!(db, pool => {
        sqlx::query_as(
            "select access_sealed, refresh_sealed, access_expires_at from chat_tokens
             where grant_key = $1",
        )
        .bind(&key)
        .fetch_optional(pool)
        .await?
    });
    let open = |sealed: &[u8]| {
        keys.open(sealed, key.as_bytes())
            .ok()
            .and_then(|plain| String::from_utf8(plain).ok())
    };
    Ok(
        row.map(|(access, refresh_sealed, access_expires_at)| Stored {
            access: open(&access),
            refresh: refresh_sealed.as_deref().and_then(open),
            refresh_sealed,
            access_expires_at,
        }),
    )
}

/// Stores tokens refreshed from the grant whose sealed refresh token was `refreshed_from`, only
/// if that grant is still the stored one: a consent given meanwhile is newer and stays.
/// Returns whether they were stored.
pub async fn store_refreshed(
    db: &Db,
    keys: &Keys,
    grant: &Grant,
    issued: &Issued<'_>,
    refreshed_from: &[u8],
    now: i64,
) -> Result<bool, StoreError> {
    let key = grant.key();
    let (access, refresh) = sealed(keys, &key, issued);
    let updated = on_db!(db, pool => {
        sqlx::query(
            "update chat_tokens set access_sealed = $1,
               refresh_sealed = coalesce($2, refresh_sealed), access_expires_at = $3,
               updated_at = $4
             where grant_key = $5 and refresh_sealed = $6",
        )
        .bind(&access)
        .bind(&refresh)
        .bind(issued.access_expires_at)
        .bind(now)
        .bind(&key)
        .bind(refreshed_from)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(updated == 1)
}

/// Deletes the grant kept for `grant`.
pub async fn revoke(db: &Db, grant: &Grant) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query("delete from chat_tokens where grant_key = $1")
            .bind(grant.key())
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Deletes every grant `user` gave. Returns how many; a repeated revocation finds none.
pub async fn revoke_user(db: &Db, user: &DivarUserId) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query("delete from chat_tokens where user_digest = $1")
            .bind(user_digest(user))
            .execute(pool)
            .await?
            .rows_affected()
    }))
}

/// Drops a conversation's grant once nothing is left to say there: every shipment of the
/// conversation has ended and no message waits to be sent. The delivery worker, a user's
/// cancellation and an operator's final status change all apply this one rule.
pub async fn release_when_done(db: &Db, conversation: &ConversationId) -> Result<(), StoreError> {
    let open = domain::status::Status::ALL
        .iter()
        .filter(|s| !s.is_terminal())
        .map(|s| s.key());
    on_db!(db, pool => {
        let mut query = QueryBuilder::new("delete from chat_tokens where grant_key = ");
        query
            .push_bind(conversation.as_str())
            .push(" and not exists (select 1 from outbox where state = ")
            .push_bind(Delivery::Pending.key())
            .push(" and conversation_id = ")
            .push_bind(conversation.as_str())
            .push(") and not exists (select 1 from shipments where conversation_id = ")
            .push_bind(conversation.as_str())
            .push(" and status in (");
        let mut separated = query.separated(", ");
        for key in open.clone() {
            separated.push_bind(key);
        }
        query.push("))");
        query.build().execute(pool).await?;
    });
    Ok(())
}
