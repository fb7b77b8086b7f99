//! The seller's shipping assistant: a row per post while it is on (`assistant_posts`; off is no
//! row), and at most one answer per conversation (`assistant_replies`), which records the city
//! and the price it named, never what the buyer wrote.

use domain::size::SizeClass;
use kenar::{ConversationId, PostToken};

use crate::db::{Db, Tx};
use crate::StoreError;
use crate::{on_db, on_tx};

/// A post whose assistant is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assistant {
    pub size: SizeClass,
    pub turned_on_at: i64,
    /// It stops by itself then.
    pub ends_at: i64,
    /// Until when Divar's subscription holds (the access token's expiry when it was made).
    pub subscribed_until: Option<i64>,
}

domain::keyed! {
    /// Where an answer stands (the label is the seller's).
    pub enum ReplyState {
        /// Waiting for the seller's own reply, or for its turn to be sent.
        Waiting = ("waiting", "در صف"),
        Sent = ("sent", "فرستاده شد"),
        /// The seller answered first: Ersal stayed silent.
        Silenced = ("silenced", "خودتان پاسخ دادید"),
        /// Not sent: the post was sold or closed, a shipment started, or Divar refused.
        Dropped = ("dropped", "فرستاده نشد"),
    }
}

/// An answer as the seller's page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// The city the question named (an id of the catalogue), if it named one.
    pub destination: Option<String>,
    /// The price the answer gave, in Rials (the cheapest service to that city).
    pub price: Option<i64>,
    pub state: ReplyState,
    pub asked_at: i64,
}

type RawAssistant = (String, i64, i64, Option<i64>);

/// The post's assistant, if it is on.
pub async fn get(db: &Db, post: &PostToken) -> Result<Option<Assistant>, StoreError> {
    let row: Option<RawAssistant> = on_db!(db, pool => {
        sqlx::query_as(
            "select size, turned_on_at, ends_at, subscribed_until
             from assistant_posts where post_token = $1",
        )
        .bind(post.as_str())
        .fetch_optional(pool)
        .await?
    });
    row.map(|(size, turned_on_at, ends_at, subscribed_until)| {
        Ok(Assistant {
            size: SizeClass::parse(&size).ok_or(StoreError::Broken("an assistant's size"))?,
            turned_on_at,
            ends_at,
            subscribed_until,
        })
    })
    .transpose()
}

/// Turns the post's assistant on (again), until `ends_at`; the subscription is still to make.
pub async fn turn_on(
    db: &Db,
    post: &PostToken,
    size: SizeClass,
    now: i64,
    ends_at: i64,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "insert into assistant_posts (post_token, size, turned_on_at, ends_at,
               subscribed_until, updated_at)
             values ($1, $2, $3, $4, null, $3)
             on conflict (post_token) do update set size = excluded.size,
               turned_on_at = excluded.turned_on_at, ends_at = excluded.ends_at,
               subscribed_until = null, updated_at = excluded.updated_at",
        )
        .bind(post.as_str())
        .bind(size.key())
        .bind(now)
        .bind(ends_at)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// The outbox key of the answer in `conversation`: a key of its own, so that an answer waiting
/// for the seller never holds up the conversation's shipment messages behind it.
pub fn outbox_key(conversation: &ConversationId) -> String {
    format!("{OUTBOX_PREFIX}{}", conversation.as_str())
}

/// The conversation an answer's outbox key names.
pub fn conversation_of_key(key: &str) -> Option<ConversationId> {
    ConversationId::parse(key.strip_prefix(OUTBOX_PREFIX)?).ok()
}

const OUTBOX_PREFIX: &str = "assistant:";

