//! Reading a post from Divar (get-post) through a cache every instance shares: an answer is
//! kept [`store::posts::FRESH_SECS`], a post Divar did not find too, so a thousand views of one post, or a
//! made-up token asked about again and again, cost Divar one call. A call that is made spends
//! the lowest [`Priority`] of the budget and waits at most `ERSAL_PREFILL_MS` (the page waits
//! for it).

use kenar::client::{ClientError, Post};
use kenar::PostToken;

use crate::budget::{self, Priority, Spend};
use crate::error::AppError;
use crate::state::AppState;

/// What is known of a post.
pub enum Read {
    Found(Box<Post>),
    /// Divar does not know it.
    NotFound,
    /// Divar could not say in time, or the budget holds post reads back: not kept, asked
    /// again next time.
    Unavailable,
}

/// The post `token` names, from the cache or from Divar.
pub async fn read(state: &AppState, token: &PostToken) -> Result<Read, AppError> {
    let db = &state.db;
    let now = state.now();
    // A kept answer that no longer reads back (an older build's) is asked for again.
    match store::posts::cached(db, token, now - store::posts::FRESH_SECS).await? {
        Some(None) => return Ok(Read::NotFound),
        Some(Some(json)) => {
            if let Ok(post) = serde_json::from_str::<Post>(&json) {
                return Ok(Read::Found(Box::new(post)));
            }
        }
        None => {}
    }
    fetch(state, token, Priority::GetPost, state.config.prefill_budget).await
}

/// The post `token` names, asked of Divar whatever the cache holds (and kept in it), spending
/// `priority` and waiting at most `wait`: for a worker's answer that must not rest on a sale
/// minutes old (a page reads through [`read`]).
pub async fn fetch(
    state: &AppState,
    token: &PostToken,
    priority: Priority,
    wait: std::time::Duration,
) -> Result<Read, AppError> {
    let (db, now) = (&state.db, state.now());
    if let Spend::Held { .. } = budget::spend(state, priority).await? {
        tracing::info!("post read held back by the budget");
        return Ok(Read::Unavailable);
    }
    let read = match tokio::time::timeout(wait, state.kenar.get_post(token)).await {
        Ok(Ok(post)) => {
            let json = serde_json::to_string(&post)?;
            store::posts::keep(db, token, Some(&json), now).await?;
            Read::Found(Box::new(post))
        }
        Ok(Err(ClientError::Status(404))) => {
            store::posts::keep(db, token, None, now).await?;
            Read::NotFound
        }
        Ok(Err(ClientError::Status(429))) => {
            budget::slow_down(state, None).await;
            Read::Unavailable
        }
        Ok(Err(cause)) => {
            tracing::info!(error = %cause, "post read failed");
            Read::Unavailable
        }
        Err(_) => {
            tracing::info!(?wait, "post read too slow");
            Read::Unavailable
        }
    };
    Ok(read)
}
