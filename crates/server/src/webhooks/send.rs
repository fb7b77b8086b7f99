//! One attempt to deliver a webhook message (an outbox row of [`Channel::Webhook`]): the
//! payload built, signed with the endpoint's secrets, posted, the attempt logged, and the next
//! try scheduled by [`domain::webhook::retry_wait_secs`]. An endpoint failing for a day is
//! turned off; the messages that reach it then fail without a try, until an operator turns it
//! on and replays them.
//!
//! [`Channel::Webhook`]: store::outbox::Channel::Webhook

use std::time::Instant;

use domain::api::iso_time;
use domain::delivery::Delivery;
use domain::text::persian_digits;
use domain::webhook::{retry_wait_secs, Outcome, PARTIES};
use store::outbox::{Attempted, Row};
use store::webhooks::{self, Attempt, Endpoint, Message};

use super::sign;
use crate::egress::{self, Blocked};
use crate::error::AppError;
use crate::state::AppState;

/// What became of a try, for the log: `(outcome, HTTP status)`.
type Tried = (Outcome, Option<i32>);

/// Sends `row` (its `attempts`-th try) and says where it stands now.
pub async fn attempt(state: &AppState, row: &Row, attempts: i64, now_ms: i64) -> Attempted {
    match try_send(state, row, attempts, now_ms).await {
        Ok(attempted) => attempted,
        Err(error) => {
            tracing::warn!(outbox = row.id, %error, "a webhook attempt could not be made");
            retry_or_fail(attempts, None, now_ms)
        }
    }
}

/// The next try after a failed one, or the end.
fn retry_or_fail(attempts: i64, status: Option<i32>, now_ms: i64) -> Attempted {
    let status = status.map(i64::from);
    match retry_wait_secs(attempts) {
        Some(wait) => Attempted {
            delivery: Delivery::Pending,
            status,
            next_at_ms: now_ms + wait * 1000,
            given_back: false,
        },
        None => Attempted {
            delivery: Delivery::Failed,
            status,
            next_at_ms: now_ms,
            given_back: false,
        },
    }
}

async fn try_send(
    state: &AppState,
    row: &Row,
    attempts: i64,
    now_ms: i64,
) -> Result<Attempted, AppError> {
    let failed = |status| Attempted {
        delivery: Delivery::Failed,
        status,
        next_at_ms: now_ms,
        given_back: false,
    };
    let Ok(message) = serde_json::from_str::<Message>(&row.body) else {
        return Ok(failed(None));
    };
    let Some(endpoint) = webhooks::get(&state.db, message.endpoint).await? else {
        return Ok(failed(None));
    };
    let log = |(outcome, status): Tried, duration_ms: i64| Attempt {
        outbox_id: row.id,
        message_id: message.id.clone(),
        event: message.event.clone(),
        subject: message.subject.clone(),
        attempt: attempts,
        at_ms: now_ms,
        status,
        outcome: outcome.key().to_owned(),
        duration_ms,
    };
    if endpoint.disabled_at.is_some() {
        webhooks::log_attempt(&state.db, endpoint.id, &log((Outcome::Disabled, None), 0)).await?;
        return Ok(failed(None));
    }
    let started = Instant::now();
    let tried = post(state, &endpoint, &message).await?;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    webhooks::log_attempt(&state.db, endpoint.id, &log(tried, duration_ms)).await?;
    let now = now_ms / 1000;
    if tried.0 == Outcome::Ok {
        webhooks::succeeded(&state.db, endpoint.id, now).await?;
        return Ok(Attempted {
            delivery: Delivery::Sent,
            status: tried.1.map(i64::from),
            next_at_ms: now_ms,
            given_back: false,
        });
    }
    let reason = match tried {
        (_, Some(status)) => format!(
            "بیش از یک روز ناموفق؛ آخرین پاسخ: HTTP {}",
            persian_digits(&status.to_string())
        ),
        (outcome, None) => format!("بیش از یک روز ناموفق؛ آخرین خطا: {}", outcome.label()),
    };
    if webhooks::failed(&state.db, endpoint.id, &reason, now).await? {
        tracing::warn!(
            endpoint = endpoint.id,
            "a webhook endpoint failed for a day: turned off"
        );
        return Ok(failed(tried.1.map(i64::from)));
    }
    Ok(retry_or_fail(attempts, tried.1, now_ms))
}

/// The payload's bytes: `type`, `timestamp` and `data`, with the two sides' details for an
/// endpoint that may receive them, as long as the shipment still has them.
async fn payload(
    state: &AppState,
    endpoint: &Endpoint,
    message: &Message,
) -> Result<Vec<u8>, AppError> {
    let mut data = message.data.clone();
    if endpoint.personal {
        let found = store::shipments::find(&state.db, &state.keys, &message.subject).await?;
        if let (Some(shipment), Some(fields)) = (found, data.as_object_mut()) {
            if !shipment.purged {
                fields.insert(
                    PARTIES.to_owned(),
                    serde_json::to_value(&shipment.order.parties)?,
                );
            }
        }
    }
    let payload = serde_json::json!({
        "type": message.event,
        "timestamp": iso_time(message.at),
        "data": data,
    });
    Ok(serde_json::to_vec(&payload)?)
}

/// Posts `message` to `endpoint`, signed, and says what came of it.
async fn post(state: &AppState, endpoint: &Endpoint, message: &Message) -> Result<Tried, AppError> {
    let addresses = state.config.webhooks.addresses;
    let Ok(url) = egress::check_shape(&endpoint.url, addresses) else {
        return Ok((Outcome::RefusedAddress, None));
    };
    let now = state.now();
    let secrets = webhooks::signing_secrets(&state.db, &state.keys, endpoint.id, now).await?;
    let body = payload(state, endpoint, message).await?;
    let signature = sign::header(&secrets, &message.id, now, &body);
    let sent = state
        .webhooks
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &message.id)
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    Ok(match sent {
        Ok(answer) if answer.status().is_success() => {
            (Outcome::Ok, Some(i32::from(answer.status().as_u16())))
        }
        Ok(answer) => (Outcome::Http, Some(i32::from(answer.status().as_u16()))),
        Err(error) => match egress::blocked(&error) {
            Some(Blocked::NotPublic) => (Outcome::RefusedAddress, None),
            Some(Blocked::NoSuchName) => (Outcome::NoSuchName, None),
            None if error.is_timeout() => (Outcome::Timeout, None),
            None if error.is_connect() => (Outcome::Connect, None),
            None => (Outcome::Error, None),
        },
    })
}
