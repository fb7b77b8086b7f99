//! The outbox's rows: what Ersal queued for Divar, written in the transaction of the change it
//! announces, and the claim, attempt and settle steps the delivery worker takes on them. Each
//! row names its [`Channel`] (which API sends it) and its key (a conversation, or a post's grant
//! key). Several instances share the rows: a claim is a lease (PostgreSQL: `for update skip
//! locked`), and every write after it checks that the claim is still the writer's.

use domain::code::TrackingCode;
use domain::delivery::Delivery;
use kenar::message::SendMessage;
use kenar::ConversationId;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx, StoreError};

/// Rows claimed at once.
const BATCH: i64 = 16;

domain::keyed! {
    /// Which API a row is sent with.
    pub enum Channel {
        /// A shipment's chat message, sent with the conversation's OAuth token.
        Chat = ("chat", "پیام گفتگو"),
        /// The support bot's answer, sent with the API key only.
        Bot = ("bot", "پاسخ بات پشتیبانی"),
        /// A change to a seller's widgets on a post.
        Addon = ("addon", "ویجت آگهی"),
        /// The seller's shipping assistant answering a buyer, with the post's OAuth token.
        Assistant = ("assistant", "پاسخ دستیار ارسال"),
        /// A webhook to the shipping company's own system (`crate::webhooks`).
        Webhook = ("webhook", "وب‌هوک"),
    }
}

/// The delivery worker's two lanes, each claiming and sending on its own: a company's slow
/// webhook endpoint never holds up a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// What is sent to Divar (every channel but webhooks).
    Divar,
    /// Webhooks to the company's systems.
    Webhooks,
}

impl Lane {
    pub const ALL: [Lane; 2] = [Lane::Divar, Lane::Webhooks];

    pub fn carries(self, channel: Channel) -> bool {
        (channel == Channel::Webhook) == (self == Lane::Webhooks)
    }
}

/// A row as the worker handles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub channel: Channel,
    /// The conversation (chat, bot) or the post's grant key (addon).
    pub key: String,
    pub body: String,
}

type RawRow = (i64, String, String, String);

/// The channels of this build that `which` picks, as an SQL list of literals (the keys are
/// constants): a row of a channel it does not know (queued by a newer build during a rolling
/// upgrade) is left for an instance that knows it, never claimed or settled here.
fn channels(which: impl Fn(Channel) -> bool) -> String {
    let keys: Vec<String> = Channel::ALL
        .iter()
        .filter(|c| which(**c))
        .map(|c| format!("'{}'", c.key()))
        .collect();
    keys.join(", ")
}

fn row((id, channel, key, body): RawRow) -> Result<Row, StoreError> {
    let channel =
        Channel::parse(&channel).ok_or(StoreError::Broken("an outbox row names no channel"))?;
    Ok(Row {
        id,
        channel,
        key,
        body,
    })
}

/// A message to post in a conversation.
pub struct Announcement {
    pub conversation: ConversationId,
    pub body: SendMessage,
}

