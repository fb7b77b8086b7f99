//! Parse-don't-validate value types. Each `parse` takes what a user typed (any digits, stray
//! spaces) and either returns the value in its canonical form or a [`FieldError`] whose
//! `Display` is a Persian sentence saying what to do.

use serde::{Deserialize, Serialize};

use crate::text::normalize_digits;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("این بخش را پر کنید.")]
    Required,
    #[error("شمارهٔ همراه را به شکل ۰۹۱۲۳۴۵۶۷۸۹ بنویسید.")]
    Mobile,
    #[error("کد پستی ۱۰ رقم است.")]
    PostalCode,
    #[error("دست‌کم {min} و حداکثر {max} نویسه بنویسید.")]
    Length { min: usize, max: usize },
    #[error("فقط حروف بنویسید، بدون عدد و نشانه.")]
    Letters,
    #[error("یک عدد بنویسید.")]
    Number,
    #[error("عددی بین {min} و {max} بنویسید.")]
    Range { min: u64, max: u64 },
    #[error("یکی از گزینه‌ها را انتخاب کنید.")]
    Choice,
}

fn trimmed(raw: &str) -> Result<String, FieldError> {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        Err(FieldError::Required)
    } else {
        Ok(collapsed)
    }
}

fn bounded(raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let text = trimmed(raw)?;
    let len = text.chars().count();
    if len < min || len > max || text.chars().any(char::is_control) {
        return Err(FieldError::Length { min, max });
    }
    Ok(text)
}

/// An Iranian mobile number, stored as `09xxxxxxxxx`. Accepts Persian, Arabic and Latin digits,
/// spaces and dashes, and the `+98` / `0098` / `98` prefixes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = trimmed(raw)?;
        let digits: String = normalize_digits(&text)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let national = digits
            .strip_prefix("+98")
            .or_else(|| digits.strip_prefix("0098"))
            .map(|rest| format!("0{rest}"))
            .or_else(|| {
                (digits.len() == 12)
                    .then(|| digits.strip_prefix("98").map(|r| format!("0{r}")))
                    .flatten()
            })
            .or_else(|| {
                (digits.len() == 10 && digits.starts_with('9')).then(|| format!("0{digits}"))
            })
            .unwrap_or(digits);
        if national.len() == 11
            && national.starts_with("09")
            && national.bytes().all(|b| b.is_ascii_digit())
        {
            Ok(Self(national))
        } else {
            Err(FieldError::Mobile)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `۰۹۱۲ ۱۲۳ ۴۵۶۷`, in Persian digits (shown left to right: `dir="ltr"`).
    pub fn display(&self) -> String {
        let n = &self.0;
        crate::text::persian_digits(&format!("{} {} {}", &n[..4], &n[4..7], &n[7..]))
    }

    /// `0912***4567`, for places that must not show the whole number.
    pub fn masked(&self) -> String {
        format!("{}***{}", &self.0[..4], &self.0[7..])
    }
}

