//! The outbox: a chat message is a row written in the same transaction as the shipment change
//! it announces, and a background worker sends due rows. Connection errors, timeouts, 5xx and
//! 429 are retried with exponential backoff and jitter (or Divar's `Retry-After`), at most
//! [`MAX_ATTEMPTS`] times; other 4xx are final; 412 with code 9 means one side has restricted
//! the chat, so the message is undeliverable. Pending rows survive restarts.
//!
//! Several instances share one outbox. A worker first *claims* due rows for a lease
//! (`ERSAL_OUTBOX_LEASE_SECS`, [`crate::Config::outbox_lease`])
//! (PostgreSQL: `for update skip locked`, so two workers never claim the same row), then,
//! row by row, records that an attempt starts (renewing the claim) before it calls Divar, and
//! records the outcome after. Every write checks that the claim is still its own.
//!
//! When a claim runs out, its instance is gone: an attempt takes at most four waits for a
//! database connection, a token refresh and a send (each with its timeout), within the lease
//! (the configuration refuses a shorter one, `config::ATTEMPT_DB_WAITS`), and the
//! instances' clocks agree to within seconds (NTP):
//! * if no attempt had started, nothing was sent, and the row is claimed again as usual;
//! * if an attempt had started, Divar may have posted the message: its send API has no
//!   idempotency key and no way to read the chat back, so the row becomes
//!   [`Delivery::Unknown`] ("may have been sent") and is never sent again. A message
//!   twice in the chat is worse than one the users are told may be missing.
//!
//! At shutdown the worker finishes the send in hand and gives back the rows it claimed.
//!
//! The support bot's answers ([`crate::support`]) go through the same outbox, on the `bot`
//! channel: sent with the API key only, with the same retries, `Retry-After`, 412 and lease
//! rules, and tied to no shipment. So do the changes to a seller's widgets on a post, on the
//! `addon` channel ([`crate::addons::publish`]).

use std::time::Duration;

use domain::code::TrackingCode;
use kenar::client::SendOutcome;
use kenar::message::{BotMessage, SendMessage};
use kenar::ConversationId;
use rand::Rng;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::tokens;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::AppError;
use crate::state::AppState;
use crate::telemetry;
use store::crypto::Keys;
use store::db::{Db, Tx};
use store::{on_db, on_tx};

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i64 = 6;
/// Rows claimed at once.
const BATCH: i64 = 16;
const POLL: Duration = Duration::from_millis(250);

/// Where a chat message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Pending,
    Sent,
    /// Divar answered 412 with code 9: one side has restricted the chat.
    Undeliverable,
    Failed,
    /// An attempt started and its instance died before the answer was recorded: Divar may
    /// have posted it. Never sent again.
    Unknown,
    /// No permission to post: it was never given, the user revoked it in Divar, or Divar
    /// refused to refresh it. The chat was not notified.
    NotPermitted,
}

impl Delivery {
    const ALL: [Self; 6] = [
        Self::Pending,
        Self::Sent,
        Self::Undeliverable,
        Self::Failed,
        Self::Unknown,
        Self::NotPermitted,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Undeliverable => "undeliverable",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
            Self::NotPermitted => "not_permitted",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.key() == key)
    }

    /// For operators.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "در صف ارسال",
            Self::Sent => "فرستاده شد",
            Self::Undeliverable => "نرسید (گفتگو محدود شده)",
            Self::Failed => "ناموفق",
            Self::Unknown => "شاید فرستاده شده (پاسخ دیوار نرسید)",
            Self::NotPermitted => "فرستاده نشد (اجازهٔ پیام نبود)",
        }
    }

    /// For the two sides, on the tracking page.
    pub fn tracking_note(self) -> &'static str {
        match self {
            Self::Sent => "در گفتگو اعلام شد.",
            Self::Pending => "پیام در حال ارسال به گفتگو است.",
            Self::Undeliverable => {
                "پیام به گفتگو نرسید: یکی از دو طرف پیام‌ها را محدود کرده است. درخواست ثبت شده است."
            }
            Self::Failed => "گفتگو از آخرین تغییر باخبر نشد.",
            Self::Unknown => {
                "شاید پیام در گفتگو نشسته باشد؛ اگر آن را نمی‌بینید، وضعیت همین صفحه معتبر است."
            }
            Self::NotPermitted => {
                "گفتگو از آخرین تغییر باخبر نشد: اجازهٔ پیام در این گفتگو داده نشده یا در دیوار پس گرفته شده است. وضعیت همین صفحه معتبر است."
            }
        }
    }
}

