//! The session-initialization request (docs/kenar.md, “Session initialization”).
//!
//! Divar POSTs one of two bodies:
//!
//! * **v2** (`source`, `post_token`, `conversation_id`, `user_side`, `user_id`, `extra_data`,
//!   `return_url`), with a version header spelled `API_VERSION` or `API-Version` (**Version header spelling**);
//! * **legacy v1** (`callback_url`, `user_id`, `peer_id`, `supplier`, `demand`,
//!   `extra_data.location`), without a version header.
//!
//! [`parse_init`] tells them apart by shape first (proxies drop underscore headers; **Version by body shape**) and by
//! the header only when the shape says nothing, validates every field against the limits in docs/kenar.md, and folds the
//! doc discrepancies into one [`InitRequest`]. Unknown fields are ignored.

mod fields;

use serde_json::{Map, Value};

use self::fields::{Object, TopLevel};
use crate::ids::{ConversationId, DivarUserId, PostToken, Source, UserSide};

/// The longest return URL accepted (`return_url` is documented as ≤ 2048).
pub const MAX_RETURN_URL_LEN: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    V2,
}

impl ApiVersion {
    pub fn number(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }
}

/// A v1 `extra_data.location` (from Divar's own button under a location message).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
}

/// A validated session-initialization request, whichever version it came in.
#[derive(Debug, Clone, PartialEq)]
pub struct InitRequest {
    pub version: ApiVersion,
    /// Where the add-on was opened; v1 bodies are chats, or a message button when they carry
    /// our button data.
    pub source: Source,
    pub post_token: Option<PostToken>,
    /// Absent outside a chat (a post add-on, a Fallback URL).
    pub conversation_id: Option<ConversationId>,
    /// v2 says it; v1's is worked out from `user_id` and the two parties' ids.
    pub user_side: Option<UserSide>,
    pub user_id: Option<DivarUserId>,
    /// v1 only: the other party of the chat.
    pub peer_id: Option<DivarUserId>,
    /// v1 only: the seller's and the buyer's ids.
    pub supplier_id: Option<DivarUserId>,
    pub demand_id: Option<DivarUserId>,
    /// The custom data: `extra_data`, else `provider_data`, with a nested `provider_data`
    /// unwrapped (**Custom data name**, **Nested provider_data**). Our own button data comes back here, untrusted.
    pub extra_data: Map<String, Value>,
    pub location: Option<Location>,
    /// The return address as sent (`return_url`, `completion_url` or v1 `callback_url`), not
    /// yet checked: see [`crate::ReturnPolicy`].
    pub return_url: Option<String>,
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("is required")]
    Missing,
    #[error("must not be empty")]
    Empty,
    #[error("must be {0}")]
    WrongType(&'static str),
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("may contain {0}")]
    Charset(&'static str),
    #[error("is out of range")]
    OutOfRange,
}

/// Why a body was refused. The messages are written for Divar's engineers and never include
/// the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InitError {
    #[error("the body is not valid JSON")]
    InvalidJson,
    #[error("the body must be a JSON object")]
    NotAnObject,
    #[error("{field} {problem}")]
    Field {
        field: &'static str,
        problem: Problem,
    },
}

fn field(field: &'static str) -> impl Fn(Problem) -> InitError {
    move |problem| InitError::Field { field, problem }
}

/// Parses a session-initialization body. `version_header` is the value of `API_VERSION` or
/// `API-Version`, whichever arrived.
pub fn parse_init(body: &[u8], version_header: Option<&str>) -> Result<InitRequest, InitError> {
    // Anything but an object is told apart from broken JSON on this (rare) path only.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                Ok(_) => InitError::NotAnObject,
                Err(_) => InitError::InvalidJson,
            },
        );
    }
    let obj: TopLevel = serde_json::from_slice(body).map_err(|_| InitError::InvalidJson)?;
    match detect_version(&obj, version_header) {
        ApiVersion::V1 => parse_v1(&obj),
        ApiVersion::V2 => parse_v2(&obj),
    }
}

