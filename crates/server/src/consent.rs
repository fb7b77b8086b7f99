//! A consent in flight: the `state` Ersal hands Divar's consent screen is remembered (as its
//! digest, single use, bound to the landing session, with the sealed PKCE verifier and what
//! the consent is for) until the answer comes back to the callback.

use kenar::Grant;
use store::crypto;
use store::db::Db;
use store::oauth_states::{self, Pending};

use crate::error::AppError;
use crate::oauth::STATE_LIFETIME_SECS;
use crate::state::AppState;

pub use store::oauth_states::Issued;

/// Starts a consent for `landing` asking for `grant` (for `purpose`, `None` for a chat
/// message): a fresh `state` is remembered and the URL of Divar's consent screen returned.
pub async fn begin(
    state: &AppState,
    landing: &str,
    grant: &Grant,
    purpose: Option<&str>,
) -> Result<url::Url, AppError> {
    let consent = state.oauth.authorize_url(grant);
    let now = state.now();
    let pending = Pending {
        state: &consent.state,
        landing,
        verifier: consent.verifier.as_deref(),
        purpose,
        expires_at: now + STATE_LIFETIME_SECS,
    };
    oauth_states::remember(&state.db, &state.keys, &pending, now).await?;
    Ok(consent.url)
}

/// Uses up a `state`: what it was issued for, if it is known, unused and unexpired.
pub async fn consume_state(
    db: &Db,
    keys: &crypto::Keys,
    state: &str,
    now: i64,
) -> Result<Option<Issued>, AppError> {
    Ok(oauth_states::consume(db, keys, state, now).await?)
}
