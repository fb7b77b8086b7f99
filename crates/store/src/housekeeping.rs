//! Deleting what Ersal keeps only for a while, once its time is up: the statements of the
//! server's housekeeping (`crates/server/src/housekeeping.rs`, which says what goes when), each
//! in small batches so that requests writing to the same tables never wait long.

use domain::delivery::Delivery;
use domain::lifetimes::Lifetimes;
use domain::webhook::LOG_SECS as WEBHOOK_LOG_SECS;

use crate::db::Db;
use crate::outbox::Channel;
use crate::sessions::link_keys;
use crate::{on_db, StoreError};

/// Rows deleted per statement, so that the single SQLite writer (or PostgreSQL's row locks)
/// is never held long: requests write to the same tables meanwhile.
const BATCH: u64 = 500;

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
    pub support_messages: u64,
    pub bot_messages: u64,
    pub events: u64,
    /// Settled webhook messages and logged attempts.
    pub webhooks: u64,
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
            + self.support_messages
            + self.bot_messages
            + self.events
            + self.webhooks
    }
}

/// A landing session nothing can use any more (`$1`: now): its id has expired and no browser
/// session of it is left. A used one stays until its id expires: the row of a self-contained
/// id is what keeps it from being opened twice ([`crate::sessions::sealed`]).
const DEAD_LANDING: &str = "expires_at <= $1
    and not exists (select 1 from browser_sessions b where b.landing_digest = landing_sessions.id_digest)";

/// Deletes everything whose time is up at `now`, table by table, in the order that lets a
/// landing session go once its browser sessions have gone.
pub async fn sweep(db: &Db, lifetimes: &Lifetimes, now: i64) -> Result<Swept, StoreError> {
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
    crate::support::close_idle(db, now - lifetimes.support_idle_close, now).await?;
    swept.support_conversations = delete(
        db,
        "support_conversations",
        "state = 'closed' and closed_at <= $1",
        &[now - lifetimes.support],
    )
    .await?;
    // A conversation written to every few days never idles out: its old messages still go,
    // as they would have once it closed.
    swept.support_messages = delete(
        db,
        "support_messages",
        "created_at <= $1",
        &[now - lifetimes.support_idle_close - lifetimes.support],
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
    let webhooks_before = now - WEBHOOK_LOG_SECS;
    let settled_webhooks = format!(
        "channel = '{}' and state <> '{}' and created_at <= $1",
        Channel::Webhook.key(),
        Delivery::Pending.key()
    );
    swept.webhooks = delete(db, "outbox", &settled_webhooks, &[webhooks_before]).await?
        + delete(
            db,
            "webhook_attempts",
            "at_ms <= $1",
            &[webhooks_before * 1000],
        )
        .await?;
    // Counters of passed windows, post answers no longer fresh, the API's kept answers and old
    // call log: no one's data, not counted.
    crate::budget::forget_past(db, now).await?;
    crate::api::forget_past(db, now).await?;
    crate::support::forget_past_replies(db, now).await?;
    crate::posts::forget_stale(db, now - crate::posts::FRESH_SECS).await?;
    Ok(swept)
}

/// Deletes the rows of `table` matching `condition` (its `$1`, `$2` bound to `binds`), at
/// most [`BATCH`] per statement, picked by their physical row id (`rowid`, `ctid`).
/// `table` and `condition` are this module's constants, never input. Returns how many went.
async fn delete(db: &Db, table: &str, condition: &str, binds: &[i64]) -> Result<u64, StoreError> {
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
