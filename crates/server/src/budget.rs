//! One budget for Divar's API. Every call Ersal makes with its API key spends one daily quota
//! and one per-minute limit, shared by everything it sends; the database counts them for every
//! instance together ([`store::budget`]) under a ceiling set below the key's quota
//! ([`crate::Config::divar_calls`]). Each caller has a [`Priority`], and a lower priority may
//! fill a smaller share of the ceiling: a flood of bot answers or post reads stops while
//! chat notifications still go. A 429 from Divar makes every instance wait its `Retry-After`.

use store::budget::{self, Spent};

use crate::error::AppError;
use crate::state::AppState;
use crate::telemetry;

domain::keyed! {
    /// Who spends a call, most important first; the label is what the console shows.
    pub enum Priority {
        /// Chat notifications of shipments, and finding who granted (revocation's work).
        Notify = ("notify", "پیام‌های ارسال در گفتگو"),
        /// Sellers' widgets on their posts.
        Addon = ("addon", "ویجت‌های آگهی"),
        /// The support bot's answers.
        Bot = ("bot", "پاسخ‌های بات پشتیبانی"),
        /// The seller's shipping assistant: its answers and its subscriptions.
        Assistant = ("assistant", "پاسخ‌های دستیار ارسال"),
        /// Reading a post (get-post).
        GetPost = ("get_post", "خواندن آگهی"),
    }
}

impl Priority {
    /// The share of the ceiling, in percent, this priority may fill: what a lower one cannot
    /// spend is kept for those above it.
    pub fn share(self) -> i64 {
        match self {
            Self::Notify => 100,
            Self::Addon => 90,
            Self::Bot => 75,
            Self::Assistant => 70,
            Self::GetPost => 60,
        }
    }
}

/// Whether a call may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spend {
    /// Counted: call Divar.
    Go,
    /// Not now: try again at `until_ms` (nothing was counted).
    Held { until_ms: i64 },
}

/// Counts one call of `priority` if its share of the budget allows it and Divar has not asked
/// to wait.
pub async fn spend(state: &AppState, priority: Priority) -> Result<Spend, AppError> {
    let now_ms = state.now_ms();
    let (per_minute, per_day) = state.config.divar_calls;
    let share = |limit: i64| (limit * priority.share() / 100).max(1);
    let spent = budget::spend(&state.db, now_ms, share(per_minute), share(per_day)).await?;
    telemetry::divar_call(priority.key(), spent == Spent::Counted);
    Ok(match spent {
        Spent::Counted => Spend::Go,
        Spent::Paused(until_ms) => Spend::Held { until_ms },
        // The next minute may have room again (a spent day keeps holding, one check a minute).
        Spent::Full => Spend::Held {
            until_ms: (now_ms / 60_000 + 1) * 60_000,
        },
    })
}

/// Divar answered 429: every instance waits `retry_after` seconds (a minute when Divar did
/// not say).
pub async fn slow_down(state: &AppState, retry_after: Option<u64>) {
    let wait_ms = i64::try_from(retry_after.unwrap_or(60).clamp(1, 3600)).unwrap_or(60) * 1000;
    tracing::warn!(wait_ms, "Divar limited the rate: every call waits");
    if let Err(cause) = budget::pause(&state.db, state.now_ms() + wait_ms).await {
        tracing::error!(error = %cause, "the pause Divar asked for could not be recorded");
    }
}

/// How the budget stands now, for the console and the metrics.
pub struct Standing {
    pub minute_used: i64,
    pub day_used: i64,
    pub per_minute: i64,
    pub per_day: i64,
    /// Divar asked to wait, or the lower priorities have filled their share: their work
    /// waits while notifications still go.
    pub holding_back: bool,
}

pub async fn standing(state: &AppState) -> Result<Standing, AppError> {
    let (minute_used, day_used) = budget::used(&state.db, state.now()).await?;
    let paused = budget::paused_until(&state.db).await? > state.now_ms();
    let (per_minute, per_day) = state.config.divar_calls;
    let lowest = |limit: i64| limit * Priority::GetPost.share() / 100;
    Ok(Standing {
        minute_used,
        day_used,
        per_minute,
        per_day,
        holding_back: paused || minute_used >= lowest(per_minute) || day_used >= lowest(per_day),
    })
}
