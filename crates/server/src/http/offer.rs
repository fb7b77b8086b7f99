//! The seller's two changes to the widgets on their post, as plain form posts (they work
//! without JavaScript): `POST /offer/add` checks the post with Divar and asks for consent to
//! `POST_ADDON_CREATE.<post_token>`; `POST /offer/remove` asks for the same consent, then takes
//! the widgets off. `POST /offer/assistant/on` and `/offer/assistant/off` do the same for the
//! shipping assistant (`crate::assistant`), with the post's two chat scopes. A session here may come from the Fallback URL, which anyone can open with
//! any post token, so both changes need Divar to confirm the post's owner: only they can grant
//! that scope. The consent's answer comes back through `/oauth/callback` ([`granted`]). The page
//! itself is `/offer`.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use domain::routes::Route;
use domain::size::SizeClass;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::addons::offer::{self, Seen};
use crate::addons::publish::{self, WidgetAnswer};
use crate::consent::{self, Purpose};
use crate::error::AppError;
use crate::page::{message, with_offers, Offer};
use crate::state::AppState;
use kenar::Grant;
use store::sessions::LandingSession;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(Route::OfferAdd.path(), post(add))
        .route(Route::OfferRemove.path(), post(remove))
        .route(Route::AssistantOn.path(), post(assistant_on))
        .route(Route::AssistantOff.path(), post(assistant_off))
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    size: String,
}

async fn session(state: &AppState, headers: &HeaderMap) -> Result<LandingSession, Response> {
    let back_to = state.config.completion_url.as_str();
    match state.current_session(headers).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(message(
            StatusCode::GONE,
            "نشست شما پایان یافته است",
            "«ارسال» را دوباره از صفحهٔ مدیریت آگهی در دیوار باز کنید.",
            Some(back_to),
        )),
        Err(cause) => Err(cause.back_to(back_to).into_response()),
    }
}

fn to_offer() -> Response {
    Redirect::to(Route::Offer.path()).into_response()
}

async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<AddForm>,
) -> Result<Response, AppError> {
    after_reading_post(&state, &headers, &form, |ready, size| {
        let purpose = Purpose::AddWidgets {
            size,
            origin: ready.origin_city,
        };
        (Grant::PostAddon(ready.post), purpose)
    })
    .await
}

async fn remove(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    for_the_post(&state, &headers, |post| {
        (Grant::PostAddon(post), Purpose::RemoveWidgets)
    })
    .await
}

/// Turns the assistant on: the post is checked with Divar, then its owner's consent asked.
async fn assistant_on(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<AddForm>,
) -> Result<Response, AppError> {
    after_reading_post(&state, &headers, &form, |ready, size| {
        (Grant::Assistant(ready.post), Purpose::AssistantOn { size })
    })
    .await
}

/// Turns the assistant off, once Divar confirms the post's owner.
async fn assistant_off(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    for_the_post(&state, &headers, |post| {
        (Grant::Assistant(post), Purpose::AssistantOff)
    })
    .await
}

/// A change that needs the post as Divar knows it (its city): the post is read first, then the
/// owner's consent for what `wanted` names is asked. Back to the page when it cannot be made.
async fn after_reading_post(
    state: &AppState,
    headers: &HeaderMap,
    form: &AddForm,
    wanted: impl FnOnce(offer::Offer, SizeClass) -> (Grant, Purpose),
) -> Result<Response, AppError> {
    let session = match session(state, headers).await {
        Ok(session) => session,
        Err(page) => return Ok(page),
    };
    let size = SizeClass::parse(&form.size).unwrap_or(SizeClass::Small);
    let seen = offer::view(state, &session, Some(size))
        .await
        .map_err(|e| e.back_to(&session.landing.return_target))?;
    let Seen::Ready(ready) = seen else {
        return Ok(to_offer());
    };
    let (grant, purpose) = wanted(*ready, size);
    ask_owner(state, &session, &grant, &purpose).await
}

/// A change to the session's post that needs only its owner's consent.
async fn for_the_post(
    state: &AppState,
    headers: &HeaderMap,
    wanted: impl FnOnce(kenar::PostToken) -> (Grant, Purpose),
) -> Result<Response, AppError> {
    let session = match session(state, headers).await {
        Ok(session) => session,
        Err(page) => return Ok(page),
    };
    let Some(post) = offer::post_of(&session) else {
        return Ok(to_offer());
    };
    let (grant, purpose) = wanted(post);
    ask_owner(state, &session, &grant, &purpose).await
}

/// Sends the browser to Divar's consent screen for `grant`, remembered for `purpose`.
async fn ask_owner(
    state: &AppState,
    session: &LandingSession,
    grant: &Grant,
    purpose: &Purpose,
) -> Result<Response, AppError> {
    let url = consent::begin(state, &session.id, grant, purpose)
        .await
        .map_err(|e| e.back_to(&session.landing.return_target))?;
    Ok(Redirect::to(url.as_str()).into_response())
}

/// Divar's answer to the seller's consent, as the seller's page shows it: a change made (or
/// nothing to do) goes back to the page; a refusal says why, with the way back to it.
pub(super) async fn granted(
    state: &AppState,
    session: &LandingSession,
    purpose: Purpose,
    code: Option<&str>,
    verifier: Option<String>,
) -> Result<Response, AppError> {
    let back_to = session.landing.return_target.as_str();
    let assistant = matches!(purpose, Purpose::AssistantOn { .. } | Purpose::AssistantOff);
    let answer = if assistant {
        crate::assistant::consented(state, session, &purpose, code, verifier).await
    } else {
        publish::answer(state, session, purpose, code, verifier).await
    }
    .map_err(|e| e.back_to(back_to))?;
    let (title, body) = match answer {
        // Divar confirmed the owner: this browser may see the assistant's answers.
        WidgetAnswer::Done => match crate::addons::offer::post_of(session) {
            Some(post) if assistant => {
                let mut response = to_offer();
                let cookie = crate::assistant::owner_cookie(state, &post);
                if let Ok(value) = http::HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(http::header::SET_COOKIE, value);
                }
                return Ok(response);
            }
            _ => return Ok(to_offer()),
        },
        WidgetAnswer::Denied => (
            "اجازه داده نشد",
            "بدون اجازهٔ شما چیزی روی آگهی قرار نمی‌گیرد.",
        ),
        WidgetAnswer::NotConfirmed => (
            "اجازه ثبت نشد",
            "دیوار اجازه برای این آگهی را تأیید نکرد. فقط صاحب آگهی می‌تواند ارسال را روی آن نشان دهد یا از آن بردارد.",
        ),
    };
    Ok(with_offers(
        StatusCode::FORBIDDEN,
        title,
        body,
        Some(back_to),
        &[Offer::Link {
            href: Route::Offer.path(),
            label: "بازگشت به ارسال روی آگهی",
        }],
    ))
}
