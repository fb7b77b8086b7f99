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
        Purpose::AssistantOn { size, origin } => {
            let Some(user) = consent::granting_user(state, &grant).await else {
                return Ok(WidgetAnswer::NotConfirmed);
            };
            tokens::store(state, &wanted, &grant, &user).await?;
            turn_on(state, &post, *size, origin).await?;
        }
        Purpose::AssistantOff => {
            turn_off(state, &post).await?;
        }
        _ => {}
    }
    Ok(WidgetAnswer::Done)
}

async fn turn_on(
    state: &AppState,
    post: &PostToken,
    size: SizeClass,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.now();
    let ends_at = now + state.config.assistant.days * 86_400;
    rows::turn_on(&state.db, post, size, origin, now, ends_at).await?;
    // The first subscription at once; should Divar not take it now, the jobs try again.
    renew::subscribe(state, post).await?;
    Ok(())
}

/// Turns the post's assistant off: no answer is sent again, its answers and its grant go.
pub async fn turn_off(state: &AppState, post: &PostToken) -> Result<bool, AppError> {
    let mut tx = state.db.begin().await?;
    let was_on = rows::turn_off(&mut tx, post).await?;
    tx.commit().await?;
    store::grants::revoke(&state.db, &Grant::Assistant(post.clone())).await?;
    Ok(was_on)
}
