//! Keeping the assistant listening: Divar's subscription to a post's messages lasts as long as
//! the access token it was made with, so it is made again with every new token, before the
//! old one expires (run by the periodic jobs, which also stop the assistants whose days are
//! over).

use kenar::client::SendOutcome;
use kenar::{Grant, PostToken};
use store::assistant as rows;

use crate::budget::{self, Priority, Spend};
use crate::chat::tokens;
use crate::error::AppError;
use crate::state::AppState;

/// A subscription that lapses within this many seconds is made again, with a refreshed token
/// (longer than the jobs' period, so none lapses between two rounds).
pub const MARGIN_SECS: i64 = 15 * 60;

/// Subscribes to the post's messages with a token good for at least [`MARGIN_SECS`]
/// (refreshed if need be), and records until when it holds. `false` when it could not be made
/// now (the next round tries again); the assistant is turned off when its permission is gone.
pub async fn subscribe(state: &AppState, post: &PostToken) -> Result<bool, AppError> {
    let grant = Grant::Assistant(post.clone());
    let Some(token) = tokens::access_token_for(state, &grant, MARGIN_SECS).await? else {
        tracing::info!("the seller's permission is gone: the assistant stops");
        super::turn_off(state, post).await?;
        return Ok(false);
    };
    if let Spend::Held { .. } = budget::spend(state, Priority::Assistant).await? {
        return Ok(false);
    }
    match state.kenar.subscribe_post_messages(post, &token).await {
        SendOutcome::Sent => {
            let stored = store::grants::read(&state.db, &state.keys, &grant).await?;
            let until = stored.map_or(state.now(), |s| s.access_expires_at);
            rows::subscribed(&state.db, post, until, state.now()).await?;
            Ok(true)
        }
        SendOutcome::Retry {
            status: Some(429),
            retry_after,
        } => {
            budget::slow_down(state, retry_after).await;
            Ok(false)
        }
        outcome => {
            tracing::warn!(?outcome, "Divar did not take the assistant's subscription");
            Ok(false)
        }
    }
}

/// One round: stops the assistants whose days are over, and renews the subscriptions that
/// are missing or about to lapse. How many were renewed.
pub async fn keep_alive(state: &AppState) -> Result<usize, AppError> {
    let now = state.now();
    let (renew, ended) = rows::to_renew(&state.db, now + MARGIN_SECS, now).await?;
    for post in &ended {
        super::turn_off(state, post).await?;
    }
    // One post's failure (its token endpoint down) does not hold back the others.
    let mut renewed = 0;
    for post in &renew {
        match subscribe(state, post).await {
            Ok(true) => renewed += 1,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "an assistant's subscription was not renewed"),
        }
    }
    Ok(renewed)
}