/// **Version by body shape**: v1 fields win, then v2 fields, then the header; a bare body is taken as v2,
/// the current contract.
fn detect_version(obj: &TopLevel, version_header: Option<&str>) -> ApiVersion {
    const V1_ONLY: [&str; 5] = ["callback_url", "peer_id", "supplier", "Supplier", "demand"];
    const V2_ONLY: [&str; 5] = [
        "source",
        "user_side",
        "return_url",
        "completion_url",
        "provider_data",
    ];
    if V1_ONLY.iter().any(|k| obj.field(k).is_some()) {
        ApiVersion::V1
    } else if V2_ONLY.iter().any(|k| obj.field(k).is_some()) {
        ApiVersion::V2
    } else if version_header.map(str::trim) == Some("1") {
        ApiVersion::V1
    } else {
        ApiVersion::V2
    }
}

fn parse_v2(obj: &TopLevel) -> Result<InitRequest, InitError> {
    let source = opt_str(obj, "source")?.ok_or(InitError::Field {
        field: "source",
        problem: Problem::Missing,
    })?;
    let source = Source::parse(source).map_err(field("source"))?;
    let user_side = match opt_str(obj, "user_side")? {
        Some(raw) if raw.chars().count() > 50 => {
            return Err(field("user_side")(Problem::TooLong(50)));
        }
        Some(raw) => UserSide::from_divar(raw),
        None => None,
    };
    let extra_data = opt_object(obj, "extra_data")?;
    let provider_data = opt_object(obj, "provider_data")?;
    let extra_data = extra_data.or(provider_data).unwrap_or_default();
    let return_url = match opt_return_url(obj, "return_url")? {
        Some(url) => Some(url),
        None => opt_return_url(obj, "completion_url")?,
    };
    Ok(InitRequest {
        version: ApiVersion::V2,
        source,
        post_token: opt_post_token(obj)?,
        conversation_id: opt_conversation_id(obj)?,
        user_side,
        user_id: opt_user_id(obj, "user_id")?,
        peer_id: None,
        supplier_id: None,
        demand_id: None,
        extra_data: unwrap_provider_data(extra_data, "extra_data.provider_data")?,
        location: None,
        return_url,
    })
}

fn parse_v1(obj: &TopLevel) -> Result<InitRequest, InitError> {
    let user_id = opt_user_id(obj, "user_id")?;
    let supplier_id = match obj.field("supplier").filter(|v| !v.is_null()) {
        Some(_) => party_id(obj, "supplier", "supplier.id")?,
        None => party_id(obj, "Supplier", "Supplier.id")?,
    };
    let demand_id = party_id(obj, "demand", "demand.id")?;
    let user_side = match &user_id {
        Some(me) if supplier_id.as_ref() == Some(me) => Some(UserSide::Supply),
        Some(me) if demand_id.as_ref() == Some(me) => Some(UserSide::Demand),
        _ => None,
    };
    let extra = opt_object(obj, "extra_data")?.unwrap_or_default();
    let location = match extra.get("location").filter(|v| !v.is_null()) {
        Some(Value::Object(loc)) => Some(Location {
            latitude: coordinate(loc, "latitude", "extra_data.location.latitude", 90.0)?,
            longitude: coordinate(loc, "longitude", "extra_data.location.longitude", 180.0)?,
        }),
        Some(_) => {
            return Err(field("extra_data.location")(Problem::WrongType(
                "an object",
            )))
        }
        None => None,
    };
    let from_button = matches!(extra.get("provider_data"), Some(Value::Object(_)));
    let mut extra_data = unwrap_provider_data(extra, "extra_data.provider_data")?;
    if !from_button {
        extra_data.remove("location");
    }
    let source = if from_button {
        Source::ChatMessageAction
    } else {
        Source::Chat
    };
    Ok(InitRequest {
        version: ApiVersion::V1,
        source,
        post_token: opt_post_token(obj)?,
        conversation_id: opt_conversation_id(obj)?,
        user_side,
        user_id,
        peer_id: opt_user_id(obj, "peer_id")?,
        supplier_id,
        demand_id,
        extra_data,
        location,
        return_url: opt_return_url(obj, "callback_url")?,
    })
}

