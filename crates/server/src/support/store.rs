//! Support conversations and their messages (sealed: what users write is personal data).

use crate::crypto::Keys;
use crate::db::Tx;
use crate::error::AppError;
use crate::on_tx;

/// Where a support conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thread {
    /// A question waits for staff.
    Waiting,
    /// Staff answered the last question.
    Answered,
    Closed,
}

impl Thread {
    pub fn key(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }
}

/// Records a user's question to staff in `conversation` (opening the conversation, or
/// continuing it); `true` when it starts waiting for staff with this message (the bot then
/// says when staff answer; while it waits, further messages get no bot answer).
pub async fn user_wrote(
    tx: &mut Tx,
    keys: &Keys,
    conversation: &str,
    text: &str,
    now: i64,
) -> Result<bool, AppError> {
    let waiting = Thread::Waiting.key();
    let before: Option<String> = on_tx!(tx, conn => {
        sqlx::query_scalar("select state from support_conversations where conversation_id = $1")
            .bind(conversation)
            .fetch_optional(&mut *conn)
            .await?
    });
    let body = keys.seal(text.as_bytes(), conversation.as_bytes());
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into support_conversations
               (conversation_id, state, unread, opened_at, updated_at)
             values ($1, $2, 1, $3, $3)
             on conflict (conversation_id) do update set state = excluded.state,
               unread = support_conversations.unread + 1, updated_at = excluded.updated_at,
               closed_at = null",
        )
        .bind(conversation)
        .bind(waiting)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "insert into support_messages (conversation_id, from_user, body, created_at)
             values ($1, $2, $3, $4)",
        )
        .bind(conversation)
        .bind(true)
        .bind(&body)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    Ok(before.as_deref() != Some(waiting))
}
