//! Tracking codes: 10 characters from an alphabet without look-alikes (no 0/O, 1/I), about 50
//! bits. People read them aloud and type them, so parsing forgives spaces, Persian and Arabic
//! digits and lower case.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::normalize_digits;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingCode(String);

impl TrackingCode {
    pub const ALPHABET: &'static [u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    pub const LEN: usize = 10;

    /// How a message names a code for a person who has to type it: «کد پیگیری ۱۰ نویسه‌ای».
    pub fn described() -> String {
        crate::text::persian_digits(&format!("کد پیگیری {} نویسه‌ای", Self::LEN))
    }

    /// A new code from [`Self::LEN`] random values (each taken modulo the alphabet).
    pub fn from_random(values: [u8; Self::LEN]) -> Self {
        let alphabet = Self::ALPHABET;
        Self(
            values
                .iter()
                .map(|v| alphabet[usize::from(*v) % alphabet.len()] as char)
                .collect(),
        )
    }

    /// A code as typed: spaces and dashes dropped, any digits, any case.
    pub fn parse(raw: &str) -> Option<Self> {
        let cleaned = Self::clean(raw);
        Self::is_valid(&cleaned).then_some(Self(cleaned))
    }

    /// The beginning of a code (for searching), normalised the same way.
    pub fn prefix(raw: &str) -> Option<String> {
        let cleaned = Self::clean(raw);
        (cleaned.len() <= Self::LEN && cleaned.bytes().all(|b| Self::ALPHABET.contains(&b)))
            .then_some(cleaned)
    }

    fn clean(raw: &str) -> String {
        normalize_digits(raw)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect()
    }

    fn is_valid(code: &str) -> bool {
        code.len() == Self::LEN && code.bytes().all(|b| Self::ALPHABET.contains(&b))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TrackingCode {
    type Error = &'static str;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::is_valid(&raw)
            .then_some(Self(raw))
            .ok_or("not a tracking code")
    }
}

impl From<TrackingCode> for String {
    fn from(code: TrackingCode) -> Self {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::TrackingCode;

    #[test]
    fn codes_are_forgiving_to_type_and_strict_to_accept() {
        let code = TrackingCode::from_random([0, 1, 2, 3, 4, 5, 6, 7, 8, 48]);
        assert_eq!(code.as_str(), "23456789AJ");
        assert_eq!(TrackingCode::parse("۲۳۴۵۶ ۷۸۹aj"), Some(code.clone()));
        assert_eq!(TrackingCode::parse("23456-789AJ"), Some(code));
        assert_eq!(
            TrackingCode::parse("2345678910"),
            None,
            "1 and 0 are not used"
        );
        assert_eq!(TrackingCode::parse("23456789A"), None);
        assert_eq!(TrackingCode::prefix("۲۳ab"), Some("23AB".into()));
        assert_eq!(TrackingCode::prefix("23%"), None);
    }
}
