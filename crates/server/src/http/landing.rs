//! Entering the landing pages.
//!
//! * `GET /l/{id}`: the URL our init answer gave Divar. The one-time id is exchanged for an
//!   `HttpOnly`, `SameSite=Lax` session cookie and the browser is sent to the clean landing
//!   URL, so the id never stays in the address bar or history.
//! * `GET /divar/fallback?post_token=…`: Divar's direct link (docs/kenar.md, “The Fallback
//!   URL”). It carries no Divar
//!   authentication, so `post_token` is only a hint, and any return address in the query is
//!   ignored (never take a return target from the browser).

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use domain::routes::Route;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use kenar::{PostToken, Source};

use crate::chat::Op;
use crate::error::AppError;
use crate::flow::Press;
use crate::page;
use crate::state::AppState;
use store::crypto;
use store::sessions::{self, Landing, Redeemed};
/// The longest direct-link query string read.
const MAX_QUERY_BYTES: usize = 2048;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(Route::Landing.path(), get(enter))
        .route(Route::Fallback.path(), get(fallback))
}

async fn enter(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    try_enter(&state, &id, &headers)
        .await
        .map_err(|e| e.back_to(state.config.completion_url.as_str()))
}

async fn try_enter(state: &AppState, id: &str, headers: &HeaderMap) -> Result<Response, AppError> {
    let now = state.now();
    let outcome = if crypto::is_token_shaped(id) || sessions::sealed::is_shaped(id) {
        sessions::redeem(&state.db, &state.link_keys, &state.keys, id, now).await?
    } else {
        Redeemed::Unknown
    };
    let back_to = match outcome {
        Redeemed::Session { cookie_token } => {
            return Ok(match destination(state, &cookie_token).await? {
                Destination::Page(path) => landed(state, &cookie_token, &path),
                Destination::Refused { why, back_to } => why.page(&back_to),
            });
        }
        Redeemed::Spent { return_target } => {
            // A reload of /l/{id} in the webview that already holds this session's cookie.
            if let Some(cookie) = state.cookie_token(headers) {
                if sessions::belongs_to(&state.db, &cookie, id, now, state.idle_secs()).await? {
                    if let Destination::Page(path) = destination(state, &cookie).await? {
                        return Ok(see_other(&path));
                    }
                }
            }
            return_target
        }
        Redeemed::Unknown => state.config.completion_url.to_string(),
    };
    let lifetime = domain::text::duration(state.landing_ttl_secs());
    Ok(page::message(
        StatusCode::GONE,
        "این پیوند دیگر معتبر نیست",
        &format!(
            "پیوند ورود به «ارسال» فقط یک بار و تا {lifetime} کار می‌کند. به گفتگو در دیوار برگردید و «ارسال» را دوباره از منوی افزونه‌ها باز کنید."
        ),
        Some(&back_to),
    ))
}

/// Where a fresh session goes.
enum Destination {
    Page(String),
    /// A tap that changes nothing, and the way back to Divar.
    Refused {
        why: Refusal,
        back_to: String,
    },
}

/// A button from one of our chat messages leads to its shipment's tracking page (`track`) or to
/// the landing flow (`fill`), if its signature holds for this conversation; a tap on our
/// widgets on a post leads to the price page, if their data holds for the post; everything
/// else goes to the flow.
async fn destination(state: &AppState, cookie_token: &str) -> Result<Destination, AppError> {
    let now = state.now();
    let Some(session) =
        sessions::current(&state.db, &state.keys, cookie_token, now, state.idle_secs()).await?
    else {
        return Ok(Destination::Page(Route::Request.path().to_owned()));
    };
    if session.landing.source == Source::PostAddon {
        // A tap on the widgets on a post: the price to the buyer's city, if the data is ours.
        return Ok(match crate::addons::price::tapped(state, &session) {
            Some(_) => Destination::Page(Route::Price.path().to_owned()),
            None => Destination::Refused {
                why: Refusal::Widget,
                back_to: session.landing.return_target,
            },
        });
    }
    if session.landing.source != Source::ChatMessageAction {
        return Ok(Destination::Page(Route::Request.path().to_owned()));
    }
    let back_to = session.landing.return_target.clone();
    Ok(match crate::flow::pressed(state, &session).await? {
        Press::Ours(code, Op::Track) => Destination::Page(crate::tracking::path(&code)),
        Press::Ours(_, Op::Fill) | Press::Asked(_) => {
            Destination::Page(Route::Request.path().to_owned())
        }
        Press::OtherSide => Destination::Refused {
            why: Refusal::OtherSide,
            back_to,
        },
        Press::Refused => Destination::Refused {
            why: Refusal::Button,
            back_to,
        },
    })
}

