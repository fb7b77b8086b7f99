//! How long Ersal keeps each thing, in seconds: what the housekeeping, the retention purge and
//! the expiry apply, and what the privacy page says (the server fills it from its constants and
//! configuration).

use serde::{Deserialize, Serialize};

/// How long each kind of stored data lives, in seconds: what housekeeping, the retention purge
/// and the expiry apply, and what the privacy page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifetimes {
    /// A landing link works this long (`landing_ttl`).
    pub landing_link: i64,
    /// A browser session ends after this long without activity (`session_idle`).
    pub session_idle: i64,
    /// …and this long after it began (`sessions::MAX_SECS` on the server).
    pub session_max: i64,
    /// A draft is deleted after this long without a change (`DRAFT_IDLE_SECS`).
    pub draft_idle: i64,
    /// An OAuth `state` is valid this long (`oauth::STATE_LIFETIME_SECS`).
    pub oauth_state: i64,
    /// A console session ends after this long without activity (`operators::IDLE_SECS`).
    pub console_idle: i64,
    /// …and this long after login (`operators::MAX_SESSION_SECS`).
    pub console_max: i64,
    /// A failed console login (and its address) is kept this long
    /// (`operators::ADDRESS_WINDOW_SECS`).
    pub login_failure: i64,
    /// Personal data of an ended shipment is kept this long (`retention_days`).
    pub retention: i64,
    /// A shipment the other side never completes expires after this long
    /// (`crate::shipments::retention::COUNTERPARTY_DAYS`).
    pub counterparty: i64,
    /// A support conversation closes after this long without a new message
    /// (`support::store::IDLE_CLOSE_SECS` on the server).
    pub support_idle_close: i64,
    /// A closed support conversation, its messages and the bot's answers are kept this long
    /// (`support_retention_days`).
    pub support: i64,
    /// A processed event from Divar is kept this long, to recognise a redelivery
    /// (`support::events::KEEP_SECS`).
    pub event: i64,
    /// The jobs run this often (`jobs::EVERY_SECS`): a deletion may come this much later.
    pub sweep_every: i64,
}