/// Turns the post's assistant off, in one transaction: its answers still waiting are taken out
/// of the outbox, its row, its answers and its grant go.
pub async fn turn_off(tx: &mut Tx, post: &PostToken) -> Result<(), StoreError> {
    let grant = kenar::Grant::Assistant(post.clone()).key();
    on_tx!(tx, conn => {
        sqlx::query(
            "delete from outbox where channel = 'assistant' and state = 'pending'
               and attempt_started_at is null
               and conversation_id in (select 'assistant:' || conversation_id
                                       from assistant_replies where post_token = $1)",
        )
        .bind(post.as_str())
        .execute(&mut *conn)
        .await?;
        sqlx::query("delete from assistant_replies where post_token = $1")
            .bind(post.as_str())
            .execute(&mut *conn)
            .await?;
        sqlx::query("delete from assistant_posts where post_token = $1")
            .bind(post.as_str())
            .execute(&mut *conn)
            .await?;
        sqlx::query("delete from chat_tokens where grant_key = $1")
            .bind(&grant)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// Records that Divar's subscription for the post holds until `until`.
pub async fn subscribed(db: &Db, post: &PostToken, until: i64, now: i64) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "update assistant_posts set subscribed_until = $1, updated_at = $2
             where post_token = $3",
        )
        .bind(until)
        .bind(now)
        .bind(post.as_str())
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// The posts whose subscription is missing or lapses before `before`, and those that ended by
/// `now` (to turn off).
pub async fn to_renew(
    db: &Db,
    before: i64,
    now: i64,
) -> Result<(Vec<PostToken>, Vec<PostToken>), StoreError> {
    let rows: Vec<(String, bool)> = on_db!(db, pool => {
        sqlx::query_as(
            "select post_token, ends_at <= $2 from assistant_posts
             where ends_at <= $2 or subscribed_until is null or subscribed_until < $1
             order by post_token",
        )
        .bind(before)
        .bind(now)
        .fetch_all(pool)
        .await?
    });
    let (mut renew, mut ended) = (Vec::new(), Vec::new());
    for (post, is_over) in rows {
        let post = crate::error::post(Some(post))?.ok_or(StoreError::Broken("a post token"))?;
        if is_over {
            ended.push(post);
        } else {
            renew.push(post);
        }
    }
    Ok((renew, ended))
}

/// What became of a question offered for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// The first in its conversation: an answer waits.
    New,
    /// Not answered: the conversation has (or had) an answer, a shipment started in it, or the
    /// post's assistant is off.
    Not,
}

/// Offers a buyer's question in `conversation` for an answer, inside the caller's transaction
/// (which queues the answer when it is [`Asked::New`]).
pub async fn ask(
    tx: &mut Tx,
    conversation: &ConversationId,
    post: &PostToken,
    destination: Option<&str>,
    now: i64,
) -> Result<Asked, StoreError> {
    let inserted = on_tx!(tx, conn => {
        sqlx::query(
            "insert into assistant_replies (conversation_id, post_token, destination, state,
               asked_at)
             select $1, $2, $3, $4, $5
             where exists (select 1 from assistant_posts where post_token = $2 and ends_at > $5)
               and not exists (select 1 from shipments where conversation_id = $1)
             on conflict (conversation_id) do nothing",
        )
        .bind(conversation.as_str())
        .bind(post.as_str())
        .bind(destination)
        .bind(ReplyState::Waiting.key())
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(if inserted == 1 {
        Asked::New
    } else {
        Asked::Not
    })
}

/// The seller wrote in `conversation`: an answer still waiting there is never sent (its
/// outbox row goes).
pub async fn silence(
    tx: &mut Tx,
    conversation: &ConversationId,
    now: i64,
) -> Result<bool, StoreError> {
    let moved = on_tx!(tx, conn => {
        sqlx::query(
            "delete from outbox where channel = 'assistant' and state = 'pending'
               and attempt_started_at is null and conversation_id = $1",
        )
        .bind(outbox_key(conversation))
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "update assistant_replies set state = $1, settled_at = $2
             where conversation_id = $3 and state = $4",
        )
        .bind(ReplyState::Silenced.key())
        .bind(now)
        .bind(conversation.as_str())
        .bind(ReplyState::Waiting.key())
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    Ok(moved == 1)
}

/// The answer waiting in `conversation`: its post and the city asked about, if it still waits,
/// its post's assistant is on and no shipment started in the conversation.
pub async fn waiting(
    db: &Db,
    conversation: &ConversationId,
    now: i64,
) -> Result<Option<(PostToken, Option<String>)>, StoreError> {
    let row: Option<(String, Option<String>)> = on_db!(db, pool => {
        sqlx::query_as(
            "select r.post_token, r.destination from assistant_replies r
             join assistant_posts p on p.post_token = r.post_token
             where r.conversation_id = $1 and r.state = $2 and p.ends_at > $3
               and not exists (select 1 from shipments s where s.conversation_id = $1)",
        )
        .bind(conversation.as_str())
        .bind(ReplyState::Waiting.key())
        .bind(now)
        .fetch_optional(pool)
        .await?
    });
    row.map(|(post, destination)| {
        let post = crate::error::post(Some(post))?.ok_or(StoreError::Broken("a post token"))?;
        Ok((post, destination))
    })
    .transpose()
}

/// Records the price the waiting answer in `conversation` is about to give (the cheapest
/// service to the city asked about; none for the range).
pub async fn priced(
    db: &Db,
    conversation: &ConversationId,
    price: Option<i64>,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "update assistant_replies set price_rials = $1 where conversation_id = $2 and state = $3",
        )
        .bind(price)
        .bind(conversation.as_str())
        .bind(ReplyState::Waiting.key())
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Settles the answer waiting in `conversation` as `state`.
pub async fn settle(
    db: &Db,
    conversation: &ConversationId,
    state: ReplyState,
    now: i64,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "update assistant_replies set state = $1, settled_at = $2
             where conversation_id = $3 and state = $4",
        )
        .bind(state.key())
        .bind(now)
        .bind(conversation.as_str())
        .bind(ReplyState::Waiting.key())
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// The post's newest `limit` answers, newest first.
pub async fn recent(db: &Db, post: &PostToken, limit: i64) -> Result<Vec<Answered>, StoreError> {
    let rows: Vec<(Option<String>, Option<i64>, String, i64)> = on_db!(db, pool => {
        sqlx::query_as(
            "select destination, price_rials, state, asked_at from assistant_replies
             where post_token = $1 order by asked_at desc, conversation_id limit $2",
        )
        .bind(post.as_str())
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .map(|(destination, price, state, asked_at)| {
            Ok(Answered {
                destination,
                price,
                state: ReplyState::parse(&state).ok_or(StoreError::Broken("a reply's state"))?,
                asked_at,
            })
        })
        .collect()
}
