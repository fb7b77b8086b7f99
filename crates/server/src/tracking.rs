//! A shipment's tracking page, without a UI: who may see it (the two sides of the conversation
//! by their sessions, or anyone holding its expiring link) and who may cancel it before pickup
//! (a side, by their session only).

use domain::code::TrackingCode;
use domain::shipment::Role;
use domain::status::{Actor, Status};

use crate::error::AppError;
use crate::state::AppState;
use domain::delivery::Delivery;
use domain::routes::Route;
use store::outbox;
use store::sessions::LandingSession;
use store::shipments::{self, Change, Shipment};

/// A shipment's tracking page.
pub fn path(code: &TrackingCode) -> String {
    Route::Track.with(code.as_str())
}

/// How long a tracking link works after it is shown.
pub const LINK_SECS: i64 = 30 * 86_400;

/// The key of a shipment's tracking link, valid for [`LINK_SECS`] from `now`: its expiry and
/// a signature over the code and the expiry.
pub fn link_key(state: &AppState, code: &TrackingCode, now: i64) -> String {
    let expires = (now + LINK_SECS).to_string();
    let signature = state.keys.sign(&["track", code.as_str(), &expires]);
    format!("{expires}.{signature}")
}

/// A shipment's tracking link, to keep: it shows the shipment (never cancels it) without a
/// session, until it expires. It is shown on the page, never redirected to.
pub fn link(state: &AppState, code: &TrackingCode, now: i64) -> String {
    format!("{}?k={}", path(code), link_key(state, code, now))
}

/// Whether `key` is an unexpired link key for `code`.
fn link_opens(state: &AppState, code: &TrackingCode, key: &str) -> bool {
    let Some((expires, signature)) = key.split_once('.') else {
        return false;
    };
    expires.parse::<i64>().is_ok_and(|at| at > state.now())
        && state
            .keys
            .verify(&["track", code.as_str(), expires], signature)
}

/// What a visitor of a tracking page brings: their landing session, if any, and the key of
/// the link they followed (empty without one). Only a session may act on the shipment.
#[derive(Clone, Copy)]
pub struct Visitor<'a> {
    pub session: Option<&'a LandingSession>,
    pub key: &'a str,
}

/// Which side of the shipment a landing session is: the opener (the same landing session) or
/// the other side of the same conversation.
fn side_of(session: &LandingSession, shipment: &Shipment) -> Option<Actor> {
    if session.id == shipment.order.landing {
        return Some(Actor::Opener);
    }
    (session.landing.conversation_id.is_some()
        && session.landing.conversation_id == shipment.order.conversation_id)
        .then_some(Actor::Counterparty)
}

/// Which role (sender, receiver) a side's session is: the opener's own session is the
/// opener's role; any other session of the chat is told by the side Divar named for it against
/// the opener's. `None` when a side is unknown: no handover code is shown then.
fn role_of(session: &LandingSession, side: Actor, shipment: &Shipment) -> Option<Role> {
    let order = &shipment.order;
    if side == Actor::Opener {
        return Some(order.opener_role);
    }
    let (mine, opener) = (session.landing.user_side?, order.opener_side?);
    Some(if mine == opener {
        order.opener_role
    } else {
        order.opener_role.other()
    })
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
    /// The visitor came with a session of one of its sides (not only a link): they may cancel,
    /// and are shown the link to keep.
    pub by_session: bool,
    /// The side the visitor's session is (sender or receiver); `None` with a link only, which
    /// may have been passed on: no handover code is shown to it.
    pub role: Option<Role>,
    /// Where the newest chat message stands (`None`: no message was queued).
    pub delivery: Option<Delivery>,
}

/// The shipment `code` names, if the visitor is one of its sides or holds its link.
pub async fn open(
    state: &AppState,
    visitor: Visitor<'_>,
    code: &str,
) -> Result<Option<Tracked>, AppError> {
    let Some(shipment) = shipments::find(&state.db, &state.keys, code).await? else {
        return Ok(None);
    };
    let side = visitor
        .session
        .and_then(|session| side_of(session, &shipment));
    let by_session = side.is_some();
    let role = match (side, visitor.session) {
        (Some(side), Some(session)) => role_of(session, side, &shipment),
        _ => None,
    };
    if !by_session && !link_opens(state, &shipment.id, visitor.key) {
        return Ok(None);
    }
    Ok(Some(Tracked {
        delivery: outbox::last_delivery(&state.db, &shipment.id).await?,
        by_session,
        role,
        shipment,
    }))
}

/// Cancels a shipment for one of its sides (by their session; a link never cancels), if it has
/// not been picked up yet. Returns who asked, when they are one of its sides (`None`: nothing
/// happened).
pub async fn cancel(
    state: &AppState,
    session: Option<&LandingSession>,
    code: &TrackingCode,
) -> Result<Option<Actor>, AppError> {
    let Some(shipment) = shipments::find(&state.db, &state.keys, code.as_str()).await? else {
        return Ok(None);
    };
    let Some(actor) = session.and_then(|session| side_of(session, &shipment)) else {
        return Ok(None);
    };
    let change = Change::to(Status::Cancelled, actor);
    crate::chat::tokens::transition(&state.db, code, change, state.now()).await?;
    Ok(Some(actor))
}
