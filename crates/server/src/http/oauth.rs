//! Divar's permission to post in the chat (docs/kenar.md, “OAuth”), as plain handlers so the
//! flow works without JavaScript:
//!
//! * the quote step's submit sends the opener straight to Divar's consent screen with a fresh
//!   single-use `state` bound to their landing session; `GET /oauth/start` does the same to try
//!   again after a refusal;
//! * `GET /oauth/callback` checks `state` (known, unused, unexpired, issued to this browser's
//!   session), exchanges the code, keeps the tokens sealed, saves the shipment with its chat
//!   message queued, and sends the user back to Divar;
//! * `POST /oauth/skip`: after a refusal or a failure, saves the shipment without a message.
//!
//! Denial, a missing code, a reused or foreign `state`, or a token-endpoint failure each get a
//! Persian page that offers to try again or to go on without a chat message.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::draft::Draft;
use domain::routes::Route;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::consent::{self, ChatAnswer, Purpose};
use crate::error::AppError;
use crate::flow::load_draft;
use crate::flow::submit::{finalize, Finalized};
use crate::page::{message, with_offers, Offer};
use crate::state::AppState;
use store::sessions::LandingSession;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(Route::OAuthStart.path(), get(start))
        .route(Route::OAuthCallback.path(), get(callback))
        .route(Route::OAuthSkip.path(), post(skip))
}

/// The browser's session and its draft, if it is waiting for permission.
async fn pending(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(LandingSession, Draft)>, AppError> {
    let back_to = state.config.completion_url.as_str();
    match state
        .current_session(headers)
        .await
        .map_err(|e| e.back_to(back_to))?
    {
        Some(session) => awaiting(state, session).await,
        None => Ok(None),
    }
}

/// The session with its draft, if the draft is waiting for permission.
async fn awaiting(
    state: &AppState,
    session: LandingSession,
) -> Result<Option<(LandingSession, Draft)>, AppError> {
    let draft = load_draft(state, &session)
        .await
        .map_err(|e| e.back_to(&session.landing.return_target))?;
    Ok(draft.awaiting_permission.then_some((session, draft)))
}

fn to_flow() -> Response {
    Redirect::to(Route::Request.path()).into_response()
}

async fn start(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let Some((session, _)) = pending(&state, &headers).await? else {
        return Ok(to_flow());
    };
    let Some(grant) = session.landing.conversation_grant() else {
        return Ok(to_flow());
    };
    let url = consent::begin(&state, &session.id, &grant, &Purpose::ChatMessage)
        .await
        .map_err(|e| e.back_to(&session.landing.return_target))?;
    Ok(Redirect::to(url.as_str()).into_response())
}

#[derive(Deserialize)]
struct Callback {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

impl Callback {
    /// The authorization code, when Divar gave one and no error (within a sane length).
    fn code(&self) -> Option<&str> {
        match (&self.error, &self.code) {
            (None, Some(code)) if code.len() <= 512 => Some(code),
            _ => None,
        }
    }
}

/// A refusal the user can act on: try again, or save without a chat message. `status`: 400
/// for an answer that matches no waiting request (like a callback without a session), 403 when
/// the permission was not given.
fn refused(status: StatusCode, back_to: &str, title: &str, body: &str) -> Response {
    with_offers(
        status,
        title,
        body,
        Some(back_to),
        &[
            Offer::Link {
                href: Route::OAuthStart.path(),
                label: "دوباره اجازه بدهید",
            },
            Offer::Post {
                action: Route::OAuthSkip.path(),
                label: "ثبت درخواست بدون پیام در گفتگو",
            },
        ],
    )
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Callback>,
) -> Result<Response, AppError> {
    let not_ours = || {
        message(
            StatusCode::BAD_REQUEST,
            "این پاسخ معتبر نیست",
            "این پاسخ اجازه به این مرورگر تعلق ندارد یا قبلاً استفاده شده است. به گفتگو در دیوار برگردید و دوباره تلاش کنید.",
            Some(state.config.completion_url.as_str()),
        )
    };
    let completion = state.config.completion_url.as_str();
    let Some(session) = state
        .current_session(&headers)
        .await
        .map_err(|e| e.back_to(completion))?
    else {
        return Ok(not_ours());
    };
    let back_to = session.landing.return_target.as_str();
    // A consent for the widgets on a post is told apart by its state, used up here.
    let issued_to = match query.state.as_deref().filter(|s| s.len() <= 128) {
        Some(value) => consent::consume_state(&state.db, &state.keys, value, state.now())
            .await
            .map_err(|e| e.back_to(back_to))?,
        None => None,
    };
    let mut issued_to = issued_to.filter(|issued| issued.landing == session.id);
    if let Some(issued) = issued_to.take_if(|issued| issued.purpose != Purpose::ChatMessage) {
        let (purpose, verifier) = (issued.purpose, issued.verifier);
        return super::offer::granted(&state, &session, purpose, query.code(), verifier).await;
    }
    let Some((session, mut draft)) = awaiting(&state, session).await? else {
        return Ok(not_ours());
    };
    let back_to = session.landing.return_target.as_str();
    let answer = consent::chat_answer(&state, &session, issued_to, query.code())
        .await
        .map_err(|e| e.back_to(back_to))?;
    let (status, title, body) = match answer {
        ChatAnswer::Granted => return finish(&state, &session, &mut draft, true).await,
        ChatAnswer::NoConversation => return Ok(to_flow()),
        ChatAnswer::Unmatched => (
            StatusCode::BAD_REQUEST,
            "این پاسخ معتبر نیست",
            "پاسخ دیوار به این درخواست تعلق نداشت یا تکراری بود. می‌توانید دوباره اجازه بدهید یا درخواست را بدون پیام در گفتگو ثبت کنید.",
        ),
        ChatAnswer::Denied => (
            StatusCode::FORBIDDEN,
            "اجازه داده نشد",
            "برای فرستادن نتیجه در گفتگو به اجازهٔ شما نیاز داریم. می‌توانید دوباره اجازه بدهید یا درخواست را بدون پیام در گفتگو ثبت کنید.",
        ),
        ChatAnswer::NotConfirmed => (
            StatusCode::FORBIDDEN,
            "اجازه ثبت نشد",
            "دیوار اجازه را تأیید نکرد. کمی بعد دوباره تلاش کنید یا درخواست را بدون پیام در گفتگو ثبت کنید.",
        ),
    };
    Ok(refused(status, back_to, title, body))
}

async fn skip(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    match pending(&state, &headers).await? {
        Some((session, mut draft)) => finish(&state, &session, &mut draft, false).await,
        None => Ok(to_flow()),
    }
}

/// Saves the shipment and returns the user to Divar (or to the step that needs fixing).
async fn finish(
    state: &AppState,
    session: &LandingSession,
    draft: &mut Draft,
    notify: bool,
) -> Result<Response, AppError> {
    let finalized = finalize(state, session, draft, notify)
        .await
        .map_err(|e| e.back_to(&session.landing.return_target))?;
    Ok(match finalized {
        Finalized::Saved(_) => Redirect::to(&session.landing.return_target),
        Finalized::Fix(step) => Redirect::to(&step.path()),
    }
    .into_response())
}
