//! Who users reach, and who handles their data: support's phone line and hours, and the
//! companies that receive users' personal data. Divar's app policies ask for both: a phone
//! line staffed at least 12 hours a day beside the bot, and every such company named.

use super::{problem, ConfigError};

/// Staff hours, Tehran time: from the `from`-th to the `to`-th hour of every day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportHours {
    pub from: u8,
    pub to: u8,
}

impl SupportHours {
    /// `from-to` (`9-21`); unset is 9 to 21.
    fn parse(raw: Option<&str>) -> Option<Self> {
        let Some(raw) = raw else {
            return Some(Self { from: 9, to: 21 });
        };
        let (from, to) = raw.split_once('-')?;
        let (from, to) = (from.trim().parse().ok()?, to.trim().parse().ok()?);
        (from < to && to <= 24).then_some(Self { from, to })
    }
}

/// A company that receives users' personal data, and what it does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processor {
    pub name: String,
    pub role: String,
}

/// Support's phone, its hours and the data processors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// When staff answer the bot and the phone (`ERSAL_SUPPORT_HOURS`, `9-21` by default).
    pub hours: SupportHours,
    /// Support's phone number as people dial it (`ERSAL_SUPPORT_PHONE`, required in prod).
    pub phone: String,
    /// The companies named on the privacy page (`ERSAL_PROCESSORS`, required in prod).
    pub processors: Vec<Processor>,
}

impl Contact {
    /// The phone as people read it: Persian digits, groups joined by `-` (so that right-to-left
    /// text keeps them in order).
    pub fn phone_for_people(&self) -> String {
        let groups: Vec<&str> = self.phone.split_whitespace().collect();
        domain::text::persian_digits(&groups.join("-"))
    }

    /// The phone for a `tel:` link: digits and a leading `+` only.
    pub fn phone_link(&self) -> String {
        let dialled: String = self
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        format!("tel:{dialled}")
    }
}

const DEV_PHONE: &str = "021-91000000";
const DEV_PROCESSORS: &str =
    "شرکت حمل آزمایشی=جمع‌آوری، جابه‌جایی و تحویل مرسوله;میزبان آزمایشی=نگه‌داری سرور و پایگاه داده";

impl Contact {
    /// Reads the three variables; `required` gives a prod error for a missing one, the dev
    /// value in dev.
    pub(super) fn parse(
        get: &impl Fn(&str) -> Option<String>,
        required: &impl Fn(&'static str, &str) -> Result<String, ConfigError>,
    ) -> Result<Self, ConfigError> {
        let hours =
            SupportHours::parse(get("ERSAL_SUPPORT_HOURS").as_deref()).ok_or_else(|| {
                problem(
                    "ERSAL_SUPPORT_HOURS",
                    "must be two whole hours `from-to` with 0 <= from < to <= 24, like 9-21",
                )
            })?;
        let phone = required("ERSAL_SUPPORT_PHONE", DEV_PHONE)?;
        let dialable = |c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ');
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !phone.chars().all(dialable) || !(5..=15).contains(&digits) || phone.len() > 24 {
            return Err(problem(
                "ERSAL_SUPPORT_PHONE",
                "must be a phone number of 5 to 15 digits, with + - and spaces only",
            ));
        }
        let processors = required("ERSAL_PROCESSORS", DEV_PROCESSORS)?
            .split(';')
            .map(|entry| {
                let (name, role) = entry.split_once('=')?;
                let (name, role) = (name.trim(), role.trim());
                let fits = |s: &str| (1..=120).contains(&s.chars().count());
                let printable = |s: &str| !s.chars().any(char::is_control);
                (fits(name) && fits(role) && printable(name) && printable(role)).then(|| {
                    Processor {
                        name: name.to_owned(),
                        role: role.to_owned(),
                    }
                })
            })
            .collect::<Option<Vec<_>>>()
            .filter(|list| (1..=10).contains(&list.len()))
            .ok_or_else(|| {
                problem(
                    "ERSAL_PROCESSORS",
                    "must be 1 to 10 `name=what it does` entries separated by `;`",
                )
            })?;
        Ok(Self {
            hours,
            phone,
            processors,
        })
    }
}
