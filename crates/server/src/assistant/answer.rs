//! The assistant's answer, sent by the delivery worker on the outbox's `assistant` channel (the
//! row's key is the conversation, its body the post and the city asked about, [`Queued`]) once
//! its wait for the seller is over. Just before it goes, everything is checked again: the answer still waits (the seller
//! did not write meanwhile, no shipment started), the assistant is still on, and Divar still
//! publishes the post (read fresh: a sold post gets no answer, and its assistant stops).

use domain::delivery::Delivery;
use domain::places::Place;
use domain::size::SizeClass;
use domain::tariff::Parcel;
use kenar::client::SendOutcome;
use kenar::message::{ButtonGrid, ButtonRow, SendMessage};
use kenar::{ConversationId, Grant, PostToken};
use serde::{Deserialize, Serialize};
use store::assistant::{self as rows, Assistant, ReplyState};

use crate::chat::buttons::ask_button;
use crate::chat::tokens;
use crate::error::AppError;
use crate::posts::{self, Read};
use crate::state::AppState;

/// An outbox row's body: the post, and the city the question named (never the question).
#[derive(Debug, Serialize, Deserialize)]
pub struct Queued {
    pub post: PostToken,
    pub to: Option<String>,
}

/// Sends the answer waiting in `key`'s conversation; `None` when the seller's permission is
/// gone (the assistant is turned off).
pub async fn send(state: &AppState, key: &str, body: &str) -> Option<SendOutcome> {
    match prepare(state, key, body).await {
        Ok(Prepared::Send(conversation, token, message)) => Some(
            state
                .kenar
                .send_message(&conversation, &token, &message)
                .await,
        ),
        Ok(Prepared::Nothing) => Some(SendOutcome::Rejected { status: 0 }),
        Ok(Prepared::NotPermitted) => None,
        Ok(Prepared::Later) | Err(_) => Some(SendOutcome::Retry {
            status: None,
            retry_after: None,
        }),
    }
}

enum Prepared {
    Send(ConversationId, String, SendMessage),
    /// Nothing to send any more (settled as dropped).
    Nothing,
    NotPermitted,
    /// Divar could not say whether the post is still published: tried again.
    Later,
}

async fn prepare(state: &AppState, key: &str, body: &str) -> Result<Prepared, AppError> {
    let (Ok(conversation), Ok(Queued { post, to })) = (
        ConversationId::parse(key),
        serde_json::from_str::<Queued>(body),
    ) else {
        return Ok(Prepared::Nothing);
    };
    let now = state.now();
    let Some((waiting_post, _)) = rows::waiting(&state.db, &conversation, now).await? else {
        return Ok(Prepared::Nothing);
    };
    let Some(assistant) = rows::get(&state.db, &post).await? else {
        return Ok(Prepared::Nothing);
    };
    if waiting_post != post {
        return Ok(Prepared::Nothing);
    }
    match posts::fresh(state, &post).await? {
        Read::Found(_) => {}
        Read::NotFound => {
            tracing::info!("the post is gone: its assistant stops");
            super::turn_off(state, &post).await?;
            return Ok(Prepared::Nothing);
        }
        Read::Unavailable => return Ok(Prepared::Later),
    }
    let Some(message) = compose(state, &assistant, &conversation, to.as_deref()) else {
        return Ok(Prepared::Nothing);
    };
    match tokens::access_token(state, &Grant::Assistant(post.clone())).await? {
        Some(token) => Ok(Prepared::Send(conversation, token, message)),
        None => {
            tracing::info!("the seller's permission is gone: the assistant stops");
            super::turn_off(state, &post).await?;
            Ok(Prepared::NotPermitted)
        }
    }
}

/// Records where the answer ended: sent (with the price it gave) or dropped.
pub async fn settled(
    state: &AppState,
    key: &str,
    body: &str,
    delivery: Delivery,
) -> Result<(), AppError> {
    let (Ok(conversation), Ok(Queued { post, to })) = (
        ConversationId::parse(key),
        serde_json::from_str::<Queued>(body),
    ) else {
        return Ok(());
    };
    let (db, now) = (&state.db, state.now());
    if !delivery.is_settled() {
        return Ok(());
    }
    if delivery != Delivery::Sent {
        rows::settle(db, &conversation, ReplyState::Dropped, None, now).await?;
        return Ok(());
    }
    let price = rows::get(db, &post)
        .await?
        .and_then(|assistant| cheapest(state, &assistant, to.as_deref()))
        .and_then(|rials| i64::try_from(rials.0).ok());
    rows::settle(db, &conversation, ReplyState::Sent, price, now).await?;
    Ok(())
}

/// The post's city and the city asked about (if it named one the catalogue knows).
fn places<'a>(
    state: &'a AppState,
    assistant: &Assistant,
    to: Option<&str>,
) -> Option<(Place<'a>, Option<Place<'a>>)> {
    let catalogue = &state.catalog.places;
    let origin = catalogue.find(&assistant.origin)?;
    Some((origin, to.and_then(|to| catalogue.find(to))))
}

/// The cheapest price to `to`, for the size the seller chose.
fn cheapest(
    state: &AppState,
    assistant: &Assistant,
    to: Option<&str>,
) -> Option<domain::values::Rials> {
    let (origin, Some(destination)) = places(state, assistant, to)? else {
        return None;
    };
    crate::flow::quote::services(state, &Parcel::of_size(assistant.size), origin, destination)
        .into_iter()
        .map(|quote| quote.total)
        .min()
}

/// The answer: each service's price from the post's city to the city asked about, or the
/// range to every city, and the button that opens Ersal with the city filled in.
fn compose(
    state: &AppState,
    assistant: &Assistant,
    conversation: &ConversationId,
    to: Option<&str>,
) -> Option<SendMessage> {
    let (origin, destination) = places(state, assistant, to)?;
    let size = assistant.size;
    let text = match destination {
        Some(destination) => {
            let quotes =
                crate::flow::quote::services(state, &Parcel::of_size(size), origin, destination);
            if quotes.is_empty() {
                return None;
            }
            let lines: Vec<String> = quotes
                .iter()
                .map(|q| format!("• {}: {}", q.service.label(), q.total.display_tomans()))
                .collect();
            format!(
                "بله، این کالا با «ارسال» از {} به {} فرستاده می‌شود ({}):\n{}\nبرای ثبت درخواست، دکمهٔ زیر را بزنید.",
                origin.city.name,
                destination.city.name,
                size_note(size),
                lines.join("\n"),
            )
        }
        None => {
            let (low, high) = crate::addons::price_range(state, origin, size)?;
            format!(
                "بله، این کالا با «ارسال» از {} به همهٔ شهرها فرستاده می‌شود ({}): از {} تا {}، بسته به شهر مقصد.\nبرای دیدن هزینه تا شهر خودتان و ثبت درخواست، دکمهٔ زیر را بزنید.",
                origin.city.name,
                size_note(size),
                low.display_tomans(),
                high.display_tomans(),
            )
        }
    };
    Some(SendMessage {
        message: format!("{text}\n(پاسخ خودکار دستیار ارسالِ فروشنده)"),
        sender_buttons: None,
        receiver_buttons: Some(ButtonGrid {
            rows: vec![ButtonRow {
                buttons: vec![ask_button(&state.keys, conversation, to)],
            }],
        }),
    })
}

fn size_note(size: SizeClass) -> String {
    format!("بستهٔ {}", size.label())
}
