//! The permission to post in a conversation: Divar's OAuth tokens, sealed at rest per
//! conversation (a seller's grant for widgets on a post is kept the same way, under
//! [`crate::oauth::post_key`]), refreshed a minute before they expire (the new pair replaces the old one), and
//! dropped once the conversation has nothing more to hear, or when the user who granted them
//! revokes Ersal's access in Divar ([`revoke_user`]).

use sqlx::QueryBuilder;

use kenar::DivarUserId;

use crate::error::AppError;
use crate::oauth::Tokens;
use crate::state::AppState;
use store::crypto::{token_digest, Keys};
use store::db::Db;
use store::on_db;

/// Refresh an access token this long before it expires.
const REFRESH_MARGIN_SECS: i64 = 60;

/// The access and refresh tokens sealed for `conversation`.
fn sealed(keys: &Keys, conversation: &str, tokens: &Tokens) -> (Vec<u8>, Option<Vec<u8>>) {
    let seal = |token: &String| keys.seal(token.as_bytes(), conversation.as_bytes());
    (seal(&tokens.access), tokens.refresh.as_ref().map(seal))
}

/// How a grant's user is found again: the digest of their per-app id.
fn user_digest(user: &DivarUserId) -> String {
    token_digest(user.as_str())
}

/// Stores the tokens `user` granted for a conversation, sealed, replacing earlier ones
/// (rotation, or the other side's newer consent).
pub async fn store(
    db: &Db,
    keys: &Keys,
    conversation: &str,
    tokens: &Tokens,
    user: Option<&DivarUserId>,
    now: i64,
) -> Result<(), AppError> {
    let (access, refresh) = sealed(keys, conversation, tokens);
    on_db!(db, pool => {
        sqlx::query(
            "insert into chat_tokens (conversation_id, access_sealed, refresh_sealed,
               access_expires_at, updated_at, user_digest)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (conversation_id) do update set access_sealed = excluded.access_sealed,
               refresh_sealed = coalesce(excluded.refresh_sealed, chat_tokens.refresh_sealed),
               access_expires_at = excluded.access_expires_at, updated_at = excluded.updated_at,
               user_digest = excluded.user_digest",
        )
        .bind(conversation)
        .bind(&access)
        .bind(&refresh)
        .bind(now + tokens.expires_in)
        .bind(now)
        .bind(user.map(user_digest))
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Deletes the grant kept under `key` (a post's widgets were removed).
pub async fn revoke_key(db: &Db, key: &str) -> Result<(), AppError> {
    on_db!(db, pool => {
        sqlx::query("delete from chat_tokens where conversation_id = $1")
            .bind(key)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Deletes every conversation's tokens that `user` granted (they revoked Ersal's access in
/// Divar). Their conversations' later messages find no permission and are marked "not
/// notified". Returns how many conversations lost their tokens; a repeated revocation finds
/// none.
pub async fn revoke_user(db: &Db, user: &DivarUserId) -> Result<u64, AppError> {
    Ok(on_db!(db, pool => {
        sqlx::query("delete from chat_tokens where user_digest = $1")
            .bind(user_digest(user))
            .execute(pool)
            .await?
            .rows_affected()
    }))
}

/// A usable access token for a conversation, refreshing it first when it is about to expire.
/// `None` when there is no permission (never granted, or the refresh was refused).
pub async fn access_token(
    state: &AppState,
    conversation: &str,
) -> Result<Option<String>, AppError> {
    let row: Option<(Vec<u8>, Option<Vec<u8>>, i64)> = on_db!(&state.db, pool => {
        sqlx::query_as(
            "select access_sealed, refresh_sealed, access_expires_at from chat_tokens
             where conversation_id = $1",
        )
        .bind(conversation)
        .fetch_optional(pool)
        .await?
    });
    let Some((sealed_access, sealed_refresh, expires_at)) = row else {
        return Ok(None);
    };
    let open = |sealed: &[u8]| {
        state
            .keys
            .open(sealed, conversation.as_bytes())
            .ok()
            .and_then(|plain| String::from_utf8(plain).ok())
    };
    if expires_at - REFRESH_MARGIN_SECS > state.now() {
        return Ok(open(&sealed_access));
    }
    let Some(sealed_refresh) = sealed_refresh else {
        return Ok(None);
    };
    let Some(refresh) = open(&sealed_refresh) else {
        return Ok(None);
    };
    match state.oauth.refresh(&refresh).await {
        Ok(tokens) if tokens.grants(conversation) => {
            let keys = &state.keys;
            let now = state.now();
            if !store_refreshed(&state.db, keys, conversation, &tokens, &sealed_refresh, now)
                .await?
            {
                tracing::info!(
                    "a newer consent was stored meanwhile; the refreshed pair is not kept"
                );
            }
            Ok(Some(tokens.access))
        }
        _ => {
            tracing::info!("chat token refresh refused");
            Ok(None)
        }
    }
}

/// Stores tokens refreshed from the grant whose sealed refresh token was `refreshed_from`, only
/// if that grant is still the stored one: a consent given meanwhile is newer and stays.
/// Returns whether they were stored.
pub async fn store_refreshed(
    db: &Db,
    keys: &Keys,
    conversation: &str,
    tokens: &Tokens,
    refreshed_from: &[u8],
    now: i64,
) -> Result<bool, AppError> {
    let (access, refresh) = sealed(keys, conversation, tokens);
    let updated = on_db!(db, pool => {
        sqlx::query(
            "update chat_tokens set access_sealed = $1,
               refresh_sealed = coalesce($2, refresh_sealed), access_expires_at = $3,
               updated_at = $4
             where conversation_id = $5 and refresh_sealed = $6",
        )
        .bind(&access)
        .bind(&refresh)
        .bind(now + tokens.expires_in)
        .bind(now)
        .bind(conversation)
        .bind(refreshed_from)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(updated == 1)
}

/// Drops a conversation's tokens once nothing is left to say there: every shipment of the
/// conversation has ended and no message waits to be sent. The outbox worker, a user's
/// cancellation and an operator's final status change all apply this one rule.
pub async fn release_when_done(db: &Db, conversation: &str) -> Result<(), AppError> {
    let open = domain::status::Status::ALL
        .iter()
        .filter(|s| !s.is_terminal())
        .map(|s| s.key());
    on_db!(db, pool => {
        let mut query = QueryBuilder::new("delete from chat_tokens where conversation_id = ");
        query
            .push_bind(conversation)
            .push(" and not exists (select 1 from outbox where state = ")
            .push_bind(domain::delivery::Delivery::Pending.key())
            .push(" and conversation_id = ")
            .push_bind(conversation)
            .push(") and not exists (select 1 from shipments where conversation_id = ")
            .push_bind(conversation)
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
