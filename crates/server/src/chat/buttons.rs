//! Our chat message buttons (`open_server_link`). Divar echoes a pressed button's data back in a
//! session-initialization call (`source` = `CHAT_MESSAGE_ACTION`), where anyone could have
//! altered it, so the data is signed: `{sid, op, side?, sig}`, `sig` an HMAC over the shipment,
//! the operation, the conversation and the side that may press it (for a button meant for one
//! side). A button cannot be altered, replayed in another chat, or used by the other side.
//!
//! The seller's shipping assistant's answer carries one button of its own ([`ask_button`]):
//! `{op: "ask", to, sig}`, `sig` over the conversation and the city it prefills, for the buyer.

use domain::code::TrackingCode;
use kenar::message::{Action, Button};
use kenar::{ConversationId, UserSide};
use serde_json::{json, Map, Value};

use store::crypto::Keys;

/// What a button asks for when pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Open the shipment's tracking page.
    Track,
    /// Open Ersal for the other side to fill in their details.
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

    fn icon(self) -> &'static str {
        match self {
            Self::Track => "LOCAL_SHIPPING",
            Self::Fill => "EDIT",
        }
    }

    fn caption(self) -> &'static str {
        match self {
            Self::Track => "پیگیری ارسال",
            Self::Fill => "تکمیل مشخصات",
        }
    }
}

/// Who may press a button: anyone in the chat, or only one side of it.
pub type PressedBy = Option<UserSide>;

/// The signed part of a button: the shipment, the operation, the conversation and, when the
/// button is for one side only, that side. Buttons sent before sides were bound carry no side
/// and are signed without one; a bound button's side cannot be dropped, since its signature
/// then no longer holds.
fn signed<'a>(
    shipment: &'a str,
    op: Op,
    conversation: &'a ConversationId,
    side: PressedBy,
) -> Vec<&'a str> {
    let mut parts = vec!["button", shipment, op.key(), conversation.as_str()];
    parts.extend(side.map(UserSide::as_str));
    parts
}

pub fn button_data(
    keys: &Keys,
    shipment: &TrackingCode,
    op: Op,
    conversation: &ConversationId,
    side: PressedBy,
) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("sid".into(), json!(shipment.as_str()));
    data.insert("op".into(), json!(op.key()));
    if let Some(side) = side {
        data.insert("side".into(), json!(side.as_str()));
    }
    let sig = keys.sign(&signed(shipment.as_str(), op, conversation, side));
    data.insert("sig".into(), json!(sig));
    data
}

/// The button for `op` on `shipment`'s message in `conversation`, for `side` only if given.
pub fn button(
    keys: &Keys,
    shipment: &TrackingCode,
    op: Op,
    conversation: &ConversationId,
    side: PressedBy,
) -> Button {
    Button {
        action: Action::OpenServerLink {
            data: button_data(keys, shipment, op, conversation, side),
        },
        icon: op.icon(),
        caption: op.caption().to_owned(),
    }
}

/// A button of ours, as Divar echoed it back with its signature holding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pressed {
    pub code: TrackingCode,
    pub op: Op,
    /// The only side that may press it, if it is bound to one.
    pub side: PressedBy,
}

impl Pressed {
    /// Whether a user on `side` (`None`: Divar did not say) may press it.
    pub fn allows(&self, side: Option<UserSide>) -> bool {
        self.side.is_none() || self.side == side
    }
}

/// The button data echoed back by Divar, if its signature holds for this conversation.
pub fn verify_button(
    keys: &Keys,
    data: &Map<String, Value>,
    conversation: &ConversationId,
) -> Option<Pressed> {
    let field = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .filter(|v| v.len() <= 64)
    };
    let (sid, op, sig) = (field("sid")?, field("op")?, field("sig")?);
    let op = Op::parse(op)?;
    let side = match field("side") {
        Some(side) => Some(UserSide::from_divar(side)?),
        None => None,
    };
    let code = TrackingCode::try_from(sid.to_owned()).ok()?;
    keys.verify(&signed(sid, op, conversation, side), sig)
        .then_some(Pressed { code, op, side })
}

/// The `op` of the assistant's button.
const ASK: &str = "ask";

