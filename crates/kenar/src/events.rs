//! What Divar POSTs to the events URL (docs/kenar.md, “Events and the support bot”): one event
//! per request, named by `type`, its content under the matching key. Ersal reads a user's
//! message to its support bot (`NEW_CHATBOT_MESSAGE`) and a user's withdrawal of the
//! permissions they granted (`USER_ACCESS_REVOCATION`); every other type is acknowledged and its
//! content never read.

use serde_json::{Map, Value};

use crate::ids::checked;
use crate::init::{InitError, Problem};
use crate::{ConversationId, DivarUserId};

/// The longest bot message text kept, the rest cut off (Divar's chat allows long texts; a
/// support question fits).
pub const MAX_TEXT_CHARS: usize = 2000;
/// Divar's message ids are UUIDs; anything id-shaped up to this length is accepted.
pub const MAX_ID_LEN: usize = 64;

/// A validated event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A user wrote to the bot. `text` is `None` for a photo, voice or any other kind of message.
    BotMessage(BotMessage),
    /// A user revoked Ersal's access in Divar: the tokens they granted must go.
    AccessRevoked(DivarUserId),
    /// A type Ersal does not use (named for the log; nothing else is kept).
    Ignored(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotMessage {
    /// Divar's message id: the key that makes a redelivery a duplicate.
    pub id: String,
    pub conversation: ConversationId,
    pub text: Option<String>,
}

/// Parses an event body.
pub fn parse_event(body: &[u8]) -> Result<Event, InitError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| InitError::InvalidJson)?;
    let Value::Object(event) = value else {
        return Err(InitError::NotAnObject);
    };
    let kind = string(&event, "type", "type")?;
    if kind == "USER_ACCESS_REVOCATION" {
        let revocation = object(&event, "user_access_revocation")?;
        let user = string(revocation, "user_id", "user_access_revocation.user_id")?;
        return DivarUserId::parse(user)
            .map(Event::AccessRevoked)
            .map_err(field("user_access_revocation.user_id"));
    }
    if kind != "NEW_CHATBOT_MESSAGE" {
        let name = kind
            .chars()
            .take(40)
            .filter(char::is_ascii_graphic)
            .collect();
        return Ok(Event::Ignored(name));
    }
    let message = object(&event, "new_chatbot_message")?;
    // The bot's own messages come back as events too: only a person's message is answered.
    let sender = message
        .get("sender")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str);
    if sender == Some("BOT") {
        return Ok(Event::Ignored("NEW_CHATBOT_MESSAGE from the bot".into()));
    }
    let id = string(message, "id", "new_chatbot_message.id")?;
    let id = checked(
        id,
        MAX_ID_LEN,
        |s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        },
        "letters, digits, '-' and '_'",
    )
    .map_err(field("new_chatbot_message.id"))?;
    let conversation =
        object(message, "conversation").map_err(|_| missing("new_chatbot_message.conversation"))?;
    let conversation = ConversationId::parse(string(
        conversation,
        "id",
        "new_chatbot_message.conversation.id",
    )?)
    .map_err(field("new_chatbot_message.conversation.id"))?;
    let text = match message.get("type").and_then(Value::as_str) {
        Some("TEXT") | None => {
            // A longer message is kept cut short: refusing it would lose the user's question.
            let text = string(message, "text", "new_chatbot_message.text")?.trim();
            Some(text.chars().take(MAX_TEXT_CHARS).collect())
        }
        Some(_) => None,
    };
    Ok(Event::BotMessage(BotMessage {
        id,
        conversation,
        text,
    }))
}

fn field(name: &'static str) -> impl Fn(Problem) -> InitError {
    move |problem| InitError::Field {
        field: name,
        problem,
    }
}

fn missing(name: &'static str) -> InitError {
    field(name)(Problem::Missing)
}

fn object<'a>(
    parent: &'a Map<String, Value>,
    key: &'static str,
) -> Result<&'a Map<String, Value>, InitError> {
    match parent.get(key) {
        None | Some(Value::Null) => Err(missing(key)),
        Some(Value::Object(object)) => Ok(object),
        Some(_) => Err(field(key)(Problem::WrongType("an object"))),
    }
}

