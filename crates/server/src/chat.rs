//! Posting in the Divar chat: the tokens that allow it (sealed at rest, refreshed before they
//! expire, rotated), the messages Ersal sends and their signed buttons, and the outbox — written
//! in the same transaction as the shipment change it announces, and drained by a background
//! worker with retries (SPEC §5.3).

use std::time::Duration;

use kenar::client::SendOutcome;
use kenar::message::{Action, Button, ButtonGrid, SendMessage};
use kenar::ConversationId;
use rand::Rng;
use serde_json::{json, Map, Value};
use sqlx::{Row, Sqlite, Transaction};

use crate::crypto::Keys;
use crate::db::Db;
use crate::oauth::Tokens;
use crate::state::AppState;

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i64 = 6;
/// Refresh an access token this long before it expires.
const REFRESH_MARGIN_SECS: i64 = 60;
const POLL: Duration = Duration::from_millis(250);

/// What a button asks for when pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Open the shipment's tracking page.
    Track,
    /// Open Ersal for the counterparty to fill their side.
    Fill,
}

impl Op {
    pub fn key(self) -> &'static str {
        match self {
            Self::Track => "track",
            Self::Fill => "fill",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "track" => Some(Self::Track),
            "fill" => Some(Self::Fill),
            _ => None,
        }
    }
}

/// `{sid, op, sig}` with `sig` an HMAC over the shipment, the operation and the conversation, so
/// a button cannot be altered or replayed in another chat.
pub fn button_data(keys: &Keys, shipment: &str, op: Op, conversation: &str) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("sid".into(), json!(shipment));
    data.insert("op".into(), json!(op.key()));
    data.insert(
        "sig".into(),
        json!(keys.sign(&["button", shipment, op.key(), conversation])),
    );
    data
}

/// The shipment and operation of button data echoed back by Divar, if its signature holds for
/// this conversation.
pub fn verify_button(
    keys: &Keys,
    data: &Map<String, Value>,
    conversation: &str,
) -> Option<(String, Op)> {
    let field = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .filter(|v| v.len() <= 64)
    };
    let (sid, op, sig) = (field("sid")?, field("op")?, field("sig")?);
    let op = Op::parse(op)?;
    keys.verify(&["button", sid, op.key(), conversation], sig)
        .then(|| (sid.to_owned(), op))
}

fn button(
    keys: &Keys,
    shipment: &str,
    op: Op,
    conversation: &str,
    icon: &'static str,
    caption: &str,
) -> Button {
    Button {
        action: Action::OpenServerLink {
            data: button_data(keys, shipment, op, conversation),
        },
        icon,
        caption: caption.to_owned(),
    }
}

/// After the opener submits: the opener can track; the other side is asked to fill their part.
/// Cities and the item only — never an address or a phone number.
pub fn opener_message(
    keys: &Keys,
    shipment: &str,
    conversation: &str,
    item: &str,
    route: &str,
) -> SendMessage {
    SendMessage {
        message: format!(
            "درخواست ارسال «{item}» ثبت شد ({route}). برای تکمیل، طرف مقابل مشخصات خود را از دکمهٔ زیر وارد کند. کد پیگیری: {shipment}"
        ),
        sender_buttons: Some(ButtonGrid::row(vec![button(keys, shipment, Op::Track, conversation, "LOCAL_SHIPPING", "پیگیری ارسال")])),
        receiver_buttons: Some(ButtonGrid::row(vec![button(keys, shipment, Op::Fill, conversation, "EDIT", "تکمیل مشخصات")])),
    }
}

/// A milestone both sides see, with the tracking button for each.
pub fn milestone_message(
    keys: &Keys,
    shipment: &str,
    conversation: &str,
    text: String,
) -> SendMessage {
    let track = || {
        ButtonGrid::row(vec![button(
            keys,
            shipment,
            Op::Track,
            conversation,
            "LOCAL_SHIPPING",
            "پیگیری ارسال",
        )])
    };
    SendMessage {
        message: text,
        sender_buttons: Some(track()),
        receiver_buttons: Some(track()),
    }
}