/// Why a tap on one of our buttons changes nothing; each is told so, with the way back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// A chat button altered, or replayed in another conversation.
    Button,
    /// A chat button meant for the other side of the chat (only they fill in their details).
    OtherSide,
    /// Widget data altered, or moved to another post.
    Widget,
}

impl Refusal {
    fn page(self, back_to: &str) -> Response {
        let (log, title, body) = match self {
            Self::Button => (
                "button refused: signature or conversation does not match",
                "این دکمه معتبر نیست",
                "این دکمه به این گفتگو تعلق ندارد یا تغییر کرده است. هیچ تغییری انجام نشد. به گفتگو در دیوار برگردید و از دکمه‌های همان پیام استفاده کنید.",
            ),
            Self::OtherSide => (
                "button refused: meant for the other side of the chat",
                "این دکمه برای طرف مقابل است",
                "این دکمه را طرف دیگر گفتگو باید بزند تا مشخصات خودش را وارد کند. هیچ تغییری انجام نشد. برای پیگیری، دکمهٔ «پیگیری ارسال» را در همان پیام بزنید.",
            ),
            Self::Widget => (
                "post widget refused: its data does not hold for the post",
                "این دکمه معتبر نیست",
                "این دکمه به این آگهی تعلق ندارد یا تغییر کرده است. هیچ تغییری انجام نشد. به آگهی در دیوار برگردید و دوباره دکمه را بزنید.",
            ),
        };
        tracing::info!("{log}");
        page::message(StatusCode::FORBIDDEN, title, body, Some(back_to))
    }
}

/// Sets the session cookie and redirects to the clean URL `path`.
fn landed(state: &AppState, cookie_token: &str, path: &str) -> Response {
    let mut cookie = cookie::Cookie::build((state.cookie_name(), cookie_token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(!state.config.is_dev())
        .build();
    cookie.set_max_age(None);
    let mut response = see_other(path);
    let value = HeaderValue::from_str(&cookie.to_string()).expect("cookie is header-safe ASCII");
    response.headers_mut().insert(header::SET_COOKIE, value);
    response
}

fn see_other(to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn fallback(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let post_token = if query.len() > MAX_QUERY_BYTES {
        Err(())
    } else {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "post_token")
            .map(|(_, value)| value)
            .filter(|value| !value.is_empty())
            .map(|value| PostToken::parse(&value).map_err(|_| ()))
            .transpose()
    };
    let back_to = state.config.completion_url.to_string();
    let Ok(post_token) = post_token else {
        return page::message(
            StatusCode::BAD_REQUEST,
            "پیوند نادرست است",
            "این پیوند آگهی معتبری ندارد. به دیوار برگردید و «ارسال» را دوباره از صفحهٔ آگهی باز کنید.",
            Some(&back_to),
        );
    };
    let landing = Landing::fallback(post_token, back_to.clone());
    match state.create_landing(&landing).await {
        Ok(token) => {
            tracing::info!(
                source = Source::Fallback.as_str(),
                "landing session created"
            );
            see_other(&Route::Landing.with(&token))
        }
        Err(cause) => cause.back_to(&back_to).into_response(),
    }
}