/// Queues a shipment's chat message inside the caller's transaction.
pub async fn enqueue_announcement(
    tx: &mut Tx,
    shipment: &TrackingCode,
    message: &Announcement,
    now: i64,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(&message.body)?;
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into outbox (shipment_id, conversation_id, body, next_attempt_at, created_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(shipment.as_str())
        .bind(message.conversation.as_str())
        .bind(&body)
        .bind(now * 1000)
        .bind(now)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Queues a row tied to no shipment on `channel`, due now, inside the caller's transaction.
pub async fn enqueue(
    tx: &mut Tx,
    channel: Channel,
    key: &str,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    enqueue_at(tx, channel, key, body, now * 1000, now).await
}

/// Queues a row tied to no shipment on `channel`, due at `due_ms`, inside the caller's
/// transaction.
pub async fn enqueue_at(
    tx: &mut Tx,
    channel: Channel,
    key: &str,
    body: &str,
    due_ms: i64,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into outbox (channel, conversation_id, body, next_attempt_at, created_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(channel.key())
        .bind(key)
        .bind(body)
        .bind(due_ms)
        .bind(now)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// How many messages to Divar wait to be sent, and when the oldest was queued (Unix seconds):
/// a company's failing webhook endpoint, retried for a day, does not count.
pub async fn backlog(db: &Db) -> Result<(i64, Option<i64>), StoreError> {
    let sql = format!(
        "select count(*), min(created_at) from outbox where state = $1 and channel in ({})",
        channels(|c| Lane::Divar.carries(c))
    );
    Ok(on_db!(db, pool => {
        sqlx::query_as(&sql)
            .bind(Delivery::Pending.key())
            .fetch_one(pool)
            .await?
    }))
}

/// Where a shipment's newest chat message stands.
pub async fn last_delivery(
    db: &Db,
    shipment: &TrackingCode,
) -> Result<Option<Delivery>, StoreError> {
    let state: Option<String> = on_db!(db, pool => {
        sqlx::query_scalar(
            "select state from outbox where shipment_id = $1 order by id desc limit 1",
        )
        .bind(shipment.as_str())
        .fetch_optional(pool)
        .await?
    });
    Ok(state.as_deref().and_then(Delivery::parse))
}

/// One queued message, for the console.
pub struct Queued {
    pub delivery: Delivery,
    pub queued_at: i64,
    pub attempts: i64,
    /// The message's text, as the chat shows it.
    pub text: String,
}

/// The text of a queued chat message's body ([`SendMessage`]).
#[derive(serde::Deserialize)]
struct Text {
    message: String,
}

/// A shipment's chat messages, oldest first.
pub async fn history(db: &Db, shipment: &TrackingCode) -> Result<Vec<Queued>, StoreError> {
    let rows: Vec<(String, i64, i64, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "select state, created_at, attempts, body from outbox
             where shipment_id = $1 order by id",
        )
        .bind(shipment.as_str())
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(state, queued_at, attempts, body)| {
            Some(Queued {
                delivery: Delivery::parse(&state)?,
                queued_at,
                attempts,
                text: serde_json::from_str::<Text>(&body).ok()?.message,
            })
        })
        .collect())
}

/// Settles `lane`'s rows whose claim ran out during an attempt, and returns them. Divar's are
/// sent at most once (its send API has no idempotency key): they become [`Delivery::Unknown`].
/// Webhooks are sent at least once (their id lets receivers drop a duplicate): they wait to be
/// tried again.
pub async fn settle_lost(db: &Db, lane: Lane, now_ms: i64) -> Result<Vec<Row>, StoreError> {
    let settled = match lane {
        Lane::Divar => Delivery::Unknown,
        Lane::Webhooks => Delivery::Pending,
    };
    let settle = format!(
        "update outbox set state = $1, attempt_started_at = null, claimed_by = null,
           claimed_until = null
         where state = $2 and attempt_started_at is not null and claimed_until <= $3
           and channel in ({})
         returning id, channel, conversation_id, body",
        channels(|c| lane.carries(c))
    );
    let rows: Vec<RawRow> = on_db!(db, pool => {
        sqlx::query_as(&settle)
        .bind(settled.key())
        .bind(Delivery::Pending.key())
        .bind(now_ms)
        .fetch_all(pool)
        .await?
    });
    rows.into_iter().map(row).collect()
}

/// Claims for `instance`, until `until_ms`, up to `BATCH` (16) due rows of `lane` that nobody
/// holds, oldest first, and only the oldest waiting row of each key: a chat hears its messages
/// in order, from one worker at a time.
pub async fn claim(
    db: &Db,
    instance: &str,
    lane: Lane,
    now_ms: i64,
    until_ms: i64,
) -> Result<Vec<Row>, StoreError> {
    let due = format!(
        "select id from outbox
         where state = $1 and next_attempt_at <= $2 and attempt_started_at is null
           and (claimed_until is null or claimed_until <= $2) and channel in ({})
           and not exists (select 1 from outbox earlier
             where earlier.conversation_id = outbox.conversation_id and earlier.state = $1
               and earlier.id < outbox.id)
         order by id limit $3",
        channels(|c| lane.carries(c))
    );
    // PostgreSQL: rows another worker is claiming at this moment are skipped, not waited for
    // (SQLite has one writer: the statement claims its rows whole).
    let lock = match db {
        Db::Sqlite(_) => "",
        Db::Postgres(_) => " for update skip locked",
    };
    let claim = format!(
        "update outbox set claimed_by = $4, claimed_until = $5
         where id in ({due}{lock})
         returning id, channel, conversation_id, body"
    );
    let rows: Vec<RawRow> = on_db!(db, pool => {
        sqlx::query_as(&claim)
            .bind(Delivery::Pending.key())
            .bind(now_ms)
            .bind(BATCH)
            .bind(instance)
            .bind(until_ms)
            .fetch_all(pool)
            .await?
    });
    let mut claimed = rows.into_iter().map(row).collect::<Result<Vec<_>, _>>()?;
    claimed.sort_by_key(|row| row.id);
    Ok(claimed)
}

/// Records that an attempt on a claimed row starts now, renewing the claim until `until_ms`:
/// which attempt it is, or `None` when the claim is no longer `instance`'s.
pub async fn start_attempt(
    db: &Db,
    id: i64,
    instance: &str,
    now_ms: i64,
    until_ms: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query_scalar(
            "update outbox set attempt_started_at = $1, attempts = attempts + 1,
               claimed_until = $2
             where id = $3 and claimed_by = $4 and state = $5
             returning attempts",
        )
        .bind(now_ms)
        .bind(until_ms)
        .bind(id)
        .bind(instance)
        .bind(Delivery::Pending.key())
        .fetch_optional(pool)
        .await?
    }))
}

