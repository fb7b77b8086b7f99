//! The outbox: a chat message is a row written in the same transaction as the shipment change
//! it announces, and a background worker sends due rows. Connection errors, timeouts, 5xx and
//! 429 are retried with exponential backoff and jitter (or Divar's `Retry-After`), at most
//! [`MAX_ATTEMPTS`] times; other 4xx are final; 412 with code 9 means one side has restricted
//! the chat, so the message is undeliverable. Pending rows survive restarts.

use std::time::Duration;

use domain::code::TrackingCode;
use kenar::client::SendOutcome;
use kenar::message::SendMessage;
use kenar::ConversationId;
use rand::Rng;
use serde_json::Value;
use sqlx::{Row, Sqlite, Transaction};

use super::tokens;
use crate::db::Db;
use crate::error::AppError;
use crate::state::AppState;

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i64 = 6;
const POLL: Duration = Duration::from_millis(250);

/// Where a chat message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Pending,
    Sent,
    /// Divar answered 412 with code 9: one side has restricted the chat.
    Undeliverable,
    Failed,
}

impl Delivery {
    const ALL: [Self; 4] = [Self::Pending, Self::Sent, Self::Undeliverable, Self::Failed];

    pub fn key(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Undeliverable => "undeliverable",
            Self::Failed => "failed",
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
        }
    }
}

/// A message to post in a conversation.
pub struct Announcement {
    pub conversation: String,
    pub body: SendMessage,
}

/// Queues a message inside the caller's transaction.
pub async fn enqueue(
    tx: &mut Transaction<'_, Sqlite>,
    shipment: &TrackingCode,
    message: &Announcement,
    now: i64,
) -> Result<(), AppError> {
    let body = serde_json::to_string(&message.body)?;
    sqlx::query(
        "insert into outbox (shipment_id, conversation_id, body, next_attempt_at, created_at) values (?, ?, ?, ?, ?)",
    )
    .bind(shipment.as_str())
    .bind(&message.conversation)
    .bind(body)
    .bind(now * 1000)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Where a shipment's newest chat message stands.
pub async fn last_delivery(db: &Db, shipment: &TrackingCode) -> Result<Option<Delivery>, AppError> {
    let state: Option<String> = sqlx::query_scalar(
        "select state from outbox where shipment_id = ? order by id desc limit 1",
    )
    .bind(shipment.as_str())
    .fetch_optional(db)
    .await?;
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
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "select state, created_at, attempts from outbox where shipment_id = ? order by id",
    )
    .bind(shipment.as_str())
    .fetch_all(db)
    .await?;
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

/// Sends one message and says where it stands now, with Divar's status and the next attempt.
async fn attempt(
    state: &AppState,
    conversation: &str,
    body: &str,
    attempts: i64,
    now_ms: i64,
) -> Result<(Delivery, Option<i64>, i64), AppError> {
    let outcome = match (
        ConversationId::parse(conversation),
        tokens::access_token(state, conversation).await?,
    ) {
        (Ok(conversation), Some(token)) => match serde_json::from_str::<Value>(body) {
            Ok(body) => state.kenar.send_message(&conversation, &token, &body).await,
            Err(_) => SendOutcome::Rejected { status: 0 },
        },
        _ => SendOutcome::Rejected { status: 401 },
    };
    Ok(match outcome {
        SendOutcome::Sent => (Delivery::Sent, Some(200), now_ms),
        SendOutcome::Undeliverable => (Delivery::Undeliverable, Some(412), now_ms),
        SendOutcome::Rejected { status } => (Delivery::Failed, Some(i64::from(status)), now_ms),
        SendOutcome::Retry { status, .. } if attempts >= MAX_ATTEMPTS => {
            (Delivery::Failed, status.map(i64::from), now_ms)
        }
        SendOutcome::Retry {
            status,
            retry_after,
        } => (
            Delivery::Pending,
            status.map(i64::from),
            now_ms + retry_delay_ms(attempts - 1, retry_after),
        ),
    })
}

/// Sends what is due, once. Returns how many messages were handled.
pub async fn drain_once(state: &AppState) -> Result<usize, AppError> {
    let now_ms = state.now_ms();
    let due = sqlx::query(
        "select id, conversation_id, body, attempts from outbox
         where state = ? and next_attempt_at <= ? order by id limit 16",
    )
    .bind(Delivery::Pending.key())
    .bind(now_ms)
    .fetch_all(&state.db)
    .await?;
    for row in &due {
        let id: i64 = row.try_get("id")?;
        let conversation: String = row.try_get("conversation_id")?;
        let body: String = row.try_get("body")?;
        let attempts: i64 = row.try_get::<i64, _>("attempts")? + 1;
        let (delivery, status, next_at) =
            attempt(state, &conversation, &body, attempts, now_ms).await?;
        tracing::info!(outbox = id, attempts, state = delivery.key(), status = ?status, "chat message attempt");
        sqlx::query(
            "update outbox set state = ?, attempts = ?, last_status = ?, next_attempt_at = ?,
               sent_at = case when ? then ? else sent_at end
             where id = ?",
        )
        .bind(delivery.key())
        .bind(attempts)
        .bind(status)
        .bind(next_at)
        .bind(delivery == Delivery::Sent)
        .bind(now_ms / 1000)
        .bind(id)
        .execute(&state.db)
        .await?;
        if delivery != Delivery::Pending {
            tokens::release_when_done(&state.db, &conversation).await?;
        }
    }
    Ok(due.len())
}

/// Drains the outbox for as long as the process runs (a failure is logged where it happens).
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        loop {
            let _ = drain_once(&state).await;
            tokio::time::sleep(POLL).await;
        }
    });
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
