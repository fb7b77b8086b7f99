//! The delivery worker: every message Ersal queued for Divar is a row of the outbox
//! ([`store::outbox`]), written in the same transaction as the change it announces; this worker
//! sends due rows. Connection errors, timeouts, 5xx and
//! 429 are retried with exponential backoff and jitter (or Divar's `Retry-After`), at most
//! [`MAX_ATTEMPTS`] times; other 4xx are final; 412 with code 9 means one side has restricted
//! the chat, so the message is undeliverable. Pending rows survive restarts.
//!
//! Several instances share one outbox. A worker first *claims* due rows for a lease
//! (`ERSAL_OUTBOX_LEASE_SECS`, [`crate::Config::outbox_lease`])
//! (PostgreSQL: `for update skip locked`, so two workers never claim the same row), then, for
//! each row, records that an attempt starts (renewing the claim) before it calls Divar, and
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
//! At shutdown the worker finishes the sends in hand and gives back the rows it claimed.
//!
//! Each row's [`Channel`] names its sender: a shipment's chat message ([`crate::chat::outbox`]),
//! the support bot's answer ([`crate::support`], the API key only, tied to no shipment) or a
//! change to a seller's widgets ([`crate::addons::publish`]), with the same retries,
//! `Retry-After`, 412 and lease rules. A webhook ([`crate::webhooks::send`]) spends none of
//! Divar's budget, has its own day-long schedule, and is sent at least once: a cut-off attempt
//! is tried again, since its id lets the receiver drop the duplicate. Once a row is settled, the feature that queued it is told
//! from here: this module sits above the features, and the outbox below them knows none.

use std::collections::BTreeMap;
use std::time::Duration;

use domain::delivery::Delivery;
use kenar::client::SendOutcome;
use kenar::ConversationId;
use rand::Rng;
use store::outbox::{self, Attempted, Channel, Lane, Row};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::budget::{self, Priority, Spend};
use crate::error::AppError;
use crate::state::AppState;
use crate::{addons, assistant, chat, telemetry, webhooks};

/// Attempts per message, the first included.
pub const MAX_ATTEMPTS: i64 = 6;
const POLL: Duration = Duration::from_millis(250);

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

/// Sends one row (its `attempts`-th attempt) with the sender its channel names, and says where
/// it stands now.
async fn attempt(state: &AppState, row: &Row, attempts: i64, now_ms: i64) -> Attempted {
    let done = |delivery, status: Option<i64>| Attempted {
        delivery,
        status,
        next_at_ms: now_ms,
        given_back: false,
    };
    let sent = match row.channel {
        Channel::Chat => chat::outbox::send(state, &row.key, &row.body).await,
        Channel::Bot => Some(chat::outbox::send_bot(state, &row.key, &row.body).await),
        Channel::Addon => addons::publish::send(state, &row.key, &row.body).await,
        Channel::Assistant => assistant::answer::send(state, &row.key).await,
        Channel::Webhook => return webhooks::send::attempt(state, row, attempts, now_ms).await,
    };
    let Some(sent) = sent else {
        return done(Delivery::NotPermitted, None);
    };
    if let SendOutcome::Retry {
        status: Some(429),
        retry_after,
    } = sent
    {
        budget::slow_down(state, retry_after).await;
    }
    match sent {
        SendOutcome::Sent => done(Delivery::Sent, Some(200)),
        SendOutcome::Undeliverable => done(Delivery::Undeliverable, Some(412)),
        SendOutcome::Rejected { status } => done(Delivery::Failed, Some(i64::from(status))),
        // Divar limited the rate and did nothing: the row waits, its try given back on record.
        SendOutcome::Retry {
            status: Some(429),
            retry_after,
        } => Attempted {
            delivery: Delivery::Pending,
            status: Some(429),
            next_at_ms: now_ms + retry_delay_ms(0, retry_after.or(Some(60))),
            given_back: true,
        },
        SendOutcome::Retry { status, .. } if attempts >= MAX_ATTEMPTS => {
            done(Delivery::Failed, status.map(i64::from))
        }
        SendOutcome::Retry {
            status,
            retry_after,
        } => Attempted {
            delivery: Delivery::Pending,
            status: status.map(i64::from),
            next_at_ms: now_ms + retry_delay_ms(attempts - 1, retry_after),
            given_back: false,
        },
    }
}

/// What a channel's sends are worth when Divar's budget runs low; `None` for what does not
/// call Divar.
fn priority(channel: Channel) -> Option<Priority> {
    match channel {
        Channel::Chat => Some(Priority::Notify),
        Channel::Addon => Some(Priority::Addon),
        Channel::Bot => Some(Priority::Bot),
        Channel::Assistant => Some(Priority::Assistant),
        Channel::Webhook => None,
    }
}

/// Tells the feature that queued `row` where it ended.
async fn settled(state: &AppState, row: &Row, delivery: Delivery) -> Result<(), AppError> {
    if !delivery.is_settled() {
        return Ok(());
    }
    match row.channel {
        Channel::Chat => match ConversationId::parse(&row.key) {
            Ok(conversation) => {
                Ok(store::grants::release_when_done(&state.db, &conversation).await?)
            }
            // A key that is no conversation id was refused unsent: it holds no grant.
            Err(_) => Ok(()),
        },
        Channel::Bot | Channel::Webhook => Ok(()),
        Channel::Addon => addons::publish::settled(state, &row.key, &row.body, delivery).await,
        Channel::Assistant => assistant::answer::settled(state, &row.key, delivery).await,
    }
}

