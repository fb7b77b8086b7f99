//! What Divar POSTs to the dynamic-action URL when a user taps a `get_dynamic_action` button
//! (docs/kenar.md, “Events and the support bot”): the button's `data` back as `extra_data`,
//! with the touch point and, where there is one, the conversation, post and user. The answer is
//! a `text_message` Divar shows the user.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::init::{InitError, Problem};

/// A tapped button's `data`, the only part Ersal reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicAction {
    pub data: Map<String, Value>,
}

/// The answer: a message Divar shows the user who tapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionAnswer {
    pub text_message: String,
}

/// Parses a dynamic-action request body.
pub fn parse_dynamic_action(body: &[u8]) -> Result<DynamicAction, InitError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| InitError::InvalidJson)?;
    let Value::Object(mut request) = value else {
        return Err(InitError::NotAnObject);
    };
    let field = |problem| InitError::Field {
        field: "extra_data",
        problem,
    };
    match request.remove("extra_data") {
        Some(Value::Object(data)) => Ok(DynamicAction { data }),
        None | Some(Value::Null) => Err(field(Problem::Missing)),
        Some(_) => Err(field(Problem::WrongType("an object"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buttons_data_is_read_and_nothing_else_is_needed() {
        let tapped = parse_dynamic_action(
            br#"{"touchpoint": "CHATBOT", "conversation_id": "c", "user_side": null,
                 "extra_data": {"q": "track"}, "user_id": "u"}"#,
        )
        .unwrap();
        assert_eq!(tapped.data.get("q"), Some(&Value::from("track")));
        assert_eq!(
            parse_dynamic_action(br#"{"touchpoint": "CHATBOT"}"#)
                .unwrap_err()
                .to_string(),
            "extra_data is required"
        );
        assert!(parse_dynamic_action(br#"{"extra_data": "q"}"#).is_err());
        assert_eq!(parse_dynamic_action(b"[1]"), Err(InitError::NotAnObject));
    }
}
