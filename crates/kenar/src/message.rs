//! The body of `POST /v2/open-platform/conversations/{conversation_id}/messages` (docs/kenar.md, “Chat messages”,
//! OAS `ChatAPIConversationSendMessageBody`): text plus up to 3 rows of up to 3 buttons for the
//! sender and for the receiver, each button with exactly one action and an icon from Divar's list.
//! The support bot's answer ([`BotMessage`], OAS `ChatAPIChatBotSendMessageBody`) uses the same
//! button grid.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SendMessage {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_buttons: Option<ButtonGrid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver_buttons: Option<ButtonGrid>,
}

/// The body of `POST /v1/open-platform/chat/bot/conversations/{conversation_id}/messages`: the
/// conversation again (the OAS has it in the body too), the text, and at most 3 × 3 buttons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BotMessage {
    pub conversation_id: String,
    pub text_message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buttons: Option<ButtonGrid>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ButtonGrid {
    pub rows: Vec<ButtonRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ButtonRow {
    pub buttons: Vec<Button>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Button {
    pub action: Action,
    /// A `DivarIconsIconName`, e.g. `LOCAL_SHIPPING`.
    pub icon: &'static str,
    pub caption: String,
}

/// Exactly one action per button. Ersal's chat buttons use `open_server_link`, so Divar tells us
/// who clicked; the bot's guide opens a public page with `open_direct_link`, and its quick
/// replies ask for a short hint with `get_dynamic_action`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    OpenServerLink {
        data: Map<String, Value>,
    },
    OpenDirectLink(String),
    /// Divar asks the app's dynamic-action URL with `data` and shows the answer's text.
    GetDynamicAction {
        data: Map<String, Value>,
    },
}

impl ButtonGrid {
    /// One row holding `buttons` (at most 3).
    pub fn row(buttons: Vec<Button>) -> Self {
        Self {
            rows: vec![ButtonRow { buttons }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialises_like_the_spec_example() {
        let mut data = Map::new();
        data.insert("sid".into(), json!("S1"));
        let body = SendMessage {
            message: "ثبت شد".into(),
            sender_buttons: Some(ButtonGrid::row(vec![Button {
                action: Action::OpenServerLink { data },
                icon: "LOCAL_SHIPPING",
                caption: "پیگیری".into(),
            }])),
            receiver_buttons: None,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"message": "ثبت شد", "sender_buttons": {"rows": [{"buttons": [
                {"action": {"open_server_link": {"data": {"sid": "S1"}}}, "icon": "LOCAL_SHIPPING", "caption": "پیگیری"}
            ]}]}})
        );
    }
}
