//! The body of `POST /v2/open-platform/conversations/{conversation_id}/messages` (docs/kenar.md, “Chat messages”,
//! OAS `ChatAPIConversationSendMessageBody`): text plus up to 3 rows of up to 3 buttons for the
//! sender and for the receiver, each button with exactly one action and an icon from Divar's list.

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

/// Exactly one action per button; Ersal uses `open_server_link`, so Divar tells us who clicked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    OpenServerLink { data: Map<String, Value> },
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
