//! `POST /divar/events`: Divar's events URL (docs/kenar.md, “Events and the support bot”),
//! checked as init is: identification key (401) → media type (415) → size (413) → JSON and
//! field rules (400). A bot message is stored before the 200 and processed in the background
//! ([`crate::support`]), and so is what a post's chat message means to the seller's shipping
//! assistant (read in memory, its text never stored: [`crate::assistant::hear`]); a user's
//! revocation deletes their chat tokens before the 200; a type
//! Ersal does not use is acknowledged and dropped unread.
//!
//! `POST /divar/action`: the dynamic-action URL, with the same checks, for the support bot's
//! quick replies.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use domain::routes::Route;
use http::HeaderMap;
use kenar::action::ActionAnswer;
use serde_json::{json, Value};

use super::error::ApiError;
use super::init::{authorize, read_limited, require_json};
use crate::state::AppState;
use crate::support::bot;
use crate::support::events::{self, Received};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(Route::Events.path(), post(receive))
        .route(Route::Action.path(), post(dynamic_action))
}

/// A call from Divar to one of these URLs, checked as init is, then `handle`d with its body,
/// reading and handling both within the request's time.
async fn from_divar<T>(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    handle: impl AsyncFnOnce(Bytes) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    authorize(state, headers)?;
    require_json(headers)?;
    let handled = tokio::time::timeout(state.config.listener.request, async {
        handle(read_limited(headers, body).await?).await
    });
    handled.await.map_err(|_| ApiError::Unavailable)?
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let received = from_divar(&state, &headers, body, async |bytes| {
        let event = kenar::events::parse_event(&bytes)?;
        Ok(events::receive(&state, event).await?)
    })
    .await?;
    match received {
        Received::Full => {
            tracing::warn!("divar event refused: too many events wait to be processed");
            return Err(ApiError::Unavailable);
        }
        Received::Stored => tracing::info!(event = "stored", "divar event"),
        Received::Duplicate => tracing::info!(event = "duplicate", "divar event"),
        Received::Revoked { grants } => tracing::info!(event = "revoked", grants, "divar event"),
        Received::Ignored => tracing::info!(event = "ignored", "divar event"),
    }
    Ok(Json(json!({})))
}

/// `POST /divar/action`: the dynamic-action URL, asked when a user taps one of the support
/// bot's quick replies; checked as events are, answered with the hint Divar shows.
async fn dynamic_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ActionAnswer>, ApiError> {
    from_divar(&state, &headers, body, async |bytes| {
        let tapped = kenar::action::parse_dynamic_action(&bytes)?;
        Ok(Json(ActionAnswer {
            text_message: bot::quick_reply(&state, &tapped.data),
        }))
    })
    .await
}