/// Gives a claimed row back without an attempt, due again at `due_ms` (Divar's budget held it
/// back): no attempt is counted, so waiting never uses up a message's tries.
pub async fn postpone(db: &Db, id: i64, instance: &str, due_ms: i64) -> Result<(), StoreError> {
    on_db!(db, pool => {
        sqlx::query(
            "update outbox set claimed_by = null, claimed_until = null, next_attempt_at = $1
             where id = $2 and claimed_by = $3 and attempt_started_at is null",
        )
        .bind(due_ms)
        .bind(id)
        .bind(instance)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Where an attempt left a row: its delivery, the answer's status and the next attempt's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempted {
    pub delivery: Delivery,
    pub status: Option<i64>,
    pub next_at_ms: i64,
    /// The receiver did nothing and said so (Divar's 429): the try is given back, so waiting
    /// for its rate never uses up a message's tries.
    pub given_back: bool,
}

/// Records an attempt's outcome and lets go of the row; `false` when the claim was no longer
/// `instance`'s (the lease ran out and another instance settled the row).
pub async fn record(
    db: &Db,
    id: i64,
    instance: &str,
    outcome: &Attempted,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let recorded = on_db!(db, pool => {
        sqlx::query(
            "update outbox set state = $1, last_status = $2, next_attempt_at = $3,
               sent_at = case when $4 then $5 else sent_at end,
               attempts = case when $8 then attempts - 1 else attempts end,
               attempt_started_at = null, claimed_by = null, claimed_until = null
             where id = $6 and claimed_by = $7",
        )
        .bind(outcome.delivery.key())
        .bind(outcome.status)
        .bind(outcome.next_at_ms)
        .bind(outcome.delivery == Delivery::Sent)
        .bind(now_ms / 1000)
        .bind(id)
        .bind(instance)
        .bind(outcome.delivery == Delivery::Pending && outcome.given_back)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(recorded == 1)
}

/// Lets go of the rows `instance` claimed and has not started (at shutdown).
pub async fn give_back(db: &Db, instance: &str) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => {
        sqlx::query(
            "update outbox set claimed_by = null, claimed_until = null
             where claimed_by = $1 and attempt_started_at is null",
        )
        .bind(instance)
        .execute(pool)
        .await?
        .rows_affected()
    }))
}