/// A field that is absent, `null` or (as protobuf's JSON writes unset strings) `""` is
/// treated as not sent; any other non-string is a type error.
fn opt_str<'a>(obj: &'a impl Object, key: &'static str) -> Result<Option<&'a str>, InitError> {
    match obj.field(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(field(key)(Problem::WrongType("a string or null"))),
    }
}

fn opt_object(
    obj: &impl Object,
    key: &'static str,
) -> Result<Option<Map<String, Value>>, InitError> {
    match obj.field(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(field(key)(Problem::WrongType("an object or null"))),
    }
}

fn opt_post_token(obj: &impl Object) -> Result<Option<PostToken>, InitError> {
    opt_str(obj, "post_token")?
        .map(PostToken::parse)
        .transpose()
        .map_err(field("post_token"))
}

fn opt_conversation_id(obj: &impl Object) -> Result<Option<ConversationId>, InitError> {
    opt_str(obj, "conversation_id")?
        .map(ConversationId::parse)
        .transpose()
        .map_err(field("conversation_id"))
}

fn opt_user_id(obj: &impl Object, key: &'static str) -> Result<Option<DivarUserId>, InitError> {
    opt_str(obj, key)?
        .map(DivarUserId::parse)
        .transpose()
        .map_err(field(key))
}