/// A message to post in a conversation.
pub struct Announcement {
    pub conversation: String,
    pub body: SendMessage,
}

/// Which API a row is sent with.
const CHAT: &str = "chat";
const BOT: &str = "bot";
/// Widgets on a post ([`crate::addons::publish`]).
const ADDON: &str = "addon";

/// Queues a message inside the caller's transaction.
pub async fn enqueue(
    tx: &mut Tx,
    shipment: &TrackingCode,
    message: &Announcement,
    now: i64,
) -> Result<(), AppError> {
    let body = serde_json::to_string(&message.body)?;
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into outbox (shipment_id, conversation_id, body, next_attempt_at, created_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(shipment.as_str())
        .bind(&message.conversation)
        .bind(&body)
        .bind(now * 1000)
        .bind(now)
        .execute(conn)
        .await?;
    });
    Ok(())
}

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
    enqueue_on(tx, BOT, &message.conversation_id, &body, now).await
}

/// Queues a change to a post's widgets (`key` is the post's grant key), inside the caller's
/// transaction.
pub async fn enqueue_addon(tx: &mut Tx, key: &str, body: &str, now: i64) -> Result<(), AppError> {
    enqueue_on(tx, ADDON, key, body, now).await
}

/// Queues a row tied to no shipment on `channel`, due now.
async fn enqueue_on(
    tx: &mut Tx,
    channel: &str,
    key: &str,
    body: &str,
    now: i64,
) -> Result<(), AppError> {
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into outbox (channel, conversation_id, body, next_attempt_at, created_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(channel)
        .bind(key)
        .bind(body)
        .bind(now * 1000)
        .bind(now)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// How many messages wait to be sent, and when the oldest was queued (Unix seconds).
pub async fn backlog(db: &Db) -> Result<(i64, Option<i64>), AppError> {
    Ok(on_db!(db, pool => {
        sqlx::query_as("select count(*), min(created_at) from outbox where state = $1")
            .bind(Delivery::Pending.key())
            .fetch_one(pool)
            .await?
    }))
}

/// Where a shipment's newest chat message stands.
pub async fn last_delivery(db: &Db, shipment: &TrackingCode) -> Result<Option<Delivery>, AppError> {
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
}

/// A shipment's chat messages, oldest first.
pub async fn history(db: &Db, shipment: &TrackingCode) -> Result<Vec<Queued>, AppError> {
    let rows: Vec<(String, i64, i64)> = on_db!(db, pool => {
        sqlx::query_as(
            "select state, created_at, attempts from outbox where shipment_id = $1 order by id",
        )
        .bind(shipment.as_str())
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(state, queued_at, attempts)| {
            Some(Queued {
                delivery: Delivery::parse(&state)?,
                queued_at,
                attempts,
            })
        })
        .collect())
}

/// Exponential backoff (1 s, 2 s, 4 s … up to a minute) with ±25 % jitter, or Divar's
/// `Retry-After` when it gave one.
fn retry_delay_ms(attempts: i64, retry_after: Option<u64>) -> i64 {
    if let Some(seconds) = retry_after {
        return i64::try_from(seconds.min(3600)).unwrap_or(3600) * 1000;
    }
    let base = 1000i64 << attempts.clamp(0, 6);
    let base = base.min(60_000);
    let jitter = rand::rngs::OsRng.gen_range(-(base / 4)..=base / 4);
    base + jitter
}

/// Where an attempt left a message: its delivery, Divar's status and the next attempt's time.
struct Outcome {
    delivery: Delivery,
    status: Option<i64>,
    next_at: i64,
}

/// Sends one message (its `attempts`-th attempt) and says where it stands now.
async fn attempt(state: &AppState, row: &Claimed, attempts: i64, now_ms: i64) -> Outcome {
    let done = |delivery, status: Option<i64>| Outcome {
        delivery,
        status,
        next_at: now_ms,
    };
    let sent = match row.channel.as_str() {
        BOT => Some(send_bot(state, &row.conversation_id, &row.body).await),
        ADDON => crate::addons::publish::send(state, &row.conversation_id, &row.body).await,
        _ => send_chat(state, &row.conversation_id, &row.body).await,
    };
    let Some(sent) = sent else {
        return done(Delivery::NotPermitted, None);
    };
    match sent {
        SendOutcome::Sent => done(Delivery::Sent, Some(200)),
        SendOutcome::Undeliverable => done(Delivery::Undeliverable, Some(412)),
        SendOutcome::Rejected { status } => done(Delivery::Failed, Some(i64::from(status))),
        SendOutcome::Retry { status, .. } if attempts >= MAX_ATTEMPTS => {
            done(Delivery::Failed, status.map(i64::from))
        }
        SendOutcome::Retry {
            status,
            retry_after,
        } => Outcome {
            delivery: Delivery::Pending,
            status: status.map(i64::from),
            next_at: now_ms + retry_delay_ms(attempts - 1, retry_after),
        },
    }
}

/// Sends a bot answer (the API key is the only credential).
async fn send_bot(state: &AppState, conversation: &str, body: &str) -> SendOutcome {
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
async fn send_chat(state: &AppState, conversation: &str, body: &str) -> Option<SendOutcome> {
    let retry = SendOutcome::Retry {
        status: None,
        retry_after: None,
    };
    let token = match tokens::access_token(state, conversation).await {
        Err(_) => return Some(retry),
        Ok(token) => token?,
    };
    Some(
        match (
            ConversationId::parse(conversation),
            serde_json::from_str::<Value>(body),
        ) {
            (Ok(conversation), Ok(body)) => {
                state.kenar.send_message(&conversation, &token, &body).await
            }
            _ => SendOutcome::Rejected { status: 0 },
        },
    )
}

/// A claimed row.
#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    channel: String,
    conversation_id: String,
    body: String,
}

/// Marks the rows whose claim ran out during an attempt as [`Delivery::Unknown`] and returns
/// their channels, keys and bodies.
async fn settle_lost(db: &Db, now_ms: i64) -> Result<Vec<(String, String, String)>, AppError> {
    Ok(on_db!(db, pool => {
        sqlx::query_as(
            "update outbox set state = $1, claimed_by = null, claimed_until = null
             where state = $2 and attempt_started_at is not null and claimed_until <= $3
             returning channel, conversation_id, body",
        )
        .bind(Delivery::Unknown.key())
        .bind(Delivery::Pending.key())
        .bind(now_ms)
        .fetch_all(pool)
        .await?
    }))
}

/// Claims, until `until_ms`, up to [`BATCH`] due rows that nobody holds, oldest first.
async fn claim(
    db: &Db,
    instance: &str,
    now_ms: i64,
    until_ms: i64,
) -> Result<Vec<Claimed>, AppError> {
    // Only the oldest waiting message of each conversation: a chat hears its messages in order,
    // from one worker at a time.
    let due = "select id from outbox
         where state = $1 and next_attempt_at <= $2 and attempt_started_at is null
           and (claimed_until is null or claimed_until <= $2)
           and not exists (select 1 from outbox earlier
             where earlier.conversation_id = outbox.conversation_id and earlier.state = $1
               and earlier.id < outbox.id)
         order by id limit $3";
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
    let mut claimed: Vec<Claimed> = on_db!(db, pool => {
        sqlx::query_as(&claim)
            .bind(Delivery::Pending.key())
            .bind(now_ms)
            .bind(BATCH)
            .bind(instance)
            .bind(until_ms)
            .fetch_all(pool)
            .await?
    });
    claimed.sort_by_key(|row| row.id);
    Ok(claimed)
}

/// Records that an attempt on a claimed row starts now, renewing the claim until `until_ms`:
/// which attempt it is, or `None` when the claim is no longer ours.
async fn start_attempt(
    db: &Db,
    id: i64,
    instance: &str,
    now_ms: i64,
    until_ms: i64,
) -> Result<Option<i64>, AppError> {
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

/// Records an attempt's outcome and lets go of the row; `false` when the claim was no longer
/// ours (the lease ran out and another instance settled the row).
async fn record(
    db: &Db,
    id: i64,
    instance: &str,
    outcome: &Outcome,
    now_ms: i64,
) -> Result<bool, AppError> {
    let recorded = on_db!(db, pool => {
        sqlx::query(
            "update outbox set state = $1, last_status = $2, next_attempt_at = $3,
               sent_at = case when $4 then $5 else sent_at end,
               attempt_started_at = null, claimed_by = null, claimed_until = null
             where id = $6 and claimed_by = $7",
        )
        .bind(outcome.delivery.key())
        .bind(outcome.status)
        .bind(outcome.next_at)
        .bind(outcome.delivery == Delivery::Sent)
        .bind(now_ms / 1000)
        .bind(id)
        .bind(instance)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(recorded == 1)
}

/// Lets go of the rows this instance claimed and has not started (at shutdown).
pub async fn give_back(db: &Db, instance: &str) -> Result<u64, AppError> {
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

/// Sends what is due, once. Returns how many messages were handled.
pub async fn drain_once(state: &AppState) -> Result<usize, AppError> {
    drain(state, &watch::channel(false).1).await
}

/// Sends what is due, stopping between two sends once `stop` says so.
async fn drain(state: &AppState, stop: &watch::Receiver<bool>) -> Result<usize, AppError> {
    let db = &state.db;
    for (channel, key, body) in settle_lost(db, state.now_ms()).await? {
        tracing::warn!(
            channel = channel.as_str(),
            "an outbox attempt was cut off: it may have been sent"
        );
        telemetry::chat_send(Delivery::Unknown.key(), None);
        match channel.as_str() {
            CHAT => tokens::release_when_done(db, &key).await?,
            ADDON => crate::addons::publish::settled(state, &key, &body, Delivery::Unknown).await?,
            _ => {}
        }
    }
    let mut handled = 0;
    let lease = state.outbox_lease_ms();
    let now_ms = state.now_ms();
    for row in claim(db, &state.instance, now_ms, now_ms + lease).await? {
        if *stop.borrow() {
            break;
        }
        let now_ms = state.now_ms();
        let started = start_attempt(db, row.id, &state.instance, now_ms, now_ms + lease).await?;
        let Some(attempts) = started else {
            continue;
        };
        let outcome = attempt(state, &row, attempts, now_ms).await;
        let delivery = outcome.delivery;
        tracing::info!(outbox = row.id, channel = row.channel, attempts, state = delivery.key(), status = ?outcome.status, "chat message attempt");
        if !record(db, row.id, &state.instance, &outcome, now_ms).await? {
            tracing::warn!(
                outbox = row.id,
                "an attempt outlasted its claim: its outcome is not recorded"
            );
            continue;
        }
        telemetry::chat_send(delivery.key(), outcome.status);
        match row.channel.as_str() {
            CHAT if delivery != Delivery::Pending => {
                tokens::release_when_done(db, &row.conversation_id).await?;
            }
            ADDON => {
                crate::addons::publish::settled(state, &row.conversation_id, &row.body, delivery)
                    .await?;
            }
            _ => {}
        }
        handled += 1;
    }
    Ok(handled)
}

/// Drains the outbox until `stop` turns true (a failure is logged where it happens), then
/// gives back what it claimed. The handle ends when it has.
pub fn spawn_worker(state: AppState, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !*stop.borrow() {
            let _ = drain(&state, &stop).await;
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => {}
            }
        }
        if let Ok(rows @ 1..) = give_back(&state.db, &state.instance).await {
            tracing::info!(rows, "shutdown: claimed chat messages given back");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_respects_retry_after() {
        for attempts in 0..8 {
            let base = (1000i64 << attempts).min(60_000);
            let delay = retry_delay_ms(attempts, None);
            assert!(
                delay >= base * 3 / 4 && delay <= base * 5 / 4,
                "{attempts}: {delay}"
            );
        }
        assert_eq!(retry_delay_ms(0, Some(7)), 7000);
    }

    #[test]
    fn delivery_keys_round_trip() {
        for delivery in Delivery::ALL {
            assert_eq!(Delivery::parse(delivery.key()), Some(delivery));
        }
    }
}