/// The assistant's button under its answer: opens Ersal for the buyer of `conversation` with
/// `to` (a city id) as the destination, or none.
pub fn ask_button(keys: &Keys, conversation: &ConversationId, to: Option<&str>) -> Button {
    let to = to.unwrap_or("");
    let sig = keys.sign(&["button", ASK, conversation.as_str(), to]);
    let data = [("op", ASK), ("to", to), ("sig", sig.as_str())]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), json!(v)))
        .collect();
    Button {
        action: Action::OpenServerLink { data },
        icon: "LOCAL_SHIPPING",
        caption: "ثبت درخواست ارسال".to_owned(),
    }
}

/// The destination an assistant's button prefills (`Some(None)`: it named no city), if Divar
/// echoed it back unaltered in its own conversation.
pub fn verify_ask(
    keys: &Keys,
    data: &Map<String, Value>,
    conversation: &ConversationId,
) -> Option<Option<String>> {
    let field = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .filter(|v| v.len() <= 64)
    };
    let (to, sig) = (field("to")?, field("sig")?);
    (field("op")? == ASK && keys.verify(&["button", ASK, conversation.as_str(), to], sig))
        .then(|| Some(to.to_owned()).filter(|to| !to.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::test_keys as keys;

    #[test]
    fn buttons_verify_only_unaltered_and_in_their_conversation() {
        let (k, code) = (keys(), TrackingCode::parse("SHPX234567").unwrap());
        let conv = |id: &str| ConversationId::parse(id).unwrap();
        let data = button_data(&k, &code, Op::Fill, &conv("conv-1"), None);
        let pressed = Pressed {
            code: code.clone(),
            op: Op::Fill,
            side: None,
        };
        assert_eq!(verify_button(&k, &data, &conv("conv-1")), Some(pressed));
        assert_eq!(
            verify_button(&k, &data, &conv("conv-2")),
            None,
            "replayed in another chat"
        );
        let mut altered = data.clone();
        altered.insert("op".into(), json!("track"));
        assert_eq!(verify_button(&k, &altered, &conv("conv-1")), None);
        let mut other = data;
        other.insert("sid".into(), json!("SHIP999999"));
        assert_eq!(verify_button(&k, &other, &conv("conv-1")), None);
        assert_eq!(verify_button(&k, &Map::new(), &conv("conv-1")), None);
    }

    #[test]
    fn the_assistants_button_holds_only_in_its_conversation() {
        let k = keys();
        let conv = |id: &str| ConversationId::parse(id).unwrap();
        let data = |button: Button| match button.action {
            Action::OpenServerLink { data } => data,
            other => panic!("{other:?}"),
        };
        let to_mashhad = data(ask_button(&k, &conv("conv-1"), Some("mashhad")));
        assert_eq!(
            verify_ask(&k, &to_mashhad, &conv("conv-1")),
            Some(Some("mashhad".to_owned()))
        );
        assert_eq!(verify_ask(&k, &to_mashhad, &conv("conv-2")), None);
        let mut moved = to_mashhad;
        moved.insert("to".into(), json!("tabriz"));
        assert_eq!(verify_ask(&k, &moved, &conv("conv-1")), None);
        let anywhere = data(ask_button(&k, &conv("conv-1"), None));
        assert_eq!(verify_ask(&k, &anywhere, &conv("conv-1")), Some(None));
        assert_eq!(verify_button(&k, &anywhere, &conv("conv-1")), None);
    }

    #[test]
    fn a_bound_button_keeps_its_side() {
        let (k, code) = (keys(), TrackingCode::parse("SHPX234567").unwrap());
        let conv = ConversationId::parse("conv-1").unwrap();
        let data = button_data(&k, &code, Op::Fill, &conv, Some(UserSide::Demand));
        let pressed = verify_button(&k, &data, &conv).unwrap();
        assert!(pressed.allows(Some(UserSide::Demand)));
        assert!(!pressed.allows(Some(UserSide::Supply)), "the other side");
        assert!(!pressed.allows(None), "a side Divar did not name");
        let mut moved = data.clone();
        moved.insert("side".into(), json!("SUPPLY"));
        assert_eq!(verify_button(&k, &moved, &conv), None, "side changed");
        let mut dropped = data;
        dropped.remove("side");
        assert_eq!(verify_button(&k, &dropped, &conv), None, "side dropped");
    }
}
