//! The seller's shipping assistant (docs/assistant.md): once the seller turns it on for a
//! post, Ersal hears every message of that post's chats (Divar's `NEW_MESSAGE_ON_POST`
//! subscription) and answers a buyer's shipping question ("do you send to Mashhad?") once per
//! conversation, with the price and a button that opens Ersal with that city filled in.
//!
//! * turning it on and off, and what the seller's page shows: here;
//! * [`hear`]: reading a message in memory (its text is never stored) and queuing the answer;
//! * [`answer`]: composing and sending the answer through the outbox, within the API budget;
//! * [`renew`]: keeping Divar's subscription alive (it lasts as long as its token), and
//!   stopping the assistant when the post is gone, the access revoked or its days are over.
//!
//! Turning it on or off needs Divar's consent for the post's two chat scopes, so only the
//! post's owner can do either (the seller's page may be opened by anyone from the Fallback URL).

pub mod answer;
pub mod hear;
pub mod renew;

use domain::size::SizeClass;
use kenar::{Grant, PostToken};
use store::assistant::{self as rows, Answered, Assistant};
use store::sessions::LandingSession;

use crate::addons::publish::WidgetAnswer;
use crate::chat::tokens;
use crate::consent::{self, Purpose};
use crate::error::AppError;
use crate::state::AppState;

/// Answers the seller's page lists.
const RECENT: i64 = 10;

/// Where a post's assistant stands, as the seller's page shows it.
pub struct Standing {
    /// On (and until when), or off.
    pub on: Option<Assistant>,
    /// Its newest answers, newest first.
    pub recent: Vec<Answered>,
}

pub async fn standing(state: &AppState, post: &PostToken) -> Result<Standing, AppError> {
    Ok(Standing {
        on: rows::get(&state.db, post).await?,
        recent: rows::recent(&state.db, post, RECENT).await?,
    })
}

/// The cookie that shows this browser a post's answers (the cities buyers asked about come from
/// their messages, and the seller's page may be opened by anyone with the post's token): set
/// when Divar confirmed the post's owner by a consent for its assistant, signed for the post,
/// as long as an assistant lasts. `__Host-` prefixed but in dev over plain http.
pub fn owner_cookie(state: &AppState, post: &PostToken) -> String {
    let value = format!("{}.{}", post.as_str(), owner_tag(state, post));
    let mut cookie = cookie::Cookie::build((owner_cookie_name(state), value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(!state.config.is_dev())
        .build();
    cookie.set_max_age(cookie::time::Duration::days(state.config.assistant.days));
    cookie.to_string()
}

/// Whether the browser that sent `headers` showed Divar it owns `post`.
pub fn shown_to_owner(state: &AppState, headers: &http::HeaderMap, post: &PostToken) -> bool {
    let shaped = |v: &str| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic());
    crate::state::cookie_value(headers, owner_cookie_name(state), shaped)
        .and_then(|value| {
            let (token, tag) = value.split_once('.')?;
            (token == post.as_str()).then(|| state.keys.verify(&[OWNER, token], tag))
        })
        .unwrap_or(false)
}

const OWNER: &str = "assistant-owner";

fn owner_tag(state: &AppState, post: &PostToken) -> String {
    state.keys.sign(&[OWNER, post.as_str()])
}

fn owner_cookie_name(state: &AppState) -> &'static str {
    if state.config.is_dev() {
        "ersal_seller"
    } else {
        "__Host-ersal_seller"
    }
}

/// Takes Divar's answer to the seller's consent for the assistant: with both scopes granted
/// for this post, it is turned on (the grant kept, the subscription made) or off.
pub async fn consented(
    state: &AppState,
    session: &LandingSession,
    purpose: &Purpose,
    code: Option<&str>,
    verifier: Option<String>,
) -> Result<WidgetAnswer, AppError> {
    let (Some(code), Some(post)) = (code, crate::addons::offer::post_of(session)) else {
        return Ok(WidgetAnswer::Denied);
    };
    let wanted = Grant::Assistant(post.clone());
    let grant = match state.oauth.exchange(code, verifier).await {
        Ok(grant) if grant.grants(&wanted) => grant,
        _ => return Ok(WidgetAnswer::NotConfirmed),
    };
    match purpose {
        Purpose::AssistantOn { size } => {
            let Some(user) = consent::granting_user(state, &grant).await else {
                return Ok(WidgetAnswer::NotConfirmed);
            };
            // On first, then the grant: a grant is never kept for an assistant that is off
            // (should the grant not be kept, the first renewal turns the assistant off).
            turn_on(state, &post, *size).await?;
            tokens::store(state, &wanted, &grant, &user).await?;
            if let Err(error) = renew::subscribe(state, &post).await {
                tracing::warn!(%error, "the first subscription failed; the jobs try again");
            }
        }
        Purpose::AssistantOff => {
            turn_off(state, &post).await?;
        }
        _ => {}
    }
    Ok(WidgetAnswer::Done)
}

async fn turn_on(state: &AppState, post: &PostToken, size: SizeClass) -> Result<(), AppError> {
    let now = state.now();
    let ends_at = now + state.config.assistant.days * 86_400;
    rows::turn_on(&state.db, post, size, now, ends_at).await?;
    Ok(())
}

/// Turns the post's assistant off: no answer is sent again (one waiting is taken out of the
/// outbox), its answers and its grant go, all in one transaction.
pub async fn turn_off(state: &AppState, post: &PostToken) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    rows::turn_off(&mut tx, post).await?;
    tx.commit().await?;
    Ok(())
}
