//! A message in a chat of a post whose assistant is on. It is read in the request, in memory:
//! a buyer's text becomes a [`Heard::Question`] (with the city it names) or nothing, and only
//! that is stored with the event's id (the text never is). Processing it, once across
//! instances, queues the conversation's one answer, due after the seller's chance to answer
//! first; a seller's own message keeps a waiting answer from going.

use domain::asking::{self, Reading};
use kenar::events::{PostMessage, Writer};
use kenar::{ConversationId, PostToken};
use serde::{Deserialize, Serialize};
use store::assistant::{self as rows, Asked};
use store::db::Tx;
use store::outbox::{self, Channel};

use crate::error::AppError;
use crate::state::AppState;

/// What a message means to the assistant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Heard {
    /// A buyer asked about shipping, to this city (an id of the catalogue) or none named.
    Question { to: Option<String> },
    /// The seller wrote in person.
    SellerWrote,
}

/// What is kept of the event until it is processed: no text.
#[derive(Debug, Serialize, Deserialize)]
pub struct Kept {
    pub conversation: ConversationId,
    pub post: PostToken,
    pub heard: Heard,
}

/// Reads `message` for the assistant, if its post's assistant is on; `None` for anything it
/// does not act on (a photo, a bot's message, a buyer's message that is no shipping question).
pub async fn read(state: &AppState, message: &PostMessage) -> Result<Option<Kept>, AppError> {
    // Divar keeps sending a post's messages until the subscription's token expires: once the
    // assistant is off, they are not even read.
    if rows::get(&state.db, &message.post).await?.is_none() {
        return Ok(None);
    }
    let heard = match (message.writer, &message.text) {
        (Writer::Seller, _) => Heard::SellerWrote,
        (Writer::Buyer, Some(text)) => match asking::read(text, &state.catalog.places) {
            Reading::Shipping { to } => Heard::Question {
                to: to.map(|place| place.city.id.clone()),
            },
            Reading::NotShipping => return Ok(None),
        },
        _ => return Ok(None),
    };
    Ok(Some(Kept {
        conversation: message.conversation.clone(),
        post: message.post.clone(),
        heard,
    }))
}

/// Does what a kept message asks, inside the events worker's transaction: queues the
/// conversation's answer (once), or keeps a waiting one from going. Its outcome's name, for
/// the log.
pub async fn process(
    state: &AppState,
    tx: &mut Tx,
    kept: &Kept,
    now: i64,
) -> Result<&'static str, AppError> {
    let conversation = &kept.conversation;
    match &kept.heard {
        Heard::SellerWrote => Ok(if rows::silence(tx, conversation, now).await? {
            "silenced"
        } else {
            "seller wrote"
        }),
        Heard::Question { to } => {
            match rows::ask(tx, conversation, &kept.post, to.as_deref(), now).await? {
                Asked::Not => Ok("not answered"),
                Asked::New => {
                    let delay =
                        i64::try_from(state.config.assistant.delay.as_millis()).unwrap_or(i64::MAX);
                    let due = now * 1000 + delay;
                    let key = rows::outbox_key(conversation);
                    outbox::enqueue_at(tx, Channel::Assistant, &key, "{}", due, now).await?;
                    Ok("answer queued")
                }
            }
        }
    }
}
