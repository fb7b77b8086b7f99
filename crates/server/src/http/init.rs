//! `POST /divar/init`: Divar's session-initialization call (docs/kenar.md, “Session
//! initialization”).
//!
//! Order of checks, cheapest and most fundamental first, so nothing is read or stored for a
//! caller that is not Divar: identification key (401) → media type (415) → size (413) →
//! JSON and field rules (400) → store a landing session → answer its URL. No outgoing calls.

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use domain::routes::Route;
use http::{header, HeaderMap, HeaderValue};
use kenar::ApiVersion;

use super::error::ApiError;
use crate::state::AppState;
use store::sessions::Landing;

/// The largest init body accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route(Route::Init.path(), post(init))
}

async fn init(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    require_json(&headers)?;
    // One bound for everything init waits for (the body, the database), as the request timeout
    // bounds a page: Divar's calls have no timeout layer (see [`super::layered`]).
    let answered = tokio::time::timeout(
        state.config.listener.request,
        answer(&state, &headers, body),
    );
    answered.await.map_err(|_| ApiError::Unavailable)?
}

/// Reads, checks and answers an authorised init call.
async fn answer(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Response, ApiError> {
    let bytes = read_limited(headers, body).await?;
    let request = kenar::parse_init(&bytes, version_header(headers))?;
    let return_target = state.return_policy.resolve(request.return_url.as_deref());
    let landing = Landing::from_init(&request, return_target.into());
    let token = state.create_landing(&landing).await?;
    let url = state.config.public_url(&Route::Landing.with(&token));
    // Divar's hot path: a line per success only when debugging (the metrics count them).
    tracing::debug!(
        version = request.version.number(),
        source = request.source.as_str(),
        has_conversation = request.conversation_id.is_some(),
        "landing session created"
    );
    let (status, message) = match request.version {
        ApiVersion::V2 => (None, None),
        ApiVersion::V1 => (Some("200"), Some("success")),
    };
    // Written once into a buffer of its size (the id makes the answer a few hundred bytes).
    let mut body = Vec::with_capacity(url.len() + 48);
    let answer = Answer {
        status,
        message,
        url: &url,
    };
    serde_json::to_writer(&mut body, &answer).map_err(crate::error::AppError::from)?;
    let json = HeaderValue::from_static("application/json");
    Ok(([(header::CONTENT_TYPE, json)], body).into_response())
}

/// The answer: `{"url"}` (v2), with `"status":"200","message":"success"` before it for v1.
#[derive(serde::Serialize)]
struct Answer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
    url: &'a str,
}

/// `Authorization` must be exactly one of the configured keys, with no scheme prefix (Divar
/// sends the key as it was entered in the panel).
pub(super) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized)?;
    if state.identification.admits(presented.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

pub(super) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    match essence {
        Some(t) if t.eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType),
    }
}

/// Refuses a declared length over the limit before reading, and stops reading at the limit
/// (init's and the events' bodies have the same limit).
pub(super) async fn read_limited(
    headers: &HeaderMap,
    body: Body,
) -> Result<axum::body::Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge(MAX_BODY_BYTES))
}

/// The version header in either spelling (docs/kenar.md, **Version header spelling**).
fn version_header(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("api_version")
        .or_else(|| headers.get("api-version"))
        .and_then(|v| v.to_str().ok())
}
