//! The support bot on Ersal's Divar profile (docs/kenar.md, “Events and the support bot”).
//!
//! Divar POSTs each message a user writes to the bot to `/divar/events`
//! (`crate::http::events`). [`events::receive`] stores it, sealed, keyed on Divar's message
//! id, before the 200: a redelivery is a duplicate and is not stored again. A worker in every
//! instance ([`events::spawn_worker`]) then takes each stored event in a transaction that marks
//! it processed and writes everything it causes (the support message, the bot's answer in the
//! outbox), so an event is processed once however many instances run: on PostgreSQL the second
//! instance's mark waits for the first transaction and then finds it processed.
//!
//! [`bot`] decides the answer: a greeting for `/start`, a shipment's status for its tracking
//! code, and anything else goes to staff (`store::support`) with the hours they answer. Staff
//! read and answer from the console through [`inbox`], [`read`], [`answer`] and [`close`].

pub mod bot;
pub mod events;

use kenar::message::BotMessage;
use kenar::ConversationId;
use serde::{Deserialize, Serialize};

use crate::chat::outbox;
use crate::error::AppError;
use crate::state::AppState;
use store::operators::Operator;
pub use store::support::Thread;
use store::support::{self as threads, Conversation, ThreadLine};

/// The longest answer staff may send.
pub const MAX_ANSWER_CHARS: usize = 1000;

/// Staff's answer to a support conversation, from the console.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub conversation: String,
    #[serde(default)]
    pub text: String,
}

/// Staff close a support conversation (its retention period starts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub conversation: String,
}

domain::keyed! {
    /// What became of an answer; `label` tells the operator.
    pub enum Answered {
        Sent = ("sent", "پاسخ در صف ارسال به گفتگوی بات است."),
        Empty = ("empty", "پاسخ خالی فرستاده نمی‌شود."),
        /// Longer than [`MAX_ANSWER_CHARS`], which the label names.
        TooLong = ("long", "پاسخ بیش از ۱٬۰۰۰ نویسه است."),
        NotFound = ("missing", "این گفتگو پیدا نشد."),
    }
}

/// A conversation closes after this long without a new message.
pub const IDLE_CLOSE_SECS: i64 = 7 * 86_400;

/// The console's inbox: the conversations waiting for staff first (the longest wait first),
/// then the most recently active, each with its newest message; only those in the state
/// `only` names, when it names one.
pub async fn inbox(state: &AppState, only: Option<&str>) -> Result<Vec<ThreadLine>, AppError> {
    let only = only.and_then(Thread::parse);
    Ok(threads::threads(&state.db, &state.keys, only).await?)
}

/// A conversation's state and messages, oldest first, marked read by staff; `None` when there
/// is no such conversation (`conversation` is the id as the console's address carries it).
pub async fn read(state: &AppState, conversation: &str) -> Result<Option<Conversation>, AppError> {
    let Ok(conversation) = ConversationId::parse(conversation) else {
        return Ok(None);
    };
    Ok(threads::read(&state.db, &state.keys, &conversation).await?)
}

/// An operator closes a conversation; `false` when it was closed already or does not exist.
pub async fn close(
    state: &AppState,
    operator: &Operator,
    conversation: &str,
) -> Result<bool, AppError> {
    let Ok(conversation) = ConversationId::parse(conversation) else {
        return Ok(false);
    };
    let closed = threads::close(&state.db, &conversation, state.now()).await?;
    if closed {
        tracing::info!(operator = operator.id, "support conversation closed");
    }
    Ok(closed)
}

/// Sends staff's answer: stored with who answered, the conversation marked answered, and the
/// bot's message queued, in one transaction.
pub async fn answer(
    state: &AppState,
    operator: &Operator,
    form: &AnswerForm,
) -> Result<Answered, AppError> {
    let text = form.text.trim();
    if text.is_empty() {
        return Ok(Answered::Empty);
    }
    if text.chars().count() > MAX_ANSWER_CHARS {
        return Ok(Answered::TooLong);
    }
    let Ok(conversation) = ConversationId::parse(&form.conversation) else {
        return Ok(Answered::NotFound);
    };
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let keys = &state.keys;
    if !threads::staff_answered(&mut tx, keys, &conversation, &operator.username, text, now).await?
    {
        return Ok(Answered::NotFound);
    }
    let message = BotMessage {
        conversation_id: conversation.as_str().to_owned(),
        text_message: text.to_owned(),
        buttons: None,
    };
    outbox::enqueue_bot(&mut tx, keys, &message, now).await?;
    tx.commit().await?;
    tracing::info!(operator = operator.id, "support answer queued");
    Ok(Answered::Sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_too_long_label_names_the_limit() {
        let limit = domain::text::group_thousands(MAX_ANSWER_CHARS as u64);
        assert!(Answered::TooLong.label().contains(&limit));
    }
}
