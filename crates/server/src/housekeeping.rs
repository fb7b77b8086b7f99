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
//! | `support_conversations` | closed (by staff, or answered and then idle for [`crate::support::store::IDLE_CLOSE_SECS`]) for `support_retention_days`; their messages go with them |
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
use store::sessions::link_keys;
use store::{on_db, operators};

/// A draft nobody changed for this long is abandoned.
pub const DRAFT_IDLE_SECS: i64 = 6 * 3600;

/// Rows deleted per statement, so that the single SQLite writer (or PostgreSQL's row locks)
/// is never held long: requests write to the same tables meanwhile.
const BATCH: u64 = 500;

pub use domain::lifetimes::Lifetimes;

/// Every lifetime, from the code's constants and the configuration.
pub fn lifetimes(config: &Config) -> Lifetimes {
    let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    Lifetimes {
        landing_link: secs(config.landing_ttl),
        session_idle: secs(config.session_idle),
        session_max: store::sessions::MAX_SECS,
        draft_idle: DRAFT_IDLE_SECS,
        oauth_state: oauth::STATE_LIFETIME_SECS,
        console_idle: operators::IDLE_SECS,
        console_max: operators::MAX_SESSION_SECS,
        login_failure: operators::ADDRESS_WINDOW_SECS,
        retention: i64::from(config.retention_days) * 86_400,
        counterparty: crate::retention::COUNTERPARTY_DAYS * 86_400,
        support_idle_close: crate::support::store::IDLE_CLOSE_SECS,
        support: i64::from(config.support_retention_days) * 86_400,
        event: crate::support::events::KEEP_SECS,
        sweep_every: jobs::EVERY_SECS,
    }
}

/// How many rows one sweep deleted, per table. Drafts and OAuth states that went with their
/// landing session (the database's cascade) are counted with it, not again.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub browser_sessions: u64,
    pub drafts: u64,
    pub oauth_states: u64,
    pub landing_sessions: u64,
    pub landing_keys: u64,
    pub console_sessions: u64,
    pub login_failures: u64,
    pub support_conversations: u64,
    pub bot_messages: u64,
    pub events: u64,
}

impl Swept {
    pub fn total(&self) -> u64 {
        self.browser_sessions
            + self.drafts
            + self.oauth_states
            + self.landing_sessions
            + self.landing_keys
            + self.console_sessions
            + self.login_failures
            + self.support_conversations
            + self.bot_messages
            + self.events
    }
}

/// A landing session nothing can use any more (`$1`: now): its id has expired and no browser
/// session of it is left. A used one stays until its id expires: the row of a self-contained
/// id is what keeps it from being opened twice ([`store::sessions::sealed`]).
const DEAD_LANDING: &str = "expires_at <= $1
    and not exists (select 1 from browser_sessions b where b.landing_digest = landing_sessions.id_digest)";

/// Deletes everything whose time is up at `now`, table by table, in the order that lets a
/// landing session go once its browser sessions have gone. Logs the counts (only counts).
pub async fn sweep(db: &Db, lifetimes: &Lifetimes, now: i64) -> Result<Swept, AppError> {
    let mut swept = Swept {
        browser_sessions: delete(
            db,
            "browser_sessions",
            "last_seen_at <= $1 or created_at <= $2",
            &[now - lifetimes.session_idle, now - lifetimes.session_max],
        )
        .await?,
        ..Swept::default()
    };
    // A draft goes with its session: its landing session stays until the link expires.
    swept.drafts = delete(
        db,
        "drafts",
        "updated_at <= $1 or not exists
           (select 1 from browser_sessions b where b.landing_digest = drafts.landing_digest)",
        &[now - lifetimes.draft_idle],
    )
    .await?;
    swept.oauth_states = delete(
        db,
        "oauth_states",
        "used_at is not null or expires_at <= $1",
        &[now],
    )
    .await?;
    // A landing session's drafts and OAuth states go with it (`on delete cascade`).
    swept.landing_sessions = delete(db, "landing_sessions", DEAD_LANDING, &[now]).await?;
    // A period's key goes once every id it sealed has expired.
    swept.landing_keys = delete(
        db,
        "landing_keys",
        "period < $1",
        &[link_keys::oldest_usable(now, lifetimes.landing_link)],
    )
    .await?;
    swept.console_sessions = delete(
        db,
        "operator_sessions",
        "last_seen_at <= $1 or created_at <= $2",
        &[now - lifetimes.console_idle, now - lifetimes.console_max],
    )
    .await?;
    swept.login_failures = delete(
        db,
        "login_failures",
        "at <= $1",
        &[now - lifetimes.login_failure],
    )
    .await?;
    crate::support::store::close_idle(db, now - lifetimes.support_idle_close, now).await?;
    swept.support_conversations = delete(
        db,
        "support_conversations",
        "state = 'closed' and closed_at <= $1",
        &[now - lifetimes.support],
    )
    .await?;
    swept.bot_messages = delete(
        db,
        "outbox",
        "channel = 'bot' and state <> 'pending' and created_at <= $1",
        &[now - lifetimes.support],
    )
    .await?;
    swept.events = delete(
        db,
        "divar_events",
        "processed_at <= $1 or (processed_at is null and received_at <= $2)",
        &[now - lifetimes.event, now - lifetimes.support],
    )
    .await?;
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
            bot_messages = swept.bot_messages,
            events = swept.events,
            "housekeeping: expired rows deleted"
        );
    }
    Ok(swept)
}

/// Deletes the rows of `table` matching `condition` (its `$1`, `$2` bound to `binds`), at
/// most [`BATCH`] per statement, picked by their physical row id (`rowid`, `ctid`).
/// `table` and `condition` are this module's constants, never input. Returns how many went.
async fn delete(db: &Db, table: &str, condition: &str, binds: &[i64]) -> Result<u64, AppError> {
    let row = match db {
        Db::Sqlite(_) => "rowid",
        Db::Postgres(_) => "ctid",
    };
    let sql = format!(
        "delete from {table} where {row} in
           (select {row} from {table} where {condition} limit {BATCH})"
    );
    let mut deleted = 0;
    loop {
        let batch = on_db!(db, pool => {
            let mut query = sqlx::query(&sql);
            for bind in binds {
                query = query.bind(*bind);
            }
            query.execute(pool).await?.rows_affected()
        });
        deleted += batch;
        if batch < BATCH {
            return Ok(deleted);
        }
    }
}
