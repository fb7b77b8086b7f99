//! Divar's permission to post in the chat (SPEC §4), as plain server handlers so the flow works
//! without JavaScript:
//!
//! * the quote step's submit sends the opener straight to Divar's consent screen with a fresh
//!   single-use `state` bound to their landing session; `GET /oauth/start` does the same to try
//!   again after a refusal;
//! * `GET /oauth/callback` — checks `state` (known, unused, unexpired, issued to this browser's
//!   session), exchanges the code, keeps the tokens sealed, saves the shipment with its chat
//!   message queued, and sends the user back to Divar;
//! * `POST /oauth/skip` — after a refusal or a failure, saves the shipment without a message.
//!
//! Denial, a missing code, a reused or foreign `state`, or a token-endpoint failure each get a
//! Persian page that offers to try again or go on without a chat message.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use ersal_server::http::{message, with_offers, Offer};
use ersal_server::sessions::LandingSession;
use ersal_server::{chat, oauth, AppState};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::flow::{backend, Draft};

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/oauth/start", get(start))
        .route(oauth::CALLBACK_PATH, get(callback))
        .route("/oauth/skip", post(skip))
        .with_state(state)
}

fn internal(state: &AppState, cause: impl std::fmt::Display) -> Response {
    tracing::error!(error = %cause, "oauth step failed");
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "خطای موقت",
        "کار ناتمام ماند. چند لحظه بعد دوباره تلاش کنید.",
        state.config.completion_url.as_str(),
    )
}

/// The browser's session and its draft, if it is waiting for permission.
async fn pending(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(LandingSession, Draft)>, Response> {
    let session = state
        .current_session(headers)
        .await
        .map_err(|e| internal(state, e))?;
    let Some(session) = session else {
        return Ok(None);
    };
    let draft = backend::load(state, &session)
        .await
        .map_err(|e| internal(state, e))?;
    Ok(draft.awaiting_permission.then_some((session, draft)))
}

async fn start(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (session, _) = match pending(&state, &headers).await {
        Ok(Some(found)) => found,
        Ok(None) => return Redirect::to("/request").into_response(),
        Err(response) => return response,
    };
    let Some(conversation) = session.conversation_id.as_deref() else {
        return Redirect::to("/request").into_response();
    };
    match oauth::begin(
        &state.oauth,
        &state.db,
        &session.id,
        conversation,
        state.now(),
    )
    .await
    {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(cause) => internal(&state, cause),
    }
}

#[derive(Deserialize)]
struct Callback {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

fn refused(back_to: &str, title: &str, body: &str) -> Response {
    with_offers(
        StatusCode::OK,
        title,
        body,
        back_to,
        &[
            Offer::Link {
                href: "/oauth/start",
                label: "دوباره اجازه بدهید",
            },
            Offer::Post {
                action: "/oauth/skip",
                label: "ثبت درخواست بدون پیام در گفتگو",
            },
        ],
    )
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Callback>,
) -> Response {
    let (session, mut draft) = match pending(&state, &headers).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return message(
                StatusCode::BAD_REQUEST,
                "این پاسخ معتبر نیست",
                "این پاسخ اجازه به این مرورگر تعلق ندارد یا قبلاً استفاده شده است. به گفتگو در دیوار برگردید و دوباره تلاش کنید.",
                state.config.completion_url.as_str(),
            )
        }
        Err(response) => return response,
    };
    let issued_to = match query.state.as_deref().filter(|s| s.len() <= 128) {
        Some(value) => oauth::consume_state(&state.db, value, state.now()).await,
        None => Ok(None),
    };
    let issued_to = match issued_to {
        Ok(found) => found,
        Err(cause) => return internal(&state, cause),
    };
    if issued_to.as_deref() != Some(session.id.as_str()) {
        return refused(
            &session.return_target,
            "این پاسخ معتبر نیست",
            "پاسخ دیوار به این درخواست تعلق نداشت یا تکراری بود. می‌توانید دوباره اجازه بدهید یا درخواست را بدون پیام در گفتگو ثبت کنید.",
        );
    }
    let code = match (query.error.as_deref(), query.code.as_deref()) {
        (None, Some(code)) if code.len() <= 512 => code,
        _ => {
            return refused(
                &session.return_target,
                "اجازه داده نشد",
                "برای فرستادن نتیجه در گفتگو به اجازهٔ شما نیاز داریم. می‌توانید دوباره اجازه بدهید یا درخواست را بدون پیام در گفتگو ثبت کنید.",
            )
        }
    };
    let Some(conversation) = session.conversation_id.clone() else {
        return Redirect::to("/request").into_response();
    };
    let needed = format!("CONVERSATION_SEND_MESSAGE.{conversation}");
    let tokens = match state.oauth.exchange(code).await {
        Ok(tokens) if tokens.scopes.is_empty() || tokens.scopes.contains(&needed) => tokens,
        _ => {
            return refused(
                &session.return_target,
                "اجازه ثبت نشد",
                "دیوار اجازه را تأیید نکرد. کمی بعد دوباره تلاش کنید یا درخواست را بدون پیام در گفتگو ثبت کنید.",
            )
        }
    };
    if let Err(cause) =
        chat::store_tokens(&state.db, &state.keys, &conversation, &tokens, state.now()).await
    {
        return internal(&state, cause);
    }
    finish(&state, &session, &mut draft, true).await
}

async fn skip(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match pending(&state, &headers).await {
        Ok(Some((session, mut draft))) => finish(&state, &session, &mut draft, false).await,
        Ok(None) => Redirect::to("/request").into_response(),
        Err(response) => response,
    }
}

/// Saves the shipment and returns the user to Divar (or to the step that needs fixing).
async fn finish(
    state: &AppState,
    session: &LandingSession,
    draft: &mut Draft,
    notify: bool,
) -> Response {
    match backend::finalize(state, session, draft, notify).await {
        Ok(Ok(_)) => Redirect::to(&session.return_target).into_response(),
        Ok(Err(step)) => match backend::save(state, session, draft).await {
            Ok(()) => Redirect::to(&format!("/request?step={step}")).into_response(),
            Err(cause) => internal(state, cause),
        },
        Err(cause) => internal(state, cause),
    }
}