/// A 10-digit Iranian postal code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let digits: String = normalize_digits(&trimmed(raw)?)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if digits.len() == 10
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
        {
            Ok(Self(digits))
        } else {
            Err(FieldError::PostalCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's full name: 3–60 letters and spaces (Persian or Latin), with `‌` (ZWNJ), `-` and `.`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = bounded(raw, 3, 60)?;
        if text
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '\u{200c}' | '-' | '.' | '\''))
        {
            Ok(Self(text))
        } else {
            Err(FieldError::Letters)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A street address line: 10–200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressLine(String);

impl AddressLine {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        bounded(raw, 10, 200).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A short optional detail (plaque, unit, floor): 1–20 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortText(String);

impl ShortText {
    /// `None` for an empty field.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, FieldError> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        bounded(&normalize_digits(raw), 1, 20).map(|t| Some(Self(t)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What is being shipped: 2–100 characters (prefilled from the post's title when known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDescription(String);

impl ItemDescription {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        bounded(raw, 2, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Money, stored as whole Rials (1 Toman = 10 Rials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Rials(pub u64);

impl Rials {
    /// The largest declared value accepted: 10 billion Tomans.
    pub const MAX_TOMANS: u64 = 10_000_000_000;

    pub fn from_tomans(tomans: u64) -> Self {
        Self(tomans * 10)
    }

    /// A declared value typed in Tomans (any digits, ٬ or , separators); 0 is allowed.
    pub fn parse_tomans(raw: &str) -> Result<Self, FieldError> {
        let text = normalize_digits(&trimmed(raw)?);
        let tomans: u64 = text.parse().map_err(|_| FieldError::Number)?;
        if tomans > Self::MAX_TOMANS {
            return Err(FieldError::Range {
                min: 0,
                max: Self::MAX_TOMANS,
            });
        }
        Ok(Self::from_tomans(tomans))
    }

    /// Whole Tomans, rounded half up.
    pub fn tomans(self) -> u64 {
        (self.0 + 5) / 10
    }

    /// `۱٬۲۵۰٬۰۰۰ تومان`.
    pub fn display_tomans(self) -> String {
        format!("{} تومان", crate::text::group_thousands(self.tomans()))
    }
}

/// A weight in grams: 1 g to 30 kg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grams(pub u32);

impl Grams {
    pub const MAX: u32 = 30_000;

    /// A weight typed in kilograms, with up to three decimals (`1.5`, `۱٫۵`, `0.25`).
    pub fn parse_kg(raw: &str) -> Result<Self, FieldError> {
        let text = normalize_digits(&trimmed(raw)?);
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || fraction.len() > 3
            || whole.len() > 3
        {
            return Err(FieldError::Number);
        }
        let whole: u32 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| FieldError::Number)?
        };
        let fraction: u32 = format!("{fraction:0<3}")
            .parse()
            .map_err(|_| FieldError::Number)?;
        let grams = whole * 1000 + fraction;
        if grams == 0 || grams > Self::MAX {
            return Err(FieldError::Range {
                min: 0,
                max: u64::from(Self::MAX / 1000),
            });
        }
        Ok(Self(grams))
    }

    /// The weight in kilograms for people, to a tenth, with Persian digits and the Persian
    /// decimal separator: 800 g → «۰٫۸», 2,000 g → «۲».
    pub fn display_kg(self) -> String {
        let tenths = (self.0 + 50) / 100;
        let text = match tenths % 10 {
            0 => (tenths / 10).to_string(),
            tenth => format!("{}٫{tenth}", tenths / 10),
        };
        crate::text::persian_digits(&text)
    }
}

/// Parcel dimensions in whole centimetres, each 1–200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimensions {
    pub length_cm: u16,
    pub width_cm: u16,
    pub height_cm: u16,
}

impl Dimensions {
    pub const MAX_CM: u16 = 200;

    /// One side, typed in centimetres.
    pub fn parse_side(raw: &str) -> Result<u16, FieldError> {
        let value: u16 = normalize_digits(&trimmed(raw)?)
            .parse()
            .map_err(|_| FieldError::Number)?;
        if value == 0 || value > Self::MAX_CM {
            return Err(FieldError::Range {
                min: 1,
                max: u64::from(Self::MAX_CM),
            });
        }
        Ok(value)
    }

    pub fn volume_cm3(self) -> u64 {
        u64::from(self.length_cm) * u64::from(self.width_cm) * u64::from(self.height_cm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_read_with_the_persian_decimal_separator() {
        assert_eq!(Grams(800).display_kg(), "۰٫۸");
        assert_eq!(Grams(1_250).display_kg(), "۱٫۳");
        assert_eq!(Grams(2_000).display_kg(), "۲");
        assert_eq!(Grams(30_000).display_kg(), "۳۰");
    }

    #[test]
    fn mobile_in_any_digits_and_prefix() {
        for raw in [
            "09121234567",
            "۰۹۱۲۱۲۳۴۵۶۷",
            "٠٩١٢١٢٣٤٥٦٧",
            "0912 123 4567",
            "0912-123-4567",
            "+989121234567",
            "00989121234567",
            "989121234567",
            "9121234567",
            " ۰۹۱۲۱۲۳۴۵۶۷ ",
        ] {
            assert_eq!(
                Mobile::parse(raw).map(|m| m.0),
                Ok("09121234567".to_owned()),
                "{raw}"
            );
        }
        for raw in [
            "",
            "0912123456",
            "091212345678",
            "08121234567",
            "0912abc4567",
            "+449121234567",
        ] {
            assert!(Mobile::parse(raw).is_err(), "{raw}");
        }
        assert_eq!(
            Mobile::parse("09121234567").unwrap().masked(),
            "0912***4567"
        );
    }

    #[test]
    fn postal_code() {
        assert_eq!(
            PostalCode::parse("۱۲۳۴۵-۶۷۸۹۰").unwrap().as_str(),
            "1234567890"
        );
        for raw in ["123456789", "12345678901", "0123456789", "12345abcde", ""] {
            assert!(PostalCode::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn names_and_lines_have_limits() {
        assert!(PersonName::parse("مریم رضایی").is_ok());
        assert!(PersonName::parse("علی‌اکبر  محمدی").is_ok());
        assert_eq!(
            PersonName::parse("ab"),
            Err(FieldError::Length { min: 3, max: 60 })
        );
        assert!(PersonName::parse(&"ن".repeat(60)).is_ok());
        assert!(PersonName::parse(&"ن".repeat(61)).is_err());
        assert_eq!(PersonName::parse("مریم ۱۲"), Err(FieldError::Letters));
        assert!(AddressLine::parse("خیابان ولیعصر، کوچهٔ ۱۲").is_ok());
        assert!(AddressLine::parse("کوتاه").is_err());
        assert!(AddressLine::parse(&"آ".repeat(200)).is_ok());
        assert!(AddressLine::parse(&"آ".repeat(201)).is_err());
        assert_eq!(ShortText::parse_optional(" ").unwrap(), None);
        assert_eq!(
            ShortText::parse_optional("۱۲").unwrap().unwrap().as_str(),
            "12"
        );
        assert!(ShortText::parse_optional(&"x".repeat(21)).is_err());
        assert!(ItemDescription::parse(&"x".repeat(100)).is_ok());
        assert!(ItemDescription::parse(&"x".repeat(101)).is_err());
        assert_eq!(ItemDescription::parse("  "), Err(FieldError::Required));
    }

    #[test]
    fn money_and_weights() {
        assert_eq!(Rials::parse_tomans("۱٬۲۵۰٬۰۰۰"), Ok(Rials(12_500_000)));
        assert_eq!(Rials::parse_tomans("0"), Ok(Rials(0)));
        assert!(Rials::parse_tomans("-5").is_err());
        assert!(Rials::parse_tomans("10000000001").is_err());
        assert_eq!(Rials(12_345).tomans(), 1235);
        assert_eq!(Rials(12_500_000).display_tomans(), "۱٬۲۵۰٬۰۰۰ تومان");
        assert_eq!(Grams::parse_kg("۱٫۵"), Ok(Grams(1500)));
        assert_eq!(Grams::parse_kg("0.25"), Ok(Grams(250)));
        assert_eq!(Grams::parse_kg(".5"), Ok(Grams(500)));
        assert_eq!(Grams::parse_kg("30"), Ok(Grams(30_000)));
        for raw in ["30.001", "0", "1.2345", "abc", "", "-1", "1.2.3"] {
            assert!(Grams::parse_kg(raw).is_err(), "{raw}");
        }
        assert_eq!(Dimensions::parse_side("۲۰۰"), Ok(200));
        assert!(Dimensions::parse_side("201").is_err());
        assert!(Dimensions::parse_side("0").is_err());
    }
}
