//! Our chat message buttons (`open_server_link`). Divar echoes a pressed button's data back in a
//! session-initialization call (`source` = `CHAT_MESSAGE_ACTION`), where anyone could have
//! altered it, so the data is signed: `{sid, op, sig}`, `sig` an HMAC over the shipment, the
//! operation and the conversation. A button cannot be altered or replayed in another chat.

use domain::code::TrackingCode;
use kenar::message::{Action, Button};
use kenar::ConversationId;
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

pub fn button_data(
    keys: &Keys,
    shipment: &TrackingCode,
    op: Op,
    conversation: &ConversationId,
) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("sid".into(), json!(shipment.as_str()));
    data.insert("op".into(), json!(op.key()));
    data.insert(
        "sig".into(),
        json!(keys.sign(&["button", shipment.as_str(), op.key(), conversation.as_str()])),
    );
    data
}

/// The button for `op` on `shipment`'s message in `conversation`.
pub fn button(
    keys: &Keys,
    shipment: &TrackingCode,
    op: Op,
    conversation: &ConversationId,
) -> Button {
    Button {
        action: Action::OpenServerLink {
            data: button_data(keys, shipment, op, conversation),
        },
        icon: op.icon(),
        caption: op.caption().to_owned(),
    }
}

/// The shipment and operation of button data echoed back by Divar, if its signature holds for
/// this conversation.
pub fn verify_button(
    keys: &Keys,
    data: &Map<String, Value>,
    conversation: &ConversationId,
) -> Option<(TrackingCode, Op)> {
    let field = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .filter(|v| v.len() <= 64)
    };
    let (sid, op, sig) = (field("sid")?, field("op")?, field("sig")?);
    let op = Op::parse(op)?;
    let code = TrackingCode::try_from(sid.to_owned()).ok()?;
    keys.verify(&["button", sid, op.key(), conversation.as_str()], sig)
        .then_some((code, op))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::test_keys as keys;

    #[test]
    fn buttons_verify_only_unaltered_and_in_their_conversation() {
        let (k, code) = (keys(), TrackingCode::parse("SHPX234567").unwrap());
        let conv = |id: &str| ConversationId::parse(id).unwrap();
        let data = button_data(&k, &code, Op::Fill, &conv("conv-1"));
        assert_eq!(
            verify_button(&k, &data, &conv("conv-1")),
            Some((code.clone(), Op::Fill))
        );
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
}
