//! The permission to post in a conversation, or to put widgets on a post: Divar's OAuth tokens,
//! kept by the store ([`store::grants`]) under their [`Grant`], refreshed a minute before they
//! expire (the new pair replaces the old one), and dropped once the conversation has nothing
//! more to hear, or when the user who granted them revokes Ersal's access in Divar.

use domain::code::TrackingCode;
use kenar::{DivarUserId, Grant};
use store::db::Db;
use store::grants::{self, Issued};
use store::shipments::{self, Change, Changed};

use crate::error::AppError;
use crate::oauth::{TokenError, Tokens};
use crate::state::AppState;

/// Refresh an access token this long before it expires.
const REFRESH_MARGIN_SECS: i64 = 60;

fn issued(tokens: &Tokens, now: i64) -> Issued<'_> {
    Issued {
        access: &tokens.access,
        refresh: tokens.refresh.as_deref(),
        access_expires_at: now + tokens.expires_in,
    }
}

/// Keeps the tokens `user` granted for `grant`, replacing earlier ones. A grant is kept only
/// with the user who gave it, so that their revocation always finds it.
pub async fn store(
    state: &AppState,
    grant: &Grant,
    tokens: &Tokens,
    user: &DivarUserId,
) -> Result<(), AppError> {
    let now = state.now();
    grants::store(
        &state.db,
        &state.keys,
        grant,
        &issued(tokens, now),
        user,
        now,
    )
    .await?;
    Ok(())
}

/// A usable access token for `grant`, refreshing it first when it is about to expire. `None`
/// when there is no permission (never granted, or the refresh was refused); an error when the
/// token endpoint is unavailable, so that the caller tries again later rather than giving up.
pub async fn access_token(state: &AppState, grant: &Grant) -> Result<Option<String>, AppError> {
    access_token_for(state, grant, REFRESH_MARGIN_SECS).await
}

/// As [`access_token`], for a token that stays good at least `margin_secs` more.
pub async fn access_token_for(
    state: &AppState,
    grant: &Grant,
    margin_secs: i64,
) -> Result<Option<String>, AppError> {
    let Some(stored) = grants::read(&state.db, &state.keys, grant).await? else {
        return Ok(None);
    };
    if stored.access_expires_at - margin_secs > state.now() {
        return Ok(stored.access);
    }
    let (Some(refresh), Some(refresh_sealed)) = (stored.refresh, stored.refresh_sealed) else {
        return Ok(None);
    };
    match state.oauth.refresh(&refresh).await {
        Ok(tokens) if tokens.grants(grant) => {
            let now = state.now();
            let fresh = issued(&tokens, now);
            let db = &state.db;
            if !grants::store_refreshed(db, &state.keys, grant, &fresh, &refresh_sealed, now)
                .await?
            {
                tracing::info!(
                    "a newer consent was stored meanwhile; the refreshed pair is not kept"
                );
            }
            Ok(Some(tokens.access))
        }
        Err(TokenError::Unavailable) => {
            tracing::warn!("the token endpoint is unavailable; the message waits for another try");
            Err(TokenError::Unavailable.into())
        }
        Ok(_) | Err(TokenError::Refused) => {
            tracing::info!("chat token refresh refused");
            Ok(None)
        }
    }
}

/// Moves a shipment as `change` says ([`shipments::transition`]); once it has ended, its chat's
/// permission is dropped if nothing else of the chat needs it. The move stands whatever comes
/// after it: a failure to drop the permission is logged, and the retention purge drops it
/// later (so a caller's retry never meets its own move as a conflict).
pub async fn transition(
    db: &Db,
    code: &TrackingCode,
    change: Change,
    now: i64,
) -> Result<Changed, AppError> {
    let ended = change.to.is_terminal();
    let changed = shipments::transition(db, code, change, now).await?;
    if ended && changed == Changed::Done {
        let released = match shipments::conversation_of(db, code).await {
            Ok(Some(conversation)) => grants::release_when_done(db, &conversation).await,
            Ok(None) => Ok(()),
            Err(cause) => Err(cause),
        };
        if let Err(cause) = released {
            AppError::new(format_args!(
                "an ended shipment's chat kept its grant: {cause}"
            ));
        }
    }
    Ok(changed)
}
