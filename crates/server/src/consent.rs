//! A consent in flight: the `state` Ersal hands Divar's consent screen is remembered (as its
//! digest, single use, bound to the landing session, with the sealed PKCE verifier and what
//! the consent is for) until the answer comes back to the callback.

use std::time::Duration;

use domain::size::SizeClass;
use kenar::{DivarUserId, Grant};
use store::crypto;
use store::db::Db;
use store::oauth_states::{self, Pending};
use store::sessions::LandingSession;

use crate::budget::{self, Priority, Spend};
use crate::chat::tokens;
use crate::error::AppError;
use crate::oauth::{Tokens, STATE_LIFETIME_SECS};
use crate::state::AppState;

/// What a consent is for, kept server-side with its `state` so that the answer needs nothing
/// more from the browser (nor a second call to Divar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// Post the shipment's result in the chat the opener came from.
    ChatMessage,
    /// Put the widgets for `size` on the seller's post; `origin` is the post's city, read with
    /// get-post when the consent began.
    AddWidgets { size: SizeClass, origin: String },
    /// Take the widgets off the seller's post.
    RemoveWidgets,
    /// Turn the shipping assistant on for the seller's post, its prices for `size`.
    AssistantOn { size: SizeClass },
    /// Turn it off.
    AssistantOff,
}

/// How a purpose is stored: a chat message as no purpose at all (as consents were stored before
/// purposes existed), the widgets' as `addon:<size>:<city>` and `addon-removal`, the
/// assistant's as `assistant:<size>` and `assistant-off`.
const ADD: &str = "addon:";
const REMOVE: &str = "addon-removal";
const ASSISTANT_ON: &str = "assistant:";
const ASSISTANT_OFF: &str = "assistant-off";

impl Purpose {
    fn key(&self) -> Option<String> {
        match self {
            Self::ChatMessage => None,
            Self::AddWidgets { size, origin } => Some(format!("{ADD}{}:{origin}", size.key())),
            Self::RemoveWidgets => Some(REMOVE.to_owned()),
            Self::AssistantOn { size } => Some(format!("{ASSISTANT_ON}{}", size.key())),
            Self::AssistantOff => Some(ASSISTANT_OFF.to_owned()),
        }
    }

    fn parse(key: Option<&str>) -> Option<Self> {
        let Some(key) = key else {
            return Some(Self::ChatMessage);
        };
        match key {
            REMOVE => return Some(Self::RemoveWidgets),
            ASSISTANT_OFF => return Some(Self::AssistantOff),
            _ => {}
        }
        if let Some(size) = key.strip_prefix(ASSISTANT_ON) {
            return Some(Self::AssistantOn {
                size: SizeClass::parse(size)?,
            });
        }
        let (size, origin) = key.strip_prefix(ADD)?.split_once(':')?;
        Some(Self::AddWidgets {
            size: SizeClass::parse(size)?,
            origin: origin.to_owned(),
        })
    }
}

/// What a used-up `state` was issued for.
#[derive(Debug, PartialEq, Eq)]
pub struct Issued {
    /// The landing session that asked.
    pub landing: String,
    /// The PKCE verifier to send with the code, when PKCE was on.
    pub verifier: Option<String>,
    pub purpose: Purpose,
}

/// Starts a consent for `landing` asking for `grant`, for `purpose`: a fresh `state` is
/// remembered and the URL of Divar's consent screen returned.
pub async fn begin(
    state: &AppState,
    landing: &str,
    grant: &Grant,
    purpose: &Purpose,
) -> Result<url::Url, AppError> {
    let consent = state.oauth.authorize_url(grant);
    let now = state.now();
    let purpose = purpose.key();
    let pending = Pending {
        state: &consent.state,
        landing,
        verifier: consent.verifier.as_deref(),
        purpose: purpose.as_deref(),
        expires_at: now + STATE_LIFETIME_SECS,
    };
    oauth_states::remember(&state.db, &state.keys, &pending, now).await?;
    Ok(consent.url)
}