fn opt_return_url(obj: &impl Object, key: &'static str) -> Result<Option<String>, InitError> {
    match opt_str(obj, key)? {
        Some(url) if url.chars().count() > MAX_RETURN_URL_LEN => {
            Err(field(key)(Problem::TooLong(MAX_RETURN_URL_LEN)))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

/// v1 `supplier` / `demand`: `{"id": "…"}` or null.
fn party_id(
    obj: &impl Object,
    key: &'static str,
    id_field: &'static str,
) -> Result<Option<DivarUserId>, InitError> {
    match opt_object(obj, key)? {
        Some(party) => opt_user_id(&party, "id").map_err(|e| match e {
            InitError::Field { problem, .. } => field(id_field)(problem),
            other => other,
        }),
        None => Ok(None),
    }
}

/// The legacy button flow nested our data as `extra_data.provider_data` (**Nested provider_data**).
fn unwrap_provider_data(
    mut data: Map<String, Value>,
    nested_name: &'static str,
) -> Result<Map<String, Value>, InitError> {
    match data.remove("provider_data") {
        None | Some(Value::Null) => Ok(data),
        Some(Value::Object(inner)) => Ok(inner),
        Some(_) => Err(field(nested_name)(Problem::WrongType("an object or null"))),
    }
}

/// A coordinate given as a number or a numeric string (the legacy page's example sends strings; **v1 coordinates**), within ±`limit`.
fn coordinate(
    loc: &Map<String, Value>,
    key: &str,
    name: &'static str,
    limit: f64,
) -> Result<f64, InitError> {
    let value = match loc.get(key) {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        None | Some(Value::Null) => return Err(field(name)(Problem::Missing)),
        Some(_) => None,
    }
    .ok_or(field(name)(Problem::WrongType(
        "a number or a numeric string",
    )))?;
    if value.is_finite() && value.abs() <= limit {
        Ok(value)
    } else {
        Err(field(name)(Problem::OutOfRange))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(body: Value) -> Result<InitRequest, InitError> {
        parse_init(body.to_string().as_bytes(), None)
    }

    #[test]
    fn v2_chat_menu_example() {
        let req = parse(json!({
            "source": "CHAT",
            "post_token": "QpR7x2Lm",
            "conversation_id": "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10",
            "user_side": "DEMAND",
            "user_id": "k2J9bq0Zr8mXa1TqW3e5Yh7Uo6Ps4Dn0Lc2Vf8Gx1Bs=",
            "extra_data": {}
        }))
        .unwrap();
        assert_eq!(req.version, ApiVersion::V2);
        assert_eq!(req.source.as_str(), "CHAT");
        assert_eq!(req.user_side, Some(UserSide::Demand));
        assert_eq!(req.post_token.unwrap().as_str(), "QpR7x2Lm");
        assert!(req.extra_data.is_empty());
    }

    #[test]
    fn v1_example_with_string_coordinates() {
        let req = parse(json!({
            "callback_url": "https://divar.ir/chat/x",
            "post_token": "QpR7x2Lm",
            "user_id": "e1b2c3d4-1111-4aaa-8bbb-123456789abc",
            "peer_id": "f9e8d7c6-2222-4ccc-9ddd-cba987654321",
            "supplier": {"id": "f9e8d7c6-2222-4ccc-9ddd-cba987654321"},
            "demand": {"id": "e1b2c3d4-1111-4aaa-8bbb-123456789abc"},
            "extra_data": {"location": {"latitude": "35.7219", "longitude": 51.3347}}
        }))
        .unwrap();
        assert_eq!(req.version, ApiVersion::V1);
        assert_eq!(req.source.as_str(), "CHAT");
        assert_eq!(req.user_side, Some(UserSide::Demand));
        assert_eq!(
            req.location,
            Some(Location {
                latitude: 35.7219,
                longitude: 51.3347
            })
        );
        assert!(req.extra_data.is_empty());
        assert_eq!(req.return_url.as_deref(), Some("https://divar.ir/chat/x"));
    }

    #[test]
    fn legacy_button_data_is_unwrapped() {
        let req = parse(json!({
            "callback_url": "https://divar.ir/",
            "user_id": "u1",
            "Supplier": {"id": "u1"},
            "extra_data": {"provider_data": {"sid": "s1"}, "location": {"latitude": 1, "longitude": 2}}
        }))
        .unwrap();
        assert_eq!(req.source.as_str(), "CHAT_MESSAGE_ACTION");
        assert_eq!(req.user_side, Some(UserSide::Supply));
        assert_eq!(req.extra_data.get("sid"), Some(&json!("s1")));
        assert!(req.location.is_some());
    }

    #[test]
    fn shape_beats_header() {
        let v1_body = json!({"callback_url": "https://divar.ir/", "post_token": "a"}).to_string();
        assert_eq!(
            parse_init(v1_body.as_bytes(), Some("2")).unwrap().version,
            ApiVersion::V1
        );
        let bare = json!({"post_token": "a"}).to_string();
        assert_eq!(
            parse_init(bare.as_bytes(), Some("1")).unwrap().version,
            ApiVersion::V1
        );
        assert_eq!(
            parse_init(bare.as_bytes(), Some("2")),
            Err(InitError::Field {
                field: "source",
                problem: Problem::Missing
            })
        );
    }

    #[test]
    fn coordinates_are_checked() {
        let body = |lat: Value| json!({"callback_url": "https://divar.ir/", "extra_data": {"location": {"latitude": lat, "longitude": 1}}});
        assert!(parse(body(json!("عرض جغرافیایی"))).is_err());
        assert!(parse(body(json!(91))).is_err());
        assert!(parse(body(json!(true))).is_err());
        assert!(parse(body(json!(-90))).is_ok());
    }

    #[test]
    fn empty_strings_count_as_absent() {
        let req = parse(
            json!({"source": "CHAT", "post_token": "", "user_side": "", "conversation_id": null}),
        )
        .unwrap();
        assert!(
            req.post_token.is_none() && req.user_side.is_none() && req.conversation_id.is_none()
        );
    }

    #[test]
    fn errors_name_the_field_not_the_value() {
        let err = parse(json!({"source": "CHAT", "post_token": "secret-value!"})).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("post_token"), "{text}");
        assert!(!text.contains("secret-value"));
    }
}