fn string<'a>(
    parent: &'a Map<String, Value>,
    key: &str,
    name: &'static str,
) -> Result<&'a str, InitError> {
    match parent.get(key) {
        None | Some(Value::Null) => Err(missing(name)),
        Some(Value::String(s)) if s.trim().is_empty() => Err(field(name)(Problem::Empty)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(field(name)(Problem::WrongType("a string"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bot(message: Value) -> Result<Event, InitError> {
        let body = json!({"type": "NEW_CHATBOT_MESSAGE", "new_chatbot_message": message});
        parse_event(body.to_string().as_bytes())
    }

    #[test]
    fn a_users_text_to_the_bot_is_read() {
        let event = bot(json!({
            "id": "7b1f0c52-1d7e-11f0-9c2a-0242ac120002",
            "conversation": {"id": "bot-conv-1", "type": "BOT"},
            "sender": {"type": "HUMAN"},
            "type": "TEXT",
            "sent_at": 1729429926140000u64,
            "text": "  سلام  "
        }))
        .unwrap();
        assert_eq!(
            event,
            Event::BotMessage(BotMessage {
                id: "7b1f0c52-1d7e-11f0-9c2a-0242ac120002".into(),
                conversation: ConversationId::parse("bot-conv-1").unwrap(),
                text: Some("سلام".into()),
            })
        );
    }

    #[test]
    fn a_photo_has_no_text_and_the_bots_own_message_is_ignored() {
        let photo = bot(json!({"id": "m1", "conversation": {"id": "c"}, "type": "IMAGE"})).unwrap();
        assert!(matches!(
            photo,
            Event::BotMessage(BotMessage { text: None, .. })
        ));
        let own = bot(
            json!({"id": "m2", "conversation": {"id": "c"}, "sender": {"type": "BOT"}, "text": "x"}),
        );
        assert!(matches!(own, Ok(Event::Ignored(_))));
    }

    #[test]
    fn other_types_are_ignored_and_broken_bodies_say_why() {
        let other = parse_event(br#"{"type": "POST_UPDATE", "post_update": {"x": 1}}"#).unwrap();
        assert_eq!(other, Event::Ignored("POST_UPDATE".into()));
        assert_eq!(parse_event(b"[]"), Err(InitError::NotAnObject));
        assert_eq!(parse_event(b"{"), Err(InitError::InvalidJson));
        assert!(parse_event(br#"{"new_chatbot_message": {}}"#).is_err());
        let no_id = bot(json!({"conversation": {"id": "c"}, "text": "x"})).unwrap_err();
        assert_eq!(no_id.to_string(), "new_chatbot_message.id is required");
        let long = "ب".repeat(MAX_TEXT_CHARS + 1);
        let kept = bot(json!({"id": "m", "conversation": {"id": "c"}, "text": long})).unwrap();
        assert!(
            matches!(kept, Event::BotMessage(BotMessage { text: Some(t), .. }) if t.chars().count() == MAX_TEXT_CHARS)
        );
        assert!(bot(json!({"id": "m/1", "conversation": {"id": "c"}, "text": "x"})).is_err());
    }

    #[test]
    fn a_revocation_names_the_user_and_nothing_else_is_taken_for_one() {
        let revoked = |content: Value| {
            let body = json!({"type": "USER_ACCESS_REVOCATION", "user_access_revocation": content});
            parse_event(body.to_string().as_bytes())
        };
        let user = "k2J9bq0Zr8mXa1TqW3e5Yh7Uo6Ps4Dn0Lc2Vf8Gx1Bs=";
        assert_eq!(
            revoked(json!({"user_id": user})),
            Ok(Event::AccessRevoked(DivarUserId::parse(user).unwrap()))
        );
        assert!(revoked(json!({})).is_err());
        assert!(revoked(json!({"user_id": 7})).is_err());
        assert!(revoked(json!({"user_id": "x".repeat(65)})).is_err());
        assert!(parse_event(br#"{"type": "USER_ACCESS_REVOCATION"}"#).is_err());
    }
}