/// Uses up a `state`: what it was issued for, if it is known, unused, unexpired and names a
/// purpose this build knows.
pub async fn consume_state(
    db: &Db,
    keys: &crypto::Keys,
    state: &str,
    now: i64,
) -> Result<Option<Issued>, AppError> {
    let Some(issued) = oauth_states::consume(db, keys, state, now).await? else {
        return Ok(None);
    };
    Ok(
        Purpose::parse(issued.purpose.as_deref()).map(|purpose| Issued {
            landing: issued.landing,
            verifier: issued.verifier,
            purpose,
        }),
    )
}

/// Where Divar's answer to the opener's consent (to post in their chat) leaves their request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatAnswer {
    /// The answer matches no consent this session is waiting for (reused, foreign, expired).
    Unmatched,
    /// The user did not give the permission.
    Denied,
    /// The session came from no conversation: there is nothing to post in.
    NoConversation,
    /// Divar did not confirm the permission (the exchange failed, or named another scope).
    NotConfirmed,
    /// The grant is kept: the request can be saved with its chat message.
    Granted,
}

/// Takes Divar's answer to a chat consent for `session`: with a `code` for the consent `issued`
/// to it, the code is exchanged and, when Divar granted the conversation's scope, the grant is
/// kept with the granting user (so that their revocation finds it).
pub async fn chat_answer(
    state: &AppState,
    session: &LandingSession,
    issued: Option<Issued>,
    code: Option<&str>,
) -> Result<ChatAnswer, AppError> {
    let Some(issued) = issued else {
        return Ok(ChatAnswer::Unmatched);
    };
    let Some(code) = code else {
        return Ok(ChatAnswer::Denied);
    };
    let Some(grant) = session.landing.conversation_grant() else {
        return Ok(ChatAnswer::NoConversation);
    };
    let tokens = match state.oauth.exchange(code, issued.verifier).await {
        Ok(tokens) if tokens.grants(&grant) => tokens,
        _ => return Ok(ChatAnswer::NotConfirmed),
    };
    // A grant whose user is unknown could never be revoked: it is not kept.
    let Some(user) = granting_user(state, &tokens).await else {
        return Ok(ChatAnswer::NotConfirmed);
    };
    tokens::store(state, &grant, &tokens, &user).await?;
    Ok(ChatAnswer::Granted)
}

/// How many times the granting user is asked for, and the waits between the tries.
const USER_TRIES: [Duration; 3] = [
    Duration::ZERO,
    Duration::from_millis(250),
    Duration::from_millis(750),
];

/// The per-app id of the user who granted `tokens`, so that their revocation finds the grant;
/// a failing call is tried again twice. `None` when Divar named no user or could not be
/// reached: the caller then keeps no grant, since nothing could ever revoke it.
pub async fn granting_user(state: &AppState, tokens: &Tokens) -> Option<DivarUserId> {
    for wait in USER_TRIES {
        tokio::time::sleep(wait).await;
        if !matches!(budget::spend(state, Priority::Notify).await, Ok(Spend::Go)) {
            tracing::warn!("the granting user's lookup was held back by the budget");
            continue;
        }
        match state.kenar.get_user_id(&tokens.access).await {
            Ok(Some(user)) => return Some(user),
            Ok(None) => {
                tracing::warn!("Divar named no user for a grant: it is not kept");
                return None;
            }
            Err(error) => tracing::warn!(%error, "the granting user could not be read"),
        }
    }
    tracing::warn!("the granting user could not be read: the grant is not kept");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip_and_unknown_ones_are_refused() {
        let add = Purpose::AddWidgets {
            size: SizeClass::Medium,
            origin: "tehran".to_owned(),
        };
        for purpose in [Purpose::ChatMessage, add, Purpose::RemoveWidgets] {
            assert_eq!(Purpose::parse(purpose.key().as_deref()), Some(purpose));
        }
        assert_eq!(Purpose::parse(Some("addon:huge:tehran")), None);
        assert_eq!(Purpose::parse(Some("something-else")), None);
    }
}