/// Queues a message inside the caller's transaction.
pub async fn enqueue(
    tx: &mut Transaction<'_, Sqlite>,
    shipment: &str,
    conversation: &str,
    body: &SendMessage,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let body = serde_json::to_string(body).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "insert into outbox (shipment_id, conversation_id, body, next_attempt_at, created_at) values (?, ?, ?, ?, ?)",
    )
    .bind(shipment)
    .bind(conversation)
    .bind(body)
    .bind(now_ms)
    .bind(now_ms / 1000)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The state of a shipment's newest chat message: `pending`, `sent`, `undeliverable`, `failed`.
pub async fn last_message_state(db: &Db, shipment: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("select state from outbox where shipment_id = ? order by id desc limit 1")
        .bind(shipment)
        .fetch_optional(db)
        .await
}

/// A shipment's chat messages for the console: (state, queued at, attempts).
pub async fn outbox_of(db: &Db, shipment: &str) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "select state, created_at, attempts from outbox where shipment_id = ? order by id",
    )
    .bind(shipment)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(state, at, attempts)| {
            (
                state,
                domain::jalali::JalaliDateTime::from_unix(at).display(),
                attempts,
            )
        })
        .collect())
}

/// Drops a conversation's tokens once nothing is left to say there: every shipment of the
/// conversation has ended and no message waits to be sent.
pub async fn release_tokens_when_done(db: &Db, conversation: &str) -> Result<(), sqlx::Error> {
    let open: Vec<&str> = domain::status::Status::ALL
        .iter()
        .filter(|s| !s.is_terminal())
        .map(|s| s.key())
        .collect();
    let mut query =
        sqlx::QueryBuilder::<Sqlite>::new("delete from chat_tokens where conversation_id = ");
    query
        .push_bind(conversation)
        .push(
            " and not exists (select 1 from outbox where state = 'pending' and conversation_id = ",
        )
        .push_bind(conversation)
        .push(") and not exists (select 1 from shipments where conversation_id = ")
        .push_bind(conversation)
        .push(" and status in (");
    let mut separated = query.separated(", ");
    for key in open {
        separated.push_bind(key);
    }
    query.push("))");
    query.build().execute(db).await?;
    Ok(())
}

/// Stores the tokens for a conversation, sealed, replacing earlier ones (rotation).
pub async fn store_tokens(
    db: &Db,
    keys: &Keys,
    conversation: &str,
    tokens: &Tokens,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into chat_tokens (conversation_id, access_sealed, refresh_sealed, access_expires_at, updated_at)
         values (?, ?, ?, ?, ?)
         on conflict (conversation_id) do update set access_sealed = excluded.access_sealed,
           refresh_sealed = coalesce(excluded.refresh_sealed, chat_tokens.refresh_sealed),
           access_expires_at = excluded.access_expires_at, updated_at = excluded.updated_at",
    )
    .bind(conversation)
    .bind(keys.seal(tokens.access.as_bytes(), conversation.as_bytes()))
    .bind(tokens.refresh.as_ref().map(|r| keys.seal(r.as_bytes(), conversation.as_bytes())))
    .bind(now + tokens.expires_in)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A usable access token for a conversation, refreshing it first when it is about to expire.
