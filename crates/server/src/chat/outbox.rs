//! What the support bot queues for Divar, and how chat and bot rows are sent (a shipment's
//! chat message is queued with its change, [`store::outbox::enqueue_announcement`]). Rows live in
//! the store's outbox ([`store::outbox`]); the delivery worker ([`crate::delivery`]) claims them
//! and calls [`send`] or [`send_bot`] by their channel.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use kenar::client::SendOutcome;
use kenar::message::BotMessage;
use kenar::{ConversationId, Grant};
use serde_json::Value;
use store::crypto::Keys;
use store::db::Tx;
use store::outbox::{self, Channel};

use super::tokens;
use crate::error::AppError;
use crate::state::AppState;

/// The context a bot answer is sealed under: staff's answers are personal data, so a bot row's
/// body is sealed (base64 text), unlike a chat row's, which names only the item and cities.
fn bot_context(conversation: &str) -> String {
    format!("outbox/bot/{conversation}")
}

/// Queues the support bot's answer in a bot conversation, inside the caller's transaction.
pub async fn enqueue_bot(
    tx: &mut Tx,
    keys: &Keys,
    message: &BotMessage,
    now: i64,
) -> Result<(), AppError> {
    let sealed = keys.seal(
        &serde_json::to_vec(message)?,
        bot_context(&message.conversation_id).as_bytes(),
    );
    let body = URL_SAFE_NO_PAD.encode(sealed);
    outbox::enqueue(tx, Channel::Bot, &message.conversation_id, &body, now).await?;
    Ok(())
}

/// Sends a bot answer (the API key is the only credential).
pub async fn send_bot(state: &AppState, conversation: &str, body: &str) -> SendOutcome {
    let context = bot_context(conversation);
    let opened = URL_SAFE_NO_PAD
        .decode(body)
        .ok()
        .and_then(|sealed| state.keys.open(&sealed, context.as_bytes()).ok());
    match (
        ConversationId::parse(conversation),
        opened.and_then(|plain| serde_json::from_slice::<Value>(&plain).ok()),
    ) {
        (Ok(conversation), Some(body)) => state.kenar.send_bot_message(&conversation, &body).await,
        _ => SendOutcome::Rejected { status: 0 },
    }
}

/// Sends a chat message with the conversation's token; `None` when there is no permission to
/// post there. Reading the token may fail before anything is sent: that is retried like a
/// connection error.
pub async fn send(state: &AppState, conversation: &str, body: &str) -> Option<SendOutcome> {
    let retry = SendOutcome::Retry {
        status: None,
        retry_after: None,
    };
    let rejected = SendOutcome::Rejected { status: 0 };
    let (Ok(conversation), Ok(body)) = (
        ConversationId::parse(conversation),
        serde_json::from_str::<Value>(body),
    ) else {
        return Some(rejected);
    };
    let grant = Grant::Conversation(conversation.clone());
    let token = match tokens::access_token(state, &grant).await {
        Err(_) => return Some(retry),
        Ok(token) => token?,
    };
    Some(state.kenar.send_message(&conversation, &token, &body).await)
}
