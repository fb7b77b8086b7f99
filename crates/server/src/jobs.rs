//! Background jobs, every [`EVERY_SECS`]: shipments whose other side never answered expire, the
//! personal data of ended shipments is purged after the retention period, and housekeeping
//! deletes whatever else has had its time ([`crate::housekeeping`]), the widgets on posts priced
//! by an older tariff are re-posted, the shipping assistants' subscriptions are renewed before
//! they lapse (and the ended ones stopped), and the rate limits forget the addresses they no longer
//! need to remember.
//!
//! With several instances on one PostgreSQL database, the database jobs run in one instance at
//! a time (the holder of an advisory lock, see [`store::db::JobLock`]); the others skip the
//! round. The rate limits are each instance's own, so every instance trims its own.

use std::time::Duration;

use crate::housekeeping::{self, Swept};
use crate::retention;
use crate::state::AppState;
use crate::telemetry;

/// How often the jobs run.
pub const EVERY_SECS: i64 = 10 * 60;

/// What one round did; `None` where a job failed (logged where it happened; the next round
/// tries again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub expired: Option<usize>,
    pub purged: Option<u64>,
    pub swept: Option<Swept>,
    /// Post widgets re-posted with a new tariff's price.
    pub repriced: Option<usize>,
    /// Shipping assistants' subscriptions made again (the ended ones stopped).
    pub renewed: Option<usize>,
}

/// Runs the jobs now, then every [`EVERY_SECS`].
pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(EVERY_SECS.unsigned_abs()));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            run_once(&state, state.now()).await;
        }
    });
}

/// One round of the jobs at `now`, each independent of the others' failures. Logs counts only.
/// `None` when another instance holds the job lock (or it could not be asked for).
pub async fn run_once(state: &AppState, now: i64) -> Option<Round> {
    state.limits.forget_idle();
    // Held until the round ends, however it ends.
    let lock = match state.db.try_lock_jobs().await {
        Ok(Some(lock)) => lock,
        held_or_failed => {
            let outcome = if held_or_failed.is_ok() {
                "skipped"
            } else {
                "failed"
            };
            for job in Round::JOBS {
                telemetry::job_ran(job, outcome);
            }
            return None;
        }
    };
    let round = database_jobs(state, now).await;
    lock.release().await;
    for (job, done) in round.outcomes() {
        telemetry::job_ran(job, if done { "ok" } else { "failed" });
    }
    Some(round)
}

impl Round {
    /// The jobs' names in the metrics.
    const JOBS: [&'static str; 5] = ["expire", "purge", "sweep", "reprice", "assistant"];

    /// Each job's name and whether it did its work.
    fn outcomes(&self) -> [(&'static str, bool); 5] {
        let [expire, purge, sweep, reprice, assistant] = Self::JOBS;
        [
            (expire, self.expired.is_some()),
            (purge, self.purged.is_some()),
            (sweep, self.swept.is_some()),
            (reprice, self.repriced.is_some()),
            (assistant, self.renewed.is_some()),
        ]
    }
}

async fn database_jobs(state: &AppState, now: i64) -> Round {
    let expired = retention::expire_unanswered(&state.db, &state.keys, now)
        .await
        .ok();
    if let Some(expired @ 1..) = expired {
        tracing::info!(expired, "unanswered shipments expired");
    }
    let purged =
        retention::purge_personal_data(&state.db, &state.keys, state.config.retention_days, now)
            .await
            .ok();
    if let Some(purged @ 1..) = purged {
        tracing::info!(purged, "retention: personal data purged");
    }
    let swept = housekeeping::sweep(&state.db, &housekeeping::lifetimes(&state.config), now)
        .await
        .ok();
    let repriced = crate::addons::publish::refresh_prices(state).await.ok();
    if let Some(repriced @ 1..) = repriced {
        tracing::info!(
            repriced,
            "post widgets re-posted with the new tariff's price"
        );
    }
    let renewed = crate::assistant::renew::keep_alive(state).await.ok();
    Round {
        expired,
        purged,
        swept,
        repriced,
        renewed,
    }
}
