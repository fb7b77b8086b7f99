//! The metrics a scrape shows: requests by route and status class (Divar's init among them),
//! the outbox's backlog read from the database, chat sends by outcome, refused logins and job
//! runs. The recorder is the process's, shared with the tests running beside this one: counts
//! are checked to grow, the backlog (read from this test's own database) exactly.

use std::sync::OnceLock;

use axum::body::Body;
use ersal_server::delivery;
use ersal_server::{jobs, telemetry, AppState};
use http::{Request, StatusCode};
use metrics_exporter_prometheus::PrometheusHandle;
use tower::ServiceExt;

use crate::console::PASSWORD;
use crate::init::chat_body;
use crate::outbox::{queue, Harness};
use crate::support::TestApp;

fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| telemetry::install().expect("the only recorder"))
        .clone()
}

/// Scrapes one at a time: a scrape sets the process's backlog gauges from its own database.
async fn scrape(state: &AppState) -> String {
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ONE_AT_A_TIME.lock().await;
    let reply = telemetry::router(recorder(), state.clone())
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    let body = axum::body::to_bytes(reply.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}

/// The value of the series that starts with `series` (name and labels, as far as given), or 0
/// when there is none.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|line| line.starts_with(series))
        .filter_map(|line| line.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

const INIT_OK: &str =
    r#"ersal_http_request_duration_seconds_count{route="/divar/init",status="2xx"}"#;
const INIT_REFUSED: &str =
    r#"ersal_http_request_duration_seconds_count{route="/divar/init",status="4xx"}"#;
const PRIVACY_PAGE: &str =
    r#"ersal_http_request_duration_seconds_count{route="/privacy",status="2xx"}"#;

#[tokio::test]
async fn requests_are_counted_and_timed_by_route_and_status_class() {
    let app = TestApp::with([("ERSAL_METRICS_ADDR", "127.0.0.1:9464".to_owned())]).await;
    let before = scrape(&app.state).await;
    assert_eq!(app.init(&chat_body()).await.status, StatusCode::OK);
    let refused = app
        .init_with(chat_body().to_string(), &[("authorization", "wrong")])
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/privacy", None).await.status, StatusCode::OK);
    let landing = app.landing_path(&chat_body()).await;
    app.open(&format!("http://ersal.test{landing}")).await;
    let after = scrape(&app.state).await;
    for series in [INIT_OK, INIT_REFUSED, PRIVACY_PAGE] {
        assert!(
            value(&after, series) > value(&before, series),
            "{series} grew"
        );
    }
    // The buckets are the configured ones, and a path's values are never labels.
    assert!(after.contains(
        r#"ersal_http_request_duration_seconds_bucket{route="/divar/init",status="2xx",le="0.001"}"#
    ));
    assert!(after.contains(r#"route="/l/{id}""#));
    let id = landing.rsplit('/').next().unwrap();
    assert!(!after.contains(id), "no landing id in the metrics");
}

#[tokio::test]
async fn the_backlog_and_each_send_are_shown() {
    let (harness, state) = Harness::start(3600).await;
    queue(&state).await;
    queue(&state).await;
    let waiting = scrape(&state).await;
    assert_eq!(value(&waiting, "ersal_outbox_backlog "), 2.0);
    assert!(value(&waiting, "ersal_outbox_oldest_age_seconds ") >= 0.0);
    let sent = r#"ersal_chat_sends_total{delivery="sent""#;
    delivery::drain_once(&state).await.unwrap();
    assert_eq!(
        harness.delivered(),
        1,
        "one message per conversation at a time"
    );
    delivery::drain_once(&state).await.unwrap();
    assert_eq!(harness.delivered(), 2);
    let drained = scrape(&state).await;
    assert_eq!(value(&drained, "ersal_outbox_backlog "), 0.0);
    assert!(value(&drained, sent) >= value(&waiting, sent) + 2.0);
}

#[tokio::test]
async fn refused_logins_and_job_runs_are_counted() {
    let app = crate::console::add_ali(TestApp::new().await).await;
    let state = &app.state;
    let wrong = r#"ersal_console_login_failures_total{reason="wrong_credentials"}"#;
    let jobs_ok = r#"ersal_job_runs_total{job="sweep",outcome="ok"}"#;
    let before = scrape(state).await;
    let wrong_password = format!("{PASSWORD}-not");
    let refused = app
        .post_form(
            "198.51.100.7:5000",
            "/api/console/login",
            None,
            &[
                ("form[username]", "ali"),
                ("form[password]", &wrong_password),
            ],
        )
        .await;
    assert!(refused.status.is_redirection(), "{}", refused.status);
    assert!(jobs::run_once(state, state.now()).await.is_some());
    let after = scrape(state).await;
    assert!(value(&after, wrong) > value(&before, wrong));
    assert!(value(&after, jobs_ok) > value(&before, jobs_ok));
}
