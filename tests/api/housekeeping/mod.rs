//! What the privacy page says is kept, and for how long, is what the code does: each sentence
//! of the page is built from the durations its server function serves, and each test here
//! takes a duration from that function, moves the clock to just before it (the rows stay) and
//! just after it (the rows are gone), and looks in the SQLite tables themselves.
//!
//! * this module: the helpers and the page itself;
//! * [`sweep`]: what housekeeping deletes, table by table;
//! * [`purge`]: the retention purge, the expiry and the scheduled round.

mod purge;
mod sweep;

use std::net::SocketAddr;

use app::privacy::{sentences, Terms};
use axum::body::Body;
use axum::extract::ConnectInfo;
use domain::code::TrackingCode;
use domain::status::{Actor, Status};
use ersal_server::chat::buttons::button_data;
use ersal_server::chat::Op;
use ersal_server::housekeeping::{self, Swept};
use ersal_server::retention;
use ersal_server::{consent, jobs, oauth};
use http::{Request, StatusCode};
use serde_json::{json, Value};
use store::shipments::{self, Change};
use store::{operators, sessions};
use tower::ServiceExt;

use crate::chat::shipment_in;
use crate::support::{conv, leptos_options, Reply, TestApp, TestEnv, CLIENT, QUOTE_SUBMIT};

/// A minute: every check happens this long before or after the time the page states.
const MINUTE: i64 = 60;