/// `None` when there is no permission (never granted, or the refresh was refused).
async fn access_token(state: &AppState, conversation: &str) -> Result<Option<String>, sqlx::Error> {
    let Some(row) = sqlx::query("select access_sealed, refresh_sealed, access_expires_at from chat_tokens where conversation_id = ?")
        .bind(conversation)
        .fetch_optional(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let open = |sealed: Vec<u8>| {
        state
            .keys
            .open(&sealed, conversation.as_bytes())
            .ok()
            .and_then(|plain| String::from_utf8(plain).ok())
    };
    let expires_at: i64 = row.try_get("access_expires_at")?;
    let access = open(row.try_get("access_sealed")?);
    if expires_at - REFRESH_MARGIN_SECS > state.now() {
        return Ok(access);
    }
    let Some(refresh) = row
        .try_get::<Option<Vec<u8>>, _>("refresh_sealed")?
        .and_then(open)
    else {
        return Ok(None);
    };
    match state.oauth.refresh(&refresh).await {
        Ok(tokens) => {
            store_tokens(&state.db, &state.keys, conversation, &tokens, state.now()).await?;
            Ok(Some(tokens.access))
        }
        Err(_) => {
            tracing::info!("chat token refresh refused");
            Ok(None)
        }
    }
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

/// Sends what is due, once. Returns how many messages were handled.
pub async fn drain_once(state: &AppState) -> Result<usize, sqlx::Error> {
    let now_ms = state.now_ms();
    let due = sqlx::query(
        "select id, conversation_id, body, attempts from outbox
         where state = 'pending' and next_attempt_at <= ? order by id limit 16",
    )
    .bind(now_ms)
    .fetch_all(&state.db)
    .await?;
    for row in &due {
        let id: i64 = row.try_get("id")?;
        let conversation: String = row.try_get("conversation_id")?;
        let body: String = row.try_get("body")?;
        let attempts: i64 = row.try_get::<i64, _>("attempts")? + 1;
        let outcome = match (
            ConversationId::parse(&conversation),
            access_token(state, &conversation).await?,
        ) {
            (Ok(conversation), Some(token)) => match serde_json::from_str::<Value>(&body) {
                Ok(body) => state.kenar.send_message(&conversation, &token, &body).await,
                Err(_) => SendOutcome::Rejected { status: 0 },
            },
            _ => SendOutcome::Rejected { status: 401 },
        };
        let (next_state, status, next_at) = match outcome {
            SendOutcome::Sent => ("sent", Some(200), now_ms),
            SendOutcome::Undeliverable => ("undeliverable", Some(412), now_ms),
            SendOutcome::Rejected { status } => ("failed", Some(i64::from(status)), now_ms),
            SendOutcome::Retry { status, .. } if attempts >= MAX_ATTEMPTS => {
                ("failed", status.map(i64::from), now_ms)
            }
            SendOutcome::Retry {
                status,
                retry_after,
            } => (
                "pending",
                status.map(i64::from),
                now_ms + retry_delay_ms(attempts - 1, retry_after),
            ),
        };
        tracing::info!(outbox = id, attempts, state = next_state, status = ?status, "chat message attempt");
        sqlx::query(
            "update outbox set state = ?, attempts = ?, last_status = ?, next_attempt_at = ?,
               sent_at = case when ? = 'sent' then ? else sent_at end
             where id = ?",
        )
        .bind(next_state)
        .bind(attempts)
        .bind(status)
        .bind(next_at)
        .bind(next_state)
        .bind(now_ms / 1000)
        .bind(id)
        .execute(&state.db)
        .await?;
        if next_state != "pending" {
            release_tokens_when_done(&state.db, &conversation).await?;
        }
    }
    Ok(due.len())
}

/// Drains the outbox forever (pending messages survive restarts: they are rows).
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        loop {
            if let Err(cause) = drain_once(&state).await {
                tracing::error!(error = %cause, "outbox worker");
            }
            tokio::time::sleep(POLL).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn keys() -> Keys {
        Keys::derive(&SecretString::from(
            "a secret that is long enough for tests".to_owned(),
        ))
    }

    #[test]
    fn buttons_verify_only_unaltered_and_in_their_conversation() {
        let k = keys();
        let data = button_data(&k, "SHIP123456", Op::Fill, "conv-1");
        assert_eq!(
            verify_button(&k, &data, "conv-1"),
            Some(("SHIP123456".into(), Op::Fill))
        );
        assert_eq!(
            verify_button(&k, &data, "conv-2"),
            None,
            "replayed in another chat"
        );
        let mut altered = data.clone();
        altered.insert("op".into(), json!("track"));
        assert_eq!(verify_button(&k, &altered, "conv-1"), None);
        let mut other = data;
        other.insert("sid".into(), json!("SHIP999999"));
        assert_eq!(verify_button(&k, &other, "conv-1"), None);
        assert_eq!(verify_button(&k, &Map::new(), "conv-1"), None);
    }

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
    fn messages_name_cities_not_addresses() {
        let body = opener_message(&keys(), "SHIP123456", "conv-1", "گوشی", "تهران ← اصفهان");
        let text = serde_json::to_string(&body).unwrap();
        assert!(text.contains("تهران") && text.contains("SHIP123456"));
        assert!(body.sender_buttons.is_some() && body.receiver_buttons.is_some());
    }
}
