//! Support conversations and their messages (sealed: what users write is personal data).

use domain::webhook;
use kenar::ConversationId;

use crate::crypto::Keys;
use crate::db::{Db, Tx};
use crate::StoreError;
use crate::{on_db, on_tx};

domain::keyed! {
    /// Where a support conversation stands.
    pub enum Thread {
        /// A question waits for staff.
        Waiting = ("waiting", "در انتظار پاسخ ما"),
        /// Staff answered the last question.
        Answered = ("answered", "پاسخ داده شد"),
        Closed = ("closed", "بسته"),
    }
}

fn thread(key: &str) -> Result<Thread, StoreError> {
    Thread::parse(key).ok_or(StoreError::Unknown("support conversation state"))
}

/// The messages a conversation keeps: past this, the oldest go (a user writing in a loop
/// cannot fill the database).
pub const MAX_KEPT_MESSAGES: i64 = 100;

/// Records a user's question to staff in `conversation` (opening the conversation, or
/// continuing it); `true` when it starts waiting for staff with this message (the bot then
/// says when staff answer; while it waits, further messages get no bot answer). The message that
/// starts a wait queues the `support.message_received` webhook in the same transaction.
pub async fn user_wrote(
    tx: &mut Tx,
    keys: &Keys,
    conversation: &ConversationId,
    text: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let waiting = Thread::Waiting.key();
    // Three single statements, so that two instances taking two messages of one conversation
    // at once agree on which one started the wait (a row lock, or the unique key, orders them).
    let started = on_tx!(tx, conn => {
        let reopened = sqlx::query(
            "update support_conversations set state = $1, unread = unread + 1, updated_at = $2,
               closed_at = null
             where conversation_id = $3 and state <> $1",
        )
        .bind(waiting)
        .bind(now)
        .bind(conversation.as_str())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        let opened = if reopened == 1 {
            0
        } else {
            sqlx::query(
                "insert into support_conversations
                   (conversation_id, state, unread, opened_at, updated_at)
                 values ($1, $2, 1, $3, $3) on conflict (conversation_id) do nothing",
            )
            .bind(conversation.as_str())
            .bind(waiting)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        };
        if reopened + opened == 0 {
            sqlx::query(
                "update support_conversations set unread = unread + 1, updated_at = $1
                 where conversation_id = $2",
            )
            .bind(now)
            .bind(conversation.as_str())
            .execute(&mut *conn)
            .await?;
        }
        reopened + opened == 1
    });
    let body = keys.seal(text.as_bytes(), conversation.as_str().as_bytes());
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into support_messages (conversation_id, from_user, body, created_at)
             values ($1, $2, $3, $4)",
        )
        .bind(conversation.as_str())
        .bind(true)
        .bind(&body)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        // Past the cap, the oldest messages go, and the conversation counts them.
        let dropped = sqlx::query(
            "delete from support_messages where conversation_id = $1 and id not in
               (select id from support_messages where conversation_id = $1
                order by id desc limit $2)",
        )
        .bind(conversation.as_str())
        .bind(MAX_KEPT_MESSAGES)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if dropped > 0 {
            sqlx::query(
                "update support_conversations set dropped = dropped + $1
                 where conversation_id = $2",
            )
            .bind(i64::try_from(dropped).unwrap_or(i64::MAX))
            .bind(conversation.as_str())
            .execute(&mut *conn)
            .await?;
        }
    });
    // Announced once per wait: a user writing in a loop queues one message, not thousands.
    if started {
        let id = conversation.as_str();
        let data = serde_json::to_value(webhook::SupportData {
            conversation_id: id,
        })?;
        crate::webhooks::enqueue(tx, webhook::Event::SupportMessageReceived, id, &data, now)
            .await?;
    }
    Ok(started)
}

/// The bot's answers in `conversation` during the minute `now` falls in, this one included,
/// counted inside the caller's transaction.
pub async fn bot_replies(
    tx: &mut Tx,
    conversation: &ConversationId,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_scalar(
            "insert into bot_replies (conversation_id, start, used) values ($1, $2, 1)
             on conflict (conversation_id, start) do update set used = bot_replies.used + 1
             returning used",
        )
        .bind(conversation.as_str())
        .bind(now - now.rem_euclid(60))
        .fetch_one(&mut *conn)
        .await?
    }))
}

/// Forgets the bot's counts of minutes that have passed.
pub async fn forget_past_replies(db: &Db, now: i64) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query("delete from bot_replies where start < $1")
            .bind(now - now.rem_euclid(60))
            .execute(pool)
            .await?
            .rows_affected()
    }))
}

/// A conversation in the console's inbox.
pub struct ThreadLine {
    pub conversation: ConversationId,
    pub state: Thread,
    pub unread: i64,
    pub updated_at: i64,
    /// The newest message: its text (opened), and whether the user wrote it.
    pub last: Option<(String, bool)>,
}

type RawLine = (String, String, i64, i64, Option<Vec<u8>>, Option<bool>);