/// The durations the privacy page states, as its server function serves them.
async fn terms(app: &TestApp) -> Terms {
    let reply = app
        .send(
            Request::post("/api/privacy/retention")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    serde_json::from_slice(&reply.body).expect("the terms as JSON")
}

/// One housekeeping sweep at `now`, with the lifetimes the job uses.
async fn sweep(app: &TestApp, now: i64) -> Swept {
    housekeeping::sweep(
        &app.state.db,
        &housekeeping::lifetimes(&app.state.config),
        now,
    )
    .await
    .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

/// Rows in `landing_sessions`, `browser_sessions` and `drafts`.
async fn sessions_and_drafts(app: &TestApp) -> (i64, i64, i64) {
    (
        count(app, "select count(*) from landing_sessions").await,
        count(app, "select count(*) from browser_sessions").await,
        count(app, "select count(*) from drafts").await,
    )
}

/// A landing URL's path from an init call with `body`.
async fn landing_path(app: &TestApp, body: Value) -> String {
    app.landing_path(&body).await
}

/// A buyer opened from a chat's add-ons menu without a conversation: the `name=value` cookie.
async fn buyer(app: &TestApp) -> String {
    let path = landing_path(
        app,
        json!({"source": "CHAT", "conversation_id": null, "user_side": "Demand", "extra_data": {}}),
    )
    .await;
    app.open(&format!("http://ersal.test{path}")).await
}

/// A fresh app with a buyer's session opened now: the app, the terms it states, the time and
/// the session cookie.
async fn a_buyer_with_the_terms() -> (TestApp, Terms, i64, String) {
    let app = TestApp::new().await;
    let terms = terms(&app).await;
    let now = app.state.now();
    let cookie = buyer(&app).await;
    (app, terms, now, cookie)
}

/// The token in a `name=value` cookie.
fn token(cookie: &str) -> &str {
    cookie.split_once('=').unwrap().1
}

/// Counts as activity of the browser session `cookie` at `now`: `false` when it has ended.
async fn touch(app: &TestApp, cookie: &str, now: i64) -> bool {
    sessions::current(
        &app.state.db,
        &app.state.keys,
        token(cookie),
        now,
        app.state.idle_secs(),
    )
    .await
    .unwrap()
    .is_some()
}

/// Posts a step of the flow as a browser without JavaScript.
async fn step(app: &TestApp, cookie: &str, endpoint: &str, fields: &[(&str, &str)]) -> Reply {
    let reply = app
        .post_form(
            CLIENT,
            &format!("/api/flow/{endpoint}"),
            Some(cookie),
            fields,
        )
        .await;
    assert!(
        reply.status.is_redirection(),
        "{endpoint}: {}",
        reply.text()
    );
    reply
}

const ITEM: [(&str, &str); 3] = [
    ("form[description]", "گوشی سامسونگ"),
    ("form[size_class]", "small"),
    ("form[declared_value]", "۱۸٬۵۰۰٬۰۰۰"),
];

/// A side's details: `handover` is `door` for a receiver, `dropoff` for a sender.
fn party(handover: &str) -> [(&str, &str); 5] {
    [
        ("form[name]", "علی محمدی"),
        ("form[mobile]", "۰۹۳۵ ۱۲۳ ۴۵۶۷"),
        ("form[city]", "isfahan"),
        ("form[address]", "خیابان چهارباغ، کوچهٔ گلستان"),
        ("form[handover]", handover),
    ]
}

/// Keeps a page open from `from` to `until`: its session is used every half idle period,
/// with a sweep after each use, and must stay alive throughout. Then the sessions and drafts
/// left, as [`sessions_and_drafts`] counts them.
async fn keep_active(
    app: &TestApp,
    cookie: &str,
    (from, until): (i64, i64),
    idle: i64,
) -> (i64, i64, i64) {
    let mut at = from;
    while at < until {
        at = (at + idle / 2).min(until);
        assert!(touch(app, cookie, at).await, "alive at +{}s", at - from);
        sweep(app, at).await;
    }
    sessions_and_drafts(app).await
}

#[tokio::test]
async fn the_privacy_page_states_the_durations_the_code_applies() {
    let app = TestApp::new().await;
    let terms = terms(&app).await;
    // Each number has one home: the configuration or a constant beside the rule using it.
    let config = &app.state.config;
    assert_eq!(terms, housekeeping::lifetimes(config));
    assert_eq!(terms.landing_link, app.state.landing_ttl_secs());
    assert_eq!(terms.session_idle, app.state.idle_secs());
    assert_eq!(terms.session_max, store::sessions::MAX_SECS);
    assert_eq!(terms.draft_idle, housekeeping::DRAFT_IDLE_SECS);
    assert_eq!(terms.oauth_state, oauth::STATE_LIFETIME_SECS);
    assert_eq!(terms.console_idle, operators::IDLE_SECS);
    assert_eq!(terms.console_max, operators::MAX_SESSION_SECS);
    assert_eq!(terms.login_failure, operators::ADDRESS_WINDOW_SECS);
    assert_eq!(terms.retention, i64::from(config.retention_days) * 86_400);
    assert_eq!(terms.counterparty, retention::COUNTERPARTY_DAYS * 86_400);
    assert_eq!(terms.sweep_every, jobs::EVERY_SECS);
    let support = i64::from(config.support_retention_days) * 86_400;
    assert_eq!(terms.support, support);
    assert_eq!(
        terms.support_idle_close,
        ersal_server::support::IDLE_CLOSE_SECS
    );
    assert_eq!(terms.event, ersal_server::support::events::KEEP_SECS);

    let page = app.get("/privacy", None).await.text();
    for (name, sentence) in sentences(&terms) {
        assert!(
            page.contains(&format!("data-testid=\"{name}\"")),
            "{name} missing"
        );
        assert!(
            page.contains(&sentence),
            "{name}: «{sentence}» not on the page"
        );
    }
}

#[tokio::test]
async fn the_page_follows_the_configuration() {
    let env = TestEnv::new([
        ("ERSAL_RETENTION_DAYS", "45".to_owned()),
        ("ERSAL_LANDING_TTL_SECS", "600".to_owned()),
        ("ERSAL_SESSION_IDLE_SECS", "1200".to_owned()),
    ]);
    let state = env.state().await;
    let router = ersal::server::router(state, leptos_options());
    let mut request = Request::get("/privacy").body(Body::empty()).unwrap();
    let client: SocketAddr = CLIENT.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(client));
    let response = router.oneshot(request).await.unwrap();
    let page = String::from_utf8(
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    for (name, said) in [
        ("retention", "۴۵ روز پس از پایان ارسال"),
        ("link", "تا ۱۰ دقیقه کار می‌کند"),
        ("session", "پس از ۲۰ دقیقه بی‌کاری"),
    ] {
        assert!(page.contains(said), "{name}: «{said}» not on the page");
    }
}

/// The buyer behind `cookie` fills the flow and saves a shipment (no chat): its code. The draft
/// exists until the submission.
pub(crate) async fn saved_by(app: &TestApp, cookie: &str) -> TrackingCode {
    step(app, cookie, "item", &ITEM).await;
    step(app, cookie, "party", &party("door")).await;
    assert_eq!(count(app, "select count(*) from drafts").await, 1);
    let saved = step(app, cookie, "quote", &QUOTE_SUBMIT).await;
    let code = saved
        .header("location")
        .unwrap()
        .strip_prefix("/t/")
        .unwrap();
    TrackingCode::parse(code).expect("a tracking page")
}

/// Presses `op`'s button of shipment `id` in `conversation`: the session cookie.
async fn press(app: &TestApp, conversation: &str, id: &TrackingCode, op: Op) -> String {
    let data = button_data(&app.state.keys, id, op, &conv(conversation), None);
    let path = landing_path(
        app,
        json!({"source": "CHAT_MESSAGE_ACTION", "conversation_id": conversation, "user_side": "Supply", "extra_data": data}),
    )
    .await;
    app.open(&format!("http://ersal.test{path}")).await
}
