//! Divar's rules for a send-message body (docs/kenar.md, “Chat messages”): the OAS schema
//! `ChatAPIConversationSendMessageBody`, plus what only the prose states — at most 3 rows of at
//! most 3 buttons, exactly one action per button, an icon from the OAS enum.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde_json::Value;

/// The OAS `DivarIconsIconName` enum (822 names), kept as data; a test checks it against
/// `docs/kenar/openapi-v3.json`.
pub const ICONS: &str = include_str!("icons.txt");
/// The most rows, and buttons per row, Divar shows.
pub const MAX_ROWS: usize = 3;
pub const MAX_BUTTONS_PER_ROW: usize = 3;
/// Our stand-in's own cap on text (Divar documents none).
pub const MAX_MESSAGE_CHARS: usize = 2000;

fn icons() -> &'static HashSet<&'static str> {
    static ICON_SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    ICON_SET.get_or_init(|| ICONS.lines().filter(|l| !l.is_empty()).collect())
}

/// Why a body was refused, as Divar's `message` would say it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct Invalid {
    pub path: String,
    pub problem: &'static str,
}

fn invalid(path: impl Into<String>, problem: &'static str) -> Invalid {
    Invalid {
        path: path.into(),
        problem,
    }
}

/// Checks a send-message body.
pub fn validate(body: &Value) -> Result<(), Invalid> {
    let Value::Object(body) = body else {
        return Err(invalid("<root>", "must be an object"));
    };
    match body.get("message") {
        Some(Value::String(text)) if text.chars().count() <= MAX_MESSAGE_CHARS => {}
        Some(Value::String(_)) => return Err(invalid("message", "is too long")),
        Some(_) => return Err(invalid("message", "must be a string")),
        None => return Err(invalid("message", "is required")),
    }
    if let Some(token) = body.get("media_token") {
        if !token.is_string() {
            return Err(invalid("media_token", "must be a string"));
        }
    }
    for side in ["sender_buttons", "receiver_buttons"] {
        if let Some(grid) = body.get(side) {
            validate_grid(side, grid)?;
        }
    }
    Ok(())
}

pub fn validate_grid(side: &str, grid: &Value) -> Result<(), Invalid> {
    let Value::Object(grid) = grid else {
        return Err(invalid(side, "must be an object"));
    };
    let rows = match grid.get("rows") {
        None => return Ok(()),
        Some(Value::Array(rows)) => rows,
        Some(_) => return Err(invalid(format!("{side}.rows"), "must be an array")),
    };
    if rows.len() > MAX_ROWS {
        return Err(invalid(format!("{side}.rows"), "has more than 3 rows"));
    }
    for (r, row) in rows.iter().enumerate() {
        let at = format!("{side}.rows[{r}]");
        let Value::Object(row) = row else {
            return Err(invalid(at, "must be an object"));
        };
        let buttons = match row.get("buttons") {
            None => continue,
            Some(Value::Array(buttons)) => buttons,
            Some(_) => return Err(invalid(format!("{at}.buttons"), "must be an array")),
        };
        if buttons.len() > MAX_BUTTONS_PER_ROW {
            return Err(invalid(format!("{at}.buttons"), "has more than 3 buttons"));
        }
        for (b, button) in buttons.iter().enumerate() {
            validate_button(&format!("{at}.buttons[{b}]"), button)?;
        }
    }
    Ok(())
}

fn validate_button(at: &str, button: &Value) -> Result<(), Invalid> {
    let Value::Object(button) = button else {
        return Err(invalid(at, "must be an object"));
    };
    match button.get("icon") {
        Some(Value::String(icon)) if icons().contains(icon.as_str()) => {}
        Some(_) => return Err(invalid(format!("{at}.icon"), "is not a known icon")),
        None => return Err(invalid(format!("{at}.icon"), "is required")),
    }
    for key in ["caption", "icon_name"] {
        if button.get(key).is_some_and(|v| !v.is_string()) {
            return Err(invalid(format!("{at}.{key}"), "must be a string"));
        }
    }
    validate_action(&format!("{at}.action"), button.get("action"))
}

/// Checks an `addonsAction`: exactly one known key with its shape.
pub fn validate_action(at: &str, action: Option<&Value>) -> Result<(), Invalid> {
    let Some(Value::Object(action)) = action else {
        return Err(invalid(at, "must be an object"));
    };
    if action.len() != 1 {
        return Err(invalid(at, "must have exactly one key"));
    }
    let (kind, value) = action.iter().next().expect("one key");
    let ok = match kind.as_str() {
        "open_direct_link" => value
            .as_str()
            .is_some_and(|url| url.starts_with("https://") || url.starts_with("http://")),
        "open_server_link" | "get_dynamic_action" => match value {
            Value::Object(link) => link.get("data").is_none_or(Value::is_object),
            _ => false,
        },
        "open_post_page" | "open_post_manage_page" => {
            value.get("post_token").is_some_and(Value::is_string)
        }
        _ => return Err(invalid(format!("{at}.{kind}"), "is not a known action")),
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(format!("{at}.{kind}"), "has the wrong shape"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn button(action: Value) -> Value {
        json!({"action": action, "icon": "LOCAL_SHIPPING", "caption": "پیگیری"})
    }

    #[test]
    fn the_spec_example_is_valid() {
        let body = json!({
            "message": "درخواست ارسال کالا ثبت شد.",
            "sender_buttons": {"rows": [{"buttons": [
                button(json!({"open_server_link": {"data": {"sid": "s", "op": "track", "sig": "x"}}})),
                {"action": {"open_server_link": {"data": {}}}, "icon": "CANCEL", "caption": "لغو"}
            ]}]},
            "receiver_buttons": {"rows": [{"buttons": [button(json!({"open_direct_link": "https://example.ir/x"}))]}]}
        });
        assert_eq!(validate(&body), Ok(()));
    }

    #[test]
    fn limits_that_the_schema_does_not_encode() {
        let row = json!({"buttons": [button(json!({"open_server_link": {}}))]});
        let four_rows = json!({"message": "m", "sender_buttons": {"rows": [row, row, row, row]}});
        assert!(validate(&four_rows).is_err());
        let b = button(json!({"open_server_link": {}}));
        let four_buttons =
            json!({"message": "m", "receiver_buttons": {"rows": [{"buttons": [b, b, b, b]}]}});
        assert!(validate(&four_buttons).is_err());
        let two_actions = json!({"message": "m", "sender_buttons": {"rows": [{"buttons": [
            button(json!({"open_server_link": {}, "open_direct_link": "https://a.ir"}))]}]}});
        assert!(validate(&two_actions).is_err());
        let real_state = json!({"message": "m", "sender_buttons": {"rows": [{"buttons": [
            {"action": {"open_server_link": {}}, "icon": "REAL_STATE"}]}]}});
        assert!(
            validate(&real_state).is_err(),
            "the doc typo is not an icon"
        );
    }
}
