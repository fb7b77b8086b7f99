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
    /// The post's city (an id of the catalogue), read with get-post when it was turned on.
    pub origin: String,
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

type RawAssistant = (String, String, i64, i64, Option<i64>);

/// The post's assistant, if it is on.
pub async fn get(db: &Db, post: &PostToken) -> Result<Option<Assistant>, StoreError> {
    let row: Option<RawAssistant> = on_db!(db, pool => {
        sqlx::query_as(
            "select size, origin_city, turned_on_at, ends_at, subscribed_until
             from assistant_posts where post_token = $1",
        )
        .bind(post.as_str())
        .fetch_optional(pool)
        .await?
    });
    row.map(|(size, origin, turned_on_at, ends_at, subscribed_until)| {
        Ok(Assistant {
            size: SizeClass::parse(&size).ok_or(StoreError::Broken("an assistant's size"))?,
            origin,
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
    origin: &str,
    now: i64,
    ends_at: i64,
) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "insert into assistant_posts (post_token, state, size, origin_city, turned_on_at,
               ends_at, subscribed_until, updated_at)
             values ($1, 'on', $2, $3, $4, $5, null, $4)
             on conflict (post_token) do update set size = excluded.size,
               origin_city = excluded.origin_city, turned_on_at = excluded.turned_on_at,
               ends_at = excluded.ends_at, subscribed_until = null,
               updated_at = excluded.updated_at",
        )
        .bind(post.as_str())
        .bind(size.key())
        .bind(origin)
        .bind(now)
        .bind(ends_at)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Turns the post's assistant off: its row and its answers go (answers still waiting are never
/// sent). `false` when it was not on.
pub async fn turn_off(tx: &mut Tx, post: &PostToken) -> Result<bool, StoreError> {
    let removed = on_tx!(tx, conn => {
        sqlx::query("delete from assistant_replies where post_token = $1")
            .bind(post.as_str())
            .execute(&mut *conn)
            .await?;
        sqlx::query("delete from assistant_posts where post_token = $1")
            .bind(post.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    Ok(removed == 1)
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

/// The seller wrote in `conversation`: an answer still waiting there is never sent.
pub async fn silence(
    tx: &mut Tx,
    conversation: &ConversationId,
    now: i64,
) -> Result<bool, StoreError> {
    let moved = on_tx!(tx, conn => {
        sqlx::query(
            "update assistant_replies set state = $1, settled_at = $2
             where conversation_id = $3 and state = $4",
        )
        .bind(ReplyState::Silenced.key())
        .bind(now)
        .bind(conversation.as_str())
        .bind(ReplyState::Waiting.key())
        .execute(conn)
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

/// Settles the answer waiting in `conversation` as `state` (with the price it gave, if sent);
/// `false` when none was waiting.
pub async fn settle(
    db: &Db,
    conversation: &ConversationId,
    state: ReplyState,
    price: Option<i64>,
    now: i64,
) -> Result<bool, StoreError> {
    let moved = on_db!(db, pool => {
        sqlx::query(
            "update assistant_replies set state = $1, price_rials = $2, settled_at = $3
             where conversation_id = $4 and state = $5",
        )
        .bind(state.key())
        .bind(price)
        .bind(now)
        .bind(conversation.as_str())
        .bind(ReplyState::Waiting.key())
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(moved == 1)
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
