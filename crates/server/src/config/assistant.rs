//! The seller's shipping assistant's two knobs (docs/assistant.md).

use std::time::Duration;

use super::{whole_number, ConfigError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssistantLimits {
    /// How long an answer waits for the seller's own reply before it goes
    /// (`ERSAL_ASSISTANT_DELAY_SECS`, 90 by default; 0 answers at once).
    pub delay: Duration,
    /// After how many days a post's assistant stops by itself (`ERSAL_ASSISTANT_DAYS`, 30).
    pub days: i64,
}

impl AssistantLimits {
    pub(super) fn parse(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            delay: Duration::from_secs(whole_number(
                get,
                "ERSAL_ASSISTANT_DELAY_SECS",
                90,
                0..=3600,
                " of seconds",
            )?),
            days: whole_number(get, "ERSAL_ASSISTANT_DAYS", 30, 1..=365, " of days")?,
        })
    }
}
