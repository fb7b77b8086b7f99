//! Divar's events: stored before they are acknowledged, then processed once (see
//! [`super`]).

use std::time::Duration;

use kenar::events::{BotMessage, Event, PostMessage};
use kenar::ConversationId;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::bot;
use crate::error::AppError;
use crate::state::AppState;
use store::events::{self as kept, Kept, Waiting};

/// A processed event is kept this long, so that a redelivery within it is recognised.
pub const KEEP_SECS: i64 = 86_400;
/// A failing event is tried this many times, then left for an operator to look at (logged).
const MAX_ATTEMPTS: i64 = 5;
/// A failed event waits `RETRY_SECS × attempts²` after its arrival before the next try (30 s,
/// 2 min, 4½ min, 8 min): a database outage of a few minutes does not use up its attempts.
const RETRY_SECS: i64 = 30;
const POLL: Duration = Duration::from_millis(250);
const BOT_MESSAGE: &str = "bot_message";
/// The key prefix of a post's chat message kept for the assistant.
const POST_MESSAGE: &str = "post:";

/// What became of a delivered event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Stored,
    /// Delivered before: nothing new was stored.
    Duplicate,
    /// A user revoked Ersal's access: the tokens of `grants` conversations were deleted.
    Revoked {
        grants: u64,
    },
    /// A type Ersal does not use: acknowledged, nothing stored.
    Ignored,
    /// Too many events wait to be processed: not stored, Divar is asked to deliver it later.
    Full,
}

/// Unprocessed events kept at most (given-up ones aside): past this, new ones are refused with
/// 503 (Divar retries), while a redelivery of a stored one is still acknowledged.
const WAITING: Waiting = Waiting {
    max: 5_000,
    max_attempts: MAX_ATTEMPTS,
};

/// A stored bot message, as it is sealed.
#[derive(Serialize, Deserialize)]
pub(super) struct Stored {
    pub conversation: ConversationId,
    pub text: Option<String>,
}

/// Stores a bot message durably (sealed), once per Divar id; applies a revocation at once.
///
/// A revocation has no id to key a stored copy on, and needs none: deleting the user's tokens
/// is one statement that a redelivery repeats harmlessly, done before Divar hears 200.
pub async fn receive(state: &AppState, event: Event) -> Result<Received, AppError> {
    let (id, conversation, text) = match event {
        Event::BotMessage(BotMessage {
            id,
            conversation,
            text,
        }) => (id, conversation, text),
        Event::PostMessage(message) => return post_message(state, &message).await,
        Event::AccessRevoked(user) => {
            let grants = store::grants::revoke_user(&state.db, &user).await?;
            return Ok(Received::Revoked { grants });
        }
        Event::Ignored(name) => {
            tracing::info!(event = name, "divar event of a type Ersal does not use");
            return Ok(Received::Ignored);
        }
    };
    let key = format!("bot:{id}");
    let stored = Stored { conversation, text };
    let payload = serde_json::to_vec(&stored)?;
    let (db, keys) = (&state.db, &state.keys);
    Ok(
        match kept::store(db, keys, &key, BOT_MESSAGE, &payload, state.now(), WAITING).await? {
            Kept::New => Received::Stored,
            Kept::Duplicate => Received::Duplicate,
            Kept::Full => Received::Full,
        },
    )
}

/// A message in a post's chat, for the seller's shipping assistant: what it means is kept (its
/// text never is), once per Divar id, when the assistant acts on it.
async fn post_message(state: &AppState, message: &PostMessage) -> Result<Received, AppError> {
    let Some(heard) = crate::assistant::hear::read(state, message).await? else {
        return Ok(Received::Ignored);
    };
    let key = format!("{POST_MESSAGE}{}", message.id);
    let payload = serde_json::to_vec(&heard)?;
    let (db, keys) = (&state.db, &state.keys);
    Ok(
        match kept::store(
            db,
            keys,
            &key,
            "post_message",
            &payload,
            state.now(),
            WAITING,
        )
        .await?
        {
            Kept::New => Received::Stored,
            Kept::Duplicate => Received::Duplicate,
            Kept::Full => Received::Full,
        },
    )
}

/// Processes the stored events that are due, once each. Returns how many this call processed.
pub async fn process_due(state: &AppState) -> Result<usize, AppError> {
    let due = kept::due(&state.db, MAX_ATTEMPTS, RETRY_SECS, state.now()).await?;
    let mut processed = 0;
    for key in due {
        match process(state, &key).await {
            Ok(true) => processed += 1,
            Ok(false) => {}
            Err(error) => {
                let attempts = kept::failed(&state.db, &key).await?;
                if attempts >= MAX_ATTEMPTS {
                    tracing::error!(%error, attempts, "a support event is given up");
                } else {
                    tracing::warn!(%error, attempts, "a support event failed; it is tried again");
                }
            }
        }
    }
    Ok(processed)
}

/// Takes one event and does what it asks, in one transaction; `false` when another worker had
/// processed it.
async fn process(state: &AppState, key: &str) -> Result<bool, AppError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let Some(payload) = kept::take(&mut tx, &state.keys, key, now).await? else {
        return Ok(false);
    };
    if key.starts_with(POST_MESSAGE) {
        let heard = serde_json::from_slice(&payload)?;
        let outcome = crate::assistant::hear::process(state, &mut tx, &heard, now).await?;
        tx.commit().await?;
        tracing::info!(outcome, "post message processed");
        return Ok(true);
    }
    let stored: Stored = serde_json::from_slice(&payload)?;
    let answer = bot::answer(state, &mut tx, &stored, now).await?;
    tx.commit().await?;
    tracing::info!(answer = answer.name(), "support bot message processed");
    Ok(true)
}

/// Processes events until `stop` turns true.
pub fn spawn_worker(state: AppState, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !*stop.borrow() {
            if let Err(error) = process_due(&state).await {
                tracing::warn!(%error, "support events could not be read");
            }
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => {}
            }
        }
    })
}
