//! `POST /divar/events`: Divar's events URL (docs/kenar.md, “Events and the support bot”),
//! checked as init is: identification key (401) → media type (415) → size (413) → JSON and
//! field rules (400). A bot message is stored before the 200 and processed in the background
//! ([`crate::support`]); a type Ersal does not use is acknowledged and dropped unread.

use axum::body::Body;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use http::HeaderMap;
use serde_json::{json, Value};

use super::error::ApiError;
use super::init::{authorize, read_limited, require_json};
use crate::state::AppState;
use crate::support::events::{self, Received};

pub fn router() -> Router<AppState> {
    Router::new().route("/divar/events", post(receive))
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    authorize(&state, &headers)?;
    require_json(&headers)?;
    let stored = tokio::time::timeout(state.config.listener.request, async {
        let bytes = read_limited(&headers, body).await?;
        let event = kenar::events::parse_event(&bytes)?;
        Ok::<_, ApiError>(events::receive(&state, event).await?)
    });
    let received = stored.await.map_err(|_| ApiError::Unavailable)??;
    let name = match received {
        Received::Stored => "stored",
        Received::Duplicate => "duplicate",
        Received::Ignored => "ignored",
    };
    tracing::info!(event = name, "divar event");
    Ok(Json(json!({})))
}
