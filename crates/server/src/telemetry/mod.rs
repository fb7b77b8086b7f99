//! Metrics for Prometheus, served on their own address (`ERSAL_METRICS_ADDR`, never the public
//! one: they have no authentication). Without that address nothing is recorded.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `ersal_http_request_duration_seconds` | histogram | `route` (the matched route, `/l/{id}`, never a path's values; `unmatched` for files and 404s), `status` (`2xx` … `5xx`) |
//! | `ersal_outbox_backlog` | gauge, read at each scrape: chat messages waiting to be sent | |
//! | `ersal_outbox_oldest_age_seconds` | gauge, read at each scrape: how long the oldest has waited | |
//! | `ersal_chat_sends_total` | counter | `delivery` (`sent`, `pending`, `failed`, `undeliverable`, `unknown`, `not_permitted`), `status` (Divar's HTTP status, `none`) |
//! | `ersal_console_login_failures_total` | counter | `reason` |
//! | `ersal_job_runs_total` | counter | `job`, `outcome` (`ok`, `failed`, `skipped`: another instance held the jobs' lock) |
//! | `ersal_divar_calls_total` | counter: calls to Divar's API asked for | `priority` (`notify`, `addon`, `bot`, `get_post`), `outcome` (`spent`, `held`) |
//! | `ersal_log_lines_dropped_total` | counter: log lines dropped because the sink was slower than the log | |
//! | `ersal_divar_budget_left` | gauge, read at each scrape: calls left under the ceiling | `window` (`minute`, `day`) |
//!
//! Divar's init is the `route="/divar/init"` series of the request histogram: its `_count` is
//! the number of inits by status, its buckets their latency.

mod latency;
pub mod logs;

use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics::{counter, gauge};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::config::ListenerLimits;
use crate::error::AppError;
use crate::state::AppState;

pub use latency::record_latency;

const HTTP_DURATION: &str = "ersal_http_request_duration_seconds";
const OUTBOX_BACKLOG: &str = "ersal_outbox_backlog";
const OUTBOX_OLDEST_AGE: &str = "ersal_outbox_oldest_age_seconds";
const CHAT_SENDS: &str = "ersal_chat_sends_total";
const LOGIN_FAILURES: &str = "ersal_console_login_failures_total";
const JOB_RUNS: &str = "ersal_job_runs_total";
const DIVAR_CALLS: &str = "ersal_divar_calls_total";
const BUDGET_LEFT: &str = "ersal_divar_budget_left";
const LOG_DROPPED: &str = "ersal_log_lines_dropped_total";

/// Request latency buckets, in seconds: Divar's init answers in well under a millisecond,
/// pages in a few.
const BUCKETS: [f64; 12] = [
    0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
];

/// How often the histograms are drained into their buckets between scrapes (each scrape drains
/// them too).
const UPKEEP: Duration = Duration::from_secs(5);

/// Installs the recorder and serves the metrics on `addr`, for the rest of the process's life.
/// Call once, before serving requests.
pub async fn start(addr: std::net::SocketAddr, state: AppState) -> Result<(), AppError> {
    let handle = install()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::new(format!("binding the metrics address {addr}: {e}")))?;
    tracing::info!("metrics on http://{addr}/metrics");
    tokio::spawn(async move {
        let served = crate::listener::serve(
            listener,
            router(handle, state),
            SCRAPER_LIMITS,
            std::future::pending(),
        )
        .await;
        if let Err(cause) = served {
            tracing::error!(error = %cause, "the metrics listener stopped");
        }
    });
    Ok(())
}

/// The metrics listener serves a few scrapers: it must not let anyone who reaches it hold
/// connections or file descriptors the site needs.
const SCRAPER_LIMITS: ListenerLimits = ListenerLimits {
    header_read: Duration::from_secs(5),
    request: Duration::from_secs(10),
    connections: 16,
};

/// Installs the process's recorder (the benchmark's too). Call once, before anything records.
pub fn install() -> Result<PrometheusHandle, AppError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), &BUCKETS)
        .and_then(PrometheusBuilder::install_recorder)
        .map_err(|e| AppError::new(format!("metrics recorder: {e}")))?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP);
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

/// The metrics address's one route, `GET /metrics`: the outbox gauges are read from the
/// database at each scrape (the same figures from every instance), then everything rendered.
pub fn router(handle: PrometheusHandle, state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state((handle, state))
}

async fn scrape(State((handle, state)): State<(PrometheusHandle, AppState)>) -> Response {
    match store::outbox::backlog(&state.db).await {
        Ok((pending, oldest)) => {
            gauge!(OUTBOX_BACKLOG).set(pending as f64);
            let age = oldest.map_or(0, |created| state.now() - created);
            gauge!(OUTBOX_OLDEST_AGE).set(age.max(0) as f64);
        }
        Err(cause) => {
            // Unknown, not the last figure read: a dashboard must not look healthy meanwhile.
            gauge!(OUTBOX_BACKLOG).set(f64::NAN);
            gauge!(OUTBOX_OLDEST_AGE).set(f64::NAN);
            tracing::error!(error = %cause, "metrics: outbox backlog unreadable");
        }
    }
    match crate::budget::standing(&state).await {
        Ok(now) => {
            gauge!(BUDGET_LEFT, "window" => "minute")
                .set((now.per_minute - now.minute_used) as f64);
            gauge!(BUDGET_LEFT, "window" => "day").set((now.per_day - now.day_used) as f64);
        }
        Err(cause) => {
            gauge!(BUDGET_LEFT, "window" => "minute").set(f64::NAN);
            gauge!(BUDGET_LEFT, "window" => "day").set(f64::NAN);
            tracing::error!(error = %cause, "metrics: Divar's budget unreadable");
        }
    }
    counter!(LOG_DROPPED).absolute(logs::dropped_lines() as u64);
    handle.run_upkeep();
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// One chat message attempt's result.
pub fn chat_send(delivery: &'static str, status: Option<i64>) {
    let status = status.map_or_else(|| "none".to_owned(), |s| s.to_string());
    counter!(CHAT_SENDS, "delivery" => delivery, "status" => status).increment(1);
}

/// A call to Divar's API asked for by `priority`: counted (`spent`), or held back.
pub fn divar_call(priority: &'static str, spent: bool) {
    let outcome = if spent { "spent" } else { "held" };
    counter!(DIVAR_CALLS, "priority" => priority, "outcome" => outcome).increment(1);
}

/// A refused console login.
pub fn login_failed(reason: &'static str) {
    counter!(LOGIN_FAILURES, "reason" => reason).increment(1);
}

/// A background job's run.
pub fn job_ran(job: &'static str, outcome: &'static str) {
    counter!(JOB_RUNS, "job" => job, "outcome" => outcome).increment(1);
}
