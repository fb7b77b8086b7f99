//! The assistant's answer, sent by the delivery worker on the outbox's `assistant` channel once
//! its wait for the seller is over. The row names only the conversation
//! ([`rows::outbox_key`]); everything else is read when it goes, and checked again: the answer
//! still waits (the seller did not write meanwhile, no shipment started), the assistant is still
//! on, and Divar still publishes the post (read fresh: a sold post gets no answer, and its
//! assistant stops; a post moved to another city is priced from there).

use domain::delivery::Delivery;
use domain::places::Place;
use domain::size::SizeClass;
use domain::tariff::Parcel;
use kenar::client::SendOutcome;
use kenar::message::{ButtonGrid, ButtonRow, SendMessage};
use kenar::{ConversationId, Grant};
use store::assistant::{self as rows, Assistant, ReplyState};

use crate::budget::Priority;
use crate::chat::buttons::ask_button;
use crate::chat::tokens;
use crate::error::AppError;
use crate::posts::{self, Read};
use crate::state::AppState;

/// Sends the answer waiting in the row's conversation (its key, [`rows::outbox_key`]);
/// `None` when the seller's permission is gone (the assistant is turned off).
pub async fn send(state: &AppState, key: &str) -> Option<SendOutcome> {
    match prepare(state, key).await {
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

async fn prepare(state: &AppState, key: &str) -> Result<Prepared, AppError> {
    let Some(conversation) = rows::conversation_of_key(key) else {
        return Ok(Prepared::Nothing);
    };
    let now = state.now();
    let Some((post, to)) = rows::waiting(&state.db, &conversation, now).await? else {
        return Ok(Prepared::Nothing);
    };
    let Some(assistant) = rows::get(&state.db, &post).await? else {
        return Ok(Prepared::Nothing);
    };
    // The post as Divar publishes it now: sold or gone, the assistant stops; moved to another
    // city, the price is from there.
    let wait = state.config.listener.request;
    let origin = match posts::fetch(state, &post, Priority::Assistant, wait).await? {
        Read::Found(found) => found.city,
        Read::NotFound => {
            tracing::info!("the post is gone: its assistant stops");
            super::turn_off(state, &post).await?;
            return Ok(Prepared::Nothing);
        }
        Read::Unavailable => return Ok(Prepared::Later),
    };
    let Some(answer) = compose(state, &assistant, &origin, &conversation, to.as_deref()) else {
        return Ok(Prepared::Nothing);
    };
    match tokens::access_token(state, &Grant::Assistant(post.clone())).await? {
        Some(token) => {
            rows::priced(&state.db, &conversation, answer.price).await?;
            Ok(Prepared::Send(conversation, token, answer.message))
        }
        None => {
            tracing::info!("the seller's permission is gone: the assistant stops");
            super::turn_off(state, &post).await?;
            Ok(Prepared::NotPermitted)
        }
    }
}

/// Records where the answer ended: sent, or dropped.
pub async fn settled(state: &AppState, key: &str, delivery: Delivery) -> Result<(), AppError> {
    let Some(conversation) = rows::conversation_of_key(key) else {
        return Ok(());
    };
    let reply = if delivery == Delivery::Sent {
        ReplyState::Sent
    } else {
        ReplyState::Dropped
    };
    rows::settle(&state.db, &conversation, reply, state.now()).await?;
    Ok(())
}

/// An answer and the price it gives (the cheapest service; none for the range).
struct Answer {
    message: SendMessage,
    price: Option<i64>,
}

/// The answer: each service's price from the post's city to the city asked about, or the
/// range to every city, and the button that opens Ersal with the city filled in.
fn compose(
    state: &AppState,
    assistant: &Assistant,
    origin: &str,
    conversation: &ConversationId,
    to: Option<&str>,
) -> Option<Answer> {
    let catalogue = &state.catalog.places;
    let origin: Place<'_> = catalogue.find(origin)?;
    let destination = to.and_then(|to| catalogue.find(to));
    let size = assistant.size;
    let mut price = None;
    let text = match destination {
        Some(destination) => {
            let quotes =
                crate::flow::quote::services(state, &Parcel::of_size(size), origin, destination);
            price = quotes
                .iter()
                .map(|q| q.total.0)
                .min()
                .and_then(|p| i64::try_from(p).ok());
            price?;
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
    let message = SendMessage {
        message: format!("{text}\n(پاسخ خودکار دستیار ارسالِ فروشنده)"),
        sender_buttons: None,
        receiver_buttons: Some(ButtonGrid {
            rows: vec![ButtonRow {
                buttons: vec![ask_button(&state.keys, conversation, to)],
            }],
        }),
    };
    Some(Answer { message, price })
}

/// What the price is for: the size class, nothing declared for insurance.
fn size_note(size: SizeClass) -> String {
    format!("بستهٔ {}، بدون بیمه", size.label())
}
