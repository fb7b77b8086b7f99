//! Housekeeping: everything Ersal keeps only for a while is deleted here once its time is up,
//! in one place, run by [`crate::jobs`] every [`crate::jobs::EVERY_SECS`]. Each rule takes the
//! clock as `now`, so tests can move it.
//!
//! | table | deleted when |
//! |---|---|
//! | `browser_sessions` | idle for `session_idle` (config), or [`store::sessions::MAX_SECS`] after it began |
//! | `landing_sessions` | past its expiry (`landing_ttl`), with none of its browser sessions left; its drafts and OAuth states go with it, and a shipment opened from it keeps its record, no longer linked to it |
//! | `landing_keys` | once every landing id its hour sealed has expired (`landing_ttl` after the hour) |
//! | `drafts` | [`DRAFT_IDLE_SECS`] without a change, or once no browser session of theirs is left |
//! | `oauth_states` | used, or past their expiry ([`crate::oauth::STATE_LIFETIME_SECS`]) |
//! | `operator_sessions` | idle for [`operators::IDLE_SECS`], or [`operators::MAX_SESSION_SECS`] after login |
//! | `login_failures` | older than the per-address window ([`operators::ADDRESS_WINDOW_SECS`]) |
//! | `support_conversations` | closed (by staff, or answered and then idle for [`crate::support::IDLE_CLOSE_SECS`]) for `support_retention_days`; their messages go with them |
//! | `support_messages` | also each on its own, [`crate::support::IDLE_CLOSE_SECS`] + `support_retention_days` after it was written, in a conversation that never idles out |
//! | `outbox` (the bot's answers) | sent or given up, `support_retention_days` after they were queued |
//! | `divar_events` | processed, [`crate::support::events::KEEP_SECS`] after (a redelivery is recognised until then); given up, `support_retention_days` after it came |
//!
//! Shipments' personal data follows the retention period instead
//! ([`crate::retention`]). [`Lifetimes`] gathers every one of these numbers, from the
//! constants and the configuration, for the rules here and for the privacy page, which states
//! them.

use crate::config::Config;
use crate::error::AppError;
use crate::{jobs, oauth};
use store::db::Db;
pub use store::housekeeping::Swept;
use store::operators;

/// A draft nobody changed for this long is abandoned.
pub const DRAFT_IDLE_SECS: i64 = 6 * 3600;

pub use domain::lifetimes::Lifetimes;

/// Every lifetime, from the code's constants and the configuration.
pub fn lifetimes(config: &Config) -> Lifetimes {
    let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    Lifetimes {
        landing_link: config.landing_ttl_secs(),
        session_idle: secs(config.session_idle),
        session_max: store::sessions::MAX_SECS,
        draft_idle: DRAFT_IDLE_SECS,
        oauth_state: oauth::STATE_LIFETIME_SECS,
        console_idle: operators::IDLE_SECS,
        console_max: operators::MAX_SESSION_SECS,
        login_failure: operators::ADDRESS_WINDOW_SECS,
        retention: i64::from(config.retention_days) * 86_400,
        counterparty: crate::retention::COUNTERPARTY_DAYS * 86_400,
        support_idle_close: crate::support::IDLE_CLOSE_SECS,
        support: i64::from(config.support_retention_days) * 86_400,
        event: crate::support::events::KEEP_SECS,
        sweep_every: jobs::EVERY_SECS,
    }
}

/// Deletes everything whose time is up at `now` ([`store::housekeeping::sweep`]) and logs the
/// counts (only counts).
pub async fn sweep(db: &Db, lifetimes: &Lifetimes, now: i64) -> Result<Swept, AppError> {
    let swept = store::housekeeping::sweep(db, lifetimes, now).await?;
    if swept.total() > 0 {
        tracing::info!(
            browser_sessions = swept.browser_sessions,
            drafts = swept.drafts,
            oauth_states = swept.oauth_states,
            landing_sessions = swept.landing_sessions,
            landing_keys = swept.landing_keys,
            console_sessions = swept.console_sessions,
            login_failures = swept.login_failures,
            support_conversations = swept.support_conversations,
            support_messages = swept.support_messages,
            bot_messages = swept.bot_messages,
            events = swept.events,
            "housekeeping: expired rows deleted"
        );
    }
    Ok(swept)
}