/// Support conversations for the inbox (at most 200), only those in `state` if given: the
/// ones waiting for staff first, the longest wait first, then the most recently active; each
/// with its newest message.
pub async fn threads(
    db: &Db,
    keys: &Keys,
    state: Option<Thread>,
) -> Result<Vec<ThreadLine>, StoreError> {
    let rows: Vec<RawLine> = on_db!(db, pool => {
        sqlx::query_as(
            "select c.conversation_id, c.state, c.unread, c.updated_at, m.body, m.from_user
             from support_conversations c
             left join support_messages m on m.id = (select max(id) from support_messages
                                                     where conversation_id = c.conversation_id)
             where $1 is null or c.state = $1
             order by case when c.state = $2 then 0 else 1 end,
               case when c.state = $2 then c.updated_at else -c.updated_at end,
               c.conversation_id
             limit 200",
        )
        .bind(state.map(Thread::key))
        .bind(Thread::Waiting.key())
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .map(
            |(conversation, state, unread, updated_at, body, from_user)| {
                let last = match (body, from_user) {
                    (Some(body), Some(from_user)) => {
                        let text = keys.open(&body, conversation.as_bytes())?;
                        Some((String::from_utf8_lossy(&text).into_owned(), from_user))
                    }
                    _ => None,
                };
                Ok(ThreadLine {
                    conversation: ConversationId::parse(&conversation)
                        .map_err(|_| StoreError::Broken("support conversation id"))?,
                    state: thread(&state)?,
                    unread,
                    updated_at,
                    last,
                })
            },
        )
        .collect()
}

/// One message of a conversation: the user's, or staff's with who answered.
pub struct Said {
    pub from_user: bool,
    pub text: String,
    pub operator: Option<String>,
    pub at: i64,
}

/// A support conversation as staff read it.
pub struct Conversation {
    pub state: Thread,
    /// Its messages, oldest first (at most [`MAX_KEPT_MESSAGES`]).
    pub said: Vec<Said>,
    /// How many older messages were dropped to keep it under the cap.
    pub dropped: i64,
}

/// A conversation's messages, oldest first, marked read; `None` when there is no such
/// conversation.
pub async fn read(
    db: &Db,
    keys: &Keys,
    conversation: &ConversationId,
) -> Result<Option<Conversation>, StoreError> {
    let state: Option<(String, i64)> = on_db!(db, pool => {
        sqlx::query_as(
            "update support_conversations set unread = 0 where conversation_id = $1
             returning state, dropped",
        )
        .bind(conversation.as_str())
        .fetch_optional(pool)
        .await?
    });
    let Some((state, dropped)) = state else {
        return Ok(None);
    };
    let rows: Vec<(bool, Vec<u8>, Option<String>, i64)> = on_db!(db, pool => {
        sqlx::query_as(
            "select from_user, body, operator, created_at from support_messages
             where conversation_id = $1 order by id",
        )
        .bind(conversation.as_str())
        .fetch_all(pool)
        .await?
    });
    let mut said = Vec::with_capacity(rows.len());
    for (from_user, body, operator, at) in rows {
        let text = String::from_utf8_lossy(&keys.open(&body, conversation.as_str().as_bytes())?)
            .into_owned();
        said.push(Said {
            from_user,
            text,
            operator,
            at,
        });
    }
    Ok(Some(Conversation {
        state: thread(&state)?,
        said,
        dropped,
    }))
}

/// Records staff's answer (who answered, sealed) and marks the conversation answered, inside
/// the caller's transaction; `false` when there is no such conversation.
pub async fn staff_answered(
    tx: &mut Tx,
    keys: &Keys,
    conversation: &ConversationId,
    operator: &str,
    text: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let updated = on_tx!(tx, conn => {
        sqlx::query(
            "update support_conversations set state = $1, unread = 0, updated_at = $2
             where conversation_id = $3",
        )
        .bind(Thread::Answered.key())
        .bind(now)
        .bind(conversation.as_str())
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    if updated == 0 {
        return Ok(false);
    }
    let body = keys.seal(text.as_bytes(), conversation.as_str().as_bytes());
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into support_messages (conversation_id, from_user, body, operator, created_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(conversation.as_str())
        .bind(false)
        .bind(&body)
        .bind(operator)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    Ok(true)
}

/// Closes a conversation (staff's decision); `false` when there is no such open conversation.
pub async fn close(db: &Db, conversation: &ConversationId, now: i64) -> Result<bool, StoreError> {
    let closed = on_db!(db, pool => {
        sqlx::query(
            "update support_conversations set state = $1, closed_at = $2, unread = 0
             where conversation_id = $3 and state <> $1",
        )
        .bind(Thread::Closed.key())
        .bind(now)
        .bind(conversation.as_str())
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(closed == 1)
}

/// Closes the conversations with no message since `idle_since`, answered or not: a question
/// left unanswered that long is not kept for ever (its retention starts when it closes).
pub async fn close_idle(db: &Db, idle_since: i64, now: i64) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query(
            "update support_conversations set state = $1, closed_at = $2
             where state <> $1 and updated_at <= $3",
        )
        .bind(Thread::Closed.key())
        .bind(now)
        .bind(idle_since)
        .execute(pool)
        .await?
        .rows_affected()
    }))
}