/// Sends what is due in both lanes, once. Returns how many messages were handled.
pub async fn drain_once(state: &AppState) -> Result<usize, AppError> {
    let stop = watch::channel(false).1;
    let mut handled = 0;
    for lane in Lane::ALL {
        handled += drain(state, &stop, lane).await?;
    }
    Ok(handled)
}

/// Sends what is due in `lane`, stopping between two sends once `stop` says so.
async fn drain(
    state: &AppState,
    stop: &watch::Receiver<bool>,
    lane: Lane,
) -> Result<usize, AppError> {
    let db = &state.db;
    for row in outbox::settle_lost(db, lane, state.now_ms()).await? {
        if lane == Lane::Webhooks {
            tracing::info!(
                outbox = row.id,
                "a webhook attempt was cut off: it is tried again"
            );
            continue;
        }
        tracing::warn!(
            channel = row.channel.key(),
            "an outbox attempt was cut off: it may have been sent"
        );
        telemetry::chat_send(Delivery::Unknown.key(), None);
        settled(state, &row, Delivery::Unknown).await?;
    }
    let lease = state.outbox_lease_ms();
    let now_ms = state.now_ms();
    let claimed = outbox::claim(db, &state.instance, lane, now_ms, now_ms + lease).await?;
    let mut handled = 0;
    match lane {
        // One at a time, in order: Divar's rate and budget are spent as they go.
        Lane::Divar => {
            for row in &claimed {
                if *stop.borrow() {
                    break;
                }
                handled += usize::from(send(state, row, lease).await?.is_some());
            }
        }
        // Each endpoint's rows in turn, the endpoints at once: a receiver gets one request at
        // a time, and one that hangs until the timeout holds up the others for one batch only.
        Lane::Webhooks => {
            let mut by_endpoint: BTreeMap<Option<i64>, Vec<&Row>> = BTreeMap::new();
            for row in &claimed {
                let endpoint = store::webhooks::endpoint_of(&row.key);
                by_endpoint.entry(endpoint).or_default().push(row);
            }
            let turns = by_endpoint
                .into_values()
                .map(|rows| in_turn(state, rows, lease));
            for sent in futures_util::future::join_all(turns).await {
                handled += sent?;
            }
        }
    }
    Ok(handled)
}

/// Sends one endpoint's claimed rows in turn. Once the endpoint cannot be reached (no answer,
/// no connection, an address refused), its other rows are given back untried, due when the
/// failed one is: a dead receiver costs one timeout per batch, not one per message.
async fn in_turn(state: &AppState, rows: Vec<&Row>, lease: i64) -> Result<usize, AppError> {
    let mut handled = 0;
    let mut rows = rows.into_iter();
    while let Some(row) = rows.next() {
        let Some(outcome) = send(state, row, lease).await? else {
            continue;
        };
        handled += 1;
        if outcome.delivery == Delivery::Pending && outcome.status.is_none() {
            for later in rows {
                outbox::postpone(&state.db, later.id, &state.instance, outcome.next_at_ms).await?;
            }
            break;
        }
    }
    Ok(handled)
}

/// Sends one claimed row and records where it stands; `None` when it was not sent (held back
/// by Divar's budget, or no longer this instance's).
async fn send(state: &AppState, row: &Row, lease: i64) -> Result<Option<Attempted>, AppError> {
    let db = &state.db;
    if let Some(priority) = priority(row.channel) {
        if let Spend::Held { until_ms } = budget::spend(state, priority).await? {
            outbox::postpone(db, row.id, &state.instance, until_ms).await?;
            return Ok(None);
        }
    }
    let now_ms = state.now_ms();
    let started =
        outbox::start_attempt(db, row.id, &state.instance, now_ms, now_ms + lease).await?;
    let Some(attempts) = started else {
        return Ok(None);
    };
    let outcome = attempt(state, row, attempts, now_ms).await;
    let delivery = outcome.delivery;
    tracing::info!(outbox = row.id, channel = row.channel.key(), attempts, state = delivery.key(), status = ?outcome.status, "outbox attempt");
    if !outbox::record(db, row.id, &state.instance, &outcome, now_ms).await? {
        tracing::warn!(
            outbox = row.id,
            "an attempt outlasted its claim: its outcome is not recorded"
        );
        return Ok(None);
    }
    telemetry::chat_send(delivery.key(), outcome.status);
    settled(state, row, delivery).await?;
    Ok(Some(outcome))
}

/// Drains the outbox, each lane in a loop of its own, until `stop` turns true (a failure is
/// logged where it happens), then gives back what it claimed. The handle ends when it has.
pub fn spawn_worker(state: AppState, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        tokio::join!(
            drain_until_stopped(&state, stop.clone(), Lane::Divar),
            drain_until_stopped(&state, stop, Lane::Webhooks),
        );
        if let Ok(rows @ 1..) = outbox::give_back(&state.db, &state.instance).await {
            tracing::info!(rows, "shutdown: claimed messages given back");
        }
    })
}

async fn drain_until_stopped(state: &AppState, mut stop: watch::Receiver<bool>, lane: Lane) {
    while !*stop.borrow() {
        let _ = drain(state, &stop, lane).await;
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
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
}
