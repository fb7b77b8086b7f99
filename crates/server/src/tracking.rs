//! A shipment's tracking page, without a UI: who may see it and act on it (the opener's browser
//! or signed link, the other side of the same conversation), and cancelling before pickup.

use domain::code::TrackingCode;
use domain::status::{Actor, Status};

use crate::chat::outbox::{self, Delivery};
use crate::error::AppError;
use crate::sessions::LandingSession;
use crate::shipments::{self, Change, Shipment};
use crate::state::AppState;

/// A shipment's tracking page.
pub fn path(code: &TrackingCode) -> String {
    format!("/t/{code}")
}

/// The signed key of a shipment's tracking link.
pub fn link_key(state: &AppState, code: &TrackingCode) -> String {
    state.keys.sign(&["track", code.as_str()])
}

/// A shipment's tracking link, which works without a session: for the opener only.
pub fn link(state: &AppState, code: &TrackingCode) -> String {
    format!("{}?k={}", path(code), link_key(state, code))
}

/// What a visitor of a tracking page brings: their landing session, if any, and the key of
/// the link they followed (empty without one).
#[derive(Clone, Copy)]
pub struct Visitor<'a> {
    pub session: Option<&'a LandingSession>,
    pub key: &'a str,
}

/// Who the visitor is for this shipment, if anyone: the opener (same landing session, or the
/// signed link), or the other side of the same conversation.
fn side_of(state: &AppState, visitor: Visitor<'_>, shipment: &Shipment) -> Option<Actor> {
    if let Some(session) = visitor.session {
        if session.id == shipment.order.landing {
            return Some(Actor::Opener);
        }
        if session.landing.conversation_id.is_some()
            && session.landing.conversation_id == shipment.order.conversation_id
        {
            return Some(Actor::Counterparty);
        }
    }
    state
        .keys
        .verify(&["track", shipment.id.as_str()], visitor.key)
        .then_some(Actor::Opener)
}

/// What the tracking page says about the chat.
pub fn chat_note(tracked: &Tracked) -> &'static str {
    match (&tracked.shipment.order.conversation_id, tracked.delivery) {
        (None, _) => "این درخواست از گفتگو ثبت نشده است؛ پیامی در گفتگو فرستاده نمی‌شود.",
        (Some(_), None) => "گفتگو از این درخواست باخبر نشد (اجازهٔ پیام داده نشد).",
        (Some(_), Some(delivery)) => delivery.tracking_note(),
    }
}

/// What the tracking page shows.
pub struct Tracked {
    pub shipment: Shipment,
    /// Where the newest chat message stands (`None`: no message was queued).
    pub delivery: Option<Delivery>,
}

/// The shipment `code` names and who the visitor is to it, if they are one of its sides.
async fn as_side(
    state: &AppState,
    visitor: Visitor<'_>,
    code: &str,
) -> Result<Option<(Shipment, Actor)>, AppError> {
    let shipment = shipments::find(&state.db, &state.keys, code).await?;
    Ok(shipment.and_then(|s| side_of(state, visitor, &s).map(|actor| (s, actor))))
}

/// The shipment `code` names, if the visitor is one of its sides.
pub async fn open(
    state: &AppState,
    visitor: Visitor<'_>,
    code: &str,
) -> Result<Option<Tracked>, AppError> {
    let Some((shipment, _)) = as_side(state, visitor, code).await? else {
        return Ok(None);
    };
    Ok(Some(Tracked {
        delivery: outbox::last_delivery(&state.db, &shipment.id).await?,
        shipment,
    }))
}

/// Cancels a shipment for one of its sides, if it has not been picked up yet. Returns who asked,
/// when they are one of its sides (`None`: a stranger, and nothing happened).
pub async fn cancel(
    state: &AppState,
    visitor: Visitor<'_>,
    code: &TrackingCode,
) -> Result<Option<Actor>, AppError> {
    let Some((_, actor)) = as_side(state, visitor, code.as_str()).await? else {
        return Ok(None);
    };
    let change = Change::to(Status::Cancelled, actor);
    shipments::transition(&state.db, code, change, state.now()).await?;
    Ok(Some(actor))
}
