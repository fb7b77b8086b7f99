//! Validated identifiers carried by Divar's requests (docs/kenar.md, “Session initialization”).
//!
//! Each type can only be built through its `parse`, so holding one means the value passed the
//! contract's limits.

use std::fmt;

use crate::init::Problem;

/// `raw` if it is non-empty, at most `max` characters, and `allowed` (else `rule` says what is).
pub(crate) fn checked(
    raw: &str,
    max: usize,
    allowed: impl Fn(&str) -> bool,
    rule: &'static str,
) -> Result<String, Problem> {
    if raw.is_empty() {
        Err(Problem::Empty)
    } else if raw.chars().count() > max {
        Err(Problem::TooLong(max))
    } else if !allowed(raw) {
        Err(Problem::Charset(rule))
    } else {
        Ok(raw.to_owned())
    }
}

/// A post token: 1–10 ASCII letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostToken(String);

impl TryFrom<String> for PostToken {
    type Error = Problem;

    fn try_from(raw: String) -> Result<Self, Problem> {
        Self::parse(&raw)
    }
}

impl From<PostToken> for String {
    fn from(token: PostToken) -> Self {
        token.0
    }
}

impl PostToken {
    pub const MAX_LEN: usize = 10;

    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let allowed = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
        let rule = "only the letters A-Z, a-z and the digits 0-9";
        checked(raw, Self::MAX_LEN, allowed, rule).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A chat conversation id: 1–64 characters. Divar only promises a string (every example is a
/// UUID). The value later becomes a URL path segment and part of an OAuth scope
/// (`CONVERSATION_SEND_MESSAGE.<id>`, space-separated), so whitespace (which would add a scope),
/// control characters, `/` and the dot segments `.` and `..` are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConversationId(String);

impl TryFrom<String> for ConversationId {
    type Error = Problem;

    fn try_from(raw: String) -> Result<Self, Problem> {
        Self::parse(&raw)
    }
}

impl From<ConversationId> for String {
    fn from(id: ConversationId) -> Self {
        id.0
    }
}

impl ConversationId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let allowed = |s: &str| {
            !s.chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '/')
                && s != "."
                && s != ".."
        };
        let rule = "no whitespace, no control characters, no '/', and not '.' or '..'";
        checked(raw, Self::MAX_LEN, allowed, rule).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An opaque Divar user id (`user_id`, `peer_id`, `supplier.id`, `demand.id`): 1–64
/// characters without control characters. Never joined with other identities (docs/kenar.md, **user_id meaning**).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DivarUserId(String);

impl DivarUserId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let printable = |s: &str| !s.chars().any(char::is_control);
        checked(raw, Self::MAX_LEN, printable, "no control characters").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user id identifies a person: keep it out of logs.
impl fmt::Debug for DivarUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DivarUserId(…)")
    }
}

/// Where the user came from (`source`; docs/kenar.md, “Session initialization”). Divar may
/// send values Ersal does not know yet: any 1–20 printable characters are kept as [`Source::Other`].
/// The documented typo `POST_ADODN` means `POST_ADDON`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// The chat's add-ons menu.
    Chat,
    /// A button on one of our chat messages; `extra_data` carries the button's data.
    ChatMessageAction,
    /// A post add-on widget.
    PostAddon,
    /// Ours, not Divar's: a session started from the Fallback URL (direct link).
    Fallback,
    Other(String),
}

impl Source {
    pub const MAX_LEN: usize = 20;
    const KNOWN: [(Self, &'static str); 4] = [
        (Self::Chat, "CHAT"),
        (Self::ChatMessageAction, "CHAT_MESSAGE_ACTION"),
        (Self::PostAddon, "POST_ADDON"),
        (Self::Fallback, "FALLBACK"),
    ];

    /// A `source` as Divar sent it. `FALLBACK` is ours and never accepted from Divar.
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let printable = |s: &str| !s.chars().any(char::is_control);
        let raw = checked(raw, Self::MAX_LEN, printable, "no control characters")?;
        Ok(match Self::from_key(&raw) {
            Self::Fallback => Self::Other(raw),
            known => known,
        })
    }

    /// A stored key back to its source (`POST_ADODN` included).
    pub fn from_key(raw: &str) -> Self {
        let raw = if raw == "POST_ADODN" {
            "POST_ADDON"
        } else {
            raw
        };
        Self::KNOWN
            .into_iter()
            .find(|(_, key)| *key == raw)
            .map_or_else(|| Self::Other(raw.to_owned()), |(source, _)| source)
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(raw) => raw,
            known => Self::KNOWN
                .iter()
                .find(|(source, _)| source == known)
                .map_or("", |(_, key)| key),
        }
    }
}

/// The clicking user's side relative to the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserSide {
    /// The seller (post owner).
    Supply,
    /// The buyer.
    Demand,
}

impl UserSide {
    /// Maps `Supply`/`SUPPLY`/`supply` and the `Demand` spellings (docs/kenar.md, **User side spelling**); anything else is
    /// unknown, and the landing page asks the user instead.
    pub fn from_divar(raw: &str) -> Option<Self> {
        match raw.to_ascii_uppercase().as_str() {
            "SUPPLY" => Some(Self::Supply),
            "DEMAND" => Some(Self::Demand),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Supply => "SUPPLY",
            Self::Demand => "DEMAND",
        }
    }

    /// The other side of a chat about a post.
    pub fn other(self) -> Self {
        match self {
            Self::Supply => Self::Demand,
            Self::Demand => Self::Supply,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_token_limits() {
        assert!(PostToken::parse("QpR7x2Lm").is_ok());
        assert!(PostToken::parse("abcdefghij").is_ok());
        assert_eq!(PostToken::parse("abcdefghijk"), Err(Problem::TooLong(10)));
        assert!(PostToken::parse("ab-12").is_err());
        assert!(PostToken::parse("توکن").is_err());
        assert_eq!(PostToken::parse(""), Err(Problem::Empty));
    }

    #[test]
    fn conversation_id_refuses_path_tricks() {
        assert!(ConversationId::parse("0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10").is_ok());
        assert!(ConversationId::parse(&"x".repeat(64)).is_ok());
        assert_eq!(
            ConversationId::parse(&"x".repeat(65)),
            Err(Problem::TooLong(64))
        );
        for bad in [
            "a/b",
            "..",
            ".",
            "a\nb",
            "a\u{0}b",
            "\u{7f}",
            "c-1 openid",
            "c-1\u{3000}x",
            "c-1\tCHAT_CONVERSATION_READ.c-1",
        ] {
            assert!(ConversationId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(ConversationId::parse("گفتگو-۱").is_ok());
    }

    #[test]
    fn user_side_accepts_both_casings() {
        for (raw, side) in [
            ("Supply", Some(UserSide::Supply)),
            ("SUPPLY", Some(UserSide::Supply)),
            ("demand", Some(UserSide::Demand)),
            ("Demand", Some(UserSide::Demand)),
            ("BUYER", None),
            ("", None),
        ] {
            assert_eq!(UserSide::from_divar(raw), side, "{raw}");
        }
    }

    #[test]
    fn source_normalises_the_documented_typo() {
        assert_eq!(Source::parse("POST_ADODN").unwrap(), Source::PostAddon);
        assert_eq!(
            Source::parse("FALLBACK").unwrap(),
            Source::Other("FALLBACK".into())
        );
        assert_eq!(Source::from_key("FALLBACK"), Source::Fallback);
        assert_eq!(Source::parse("CHAT").unwrap().as_str(), "CHAT");
        assert_eq!(Source::parse(&"S".repeat(20)).unwrap().as_str().len(), 20);
        assert_eq!(Source::parse(&"S".repeat(21)), Err(Problem::TooLong(20)));
    }

    #[test]
    fn user_id_is_not_printed() {
        let id = DivarUserId::parse("k2J9bq0Zr8mXa1TqW3e5Yh7Uo6Ps4Dn0Lc2Vf8Gx1Bs=").unwrap();
        assert!(!format!("{id:?}").contains("k2J9"));
    }
}
