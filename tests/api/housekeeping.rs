//! What the privacy page says is kept, and for how long, is what the code does: each sentence
//! of the page is built from the durations its server function serves, and each test here
//! takes a duration from that function, moves the clock to just before it (the rows stay) and
//! just after it (the rows are gone), and looks in the SQLite tables themselves.

use std::net::SocketAddr;

use app::privacy::{duration, sentences, Terms};
use axum::body::Body;
use axum::extract::ConnectInfo;
use domain::code::TrackingCode;
use domain::status::{Actor, Status};
use ersal_server::chat::buttons::button_data;
use ersal_server::chat::{tokens, Op};
use ersal_server::housekeeping::{self, Swept};
use ersal_server::shipments::{self, retention, Change};
use ersal_server::{jobs, oauth, operators, sessions, AppState};
use http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::chat::shipment_in;
use crate::support::{leptos_options, Reply, TestApp, TestEnv, CLIENT, QUOTE_SUBMIT};

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
    assert_eq!(terms.session_max, housekeeping::SESSION_MAX_SECS);
    assert_eq!(terms.draft_idle, housekeeping::DRAFT_IDLE_SECS);
    assert_eq!(terms.oauth_state, oauth::STATE_LIFETIME_SECS);
    assert_eq!(terms.console_idle, operators::IDLE_SECS);
    assert_eq!(terms.console_max, operators::MAX_SESSION_SECS);
    assert_eq!(terms.login_failure, operators::ADDRESS_WINDOW_SECS);
    assert_eq!(terms.retention, i64::from(config.retention_days) * 86_400);
    assert_eq!(terms.counterparty, retention::COUNTERPARTY_DAYS * 86_400);
    assert_eq!(terms.sweep_every, jobs::EVERY_SECS);

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
    assert_eq!(duration(30 * 60), "۳۰ دقیقه");
    assert_eq!(duration(12 * 3600), "۱۲ ساعت");
    assert_eq!(duration(30 * 86_400), "۳۰ روز");
    assert_eq!(duration(90), "۹۰ ثانیه");
}

#[tokio::test]
async fn the_page_follows_the_configuration() {
    let env = TestEnv::new([
        ("ERSAL_RETENTION_DAYS", "45".to_owned()),
        ("ERSAL_LANDING_TTL_SECS", "600".to_owned()),
        ("ERSAL_SESSION_IDLE_SECS", "1200".to_owned()),
    ]);
    let state = AppState::connect(env.config()).await.unwrap();
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

#[tokio::test]
async fn a_landing_link_never_opened_goes_when_it_expires() {
    let app = TestApp::new().await;
    let link = terms(&app).await.landing_link;
    let now = app.state.now();
    landing_path(
        &app,
        json!({"source": "CHAT", "conversation_id": "c-1", "user_side": "Demand"}),
    )
    .await;

    assert_eq!(sweep(&app, now + link - MINUTE).await, Swept::default());
    assert_eq!(sessions_and_drafts(&app).await, (1, 0, 0), "still usable");

    let swept = sweep(&app, now + link + MINUTE).await;
    assert_eq!(swept.landing_sessions, 1);
    assert_eq!(sessions_and_drafts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn an_idle_session_ends_and_takes_what_divar_sent_and_the_draft() {
    let (app, terms, now, cookie) = a_buyer_with_the_terms().await;
    let idle = terms.session_idle;
    step(&app, &cookie, "item", &ITEM).await;
    assert_eq!(sessions_and_drafts(&app).await, (1, 1, 1));

    sweep(&app, now + idle - MINUTE).await;
    assert_eq!(sessions_and_drafts(&app).await, (1, 1, 1), "not idle yet");

    let swept = sweep(&app, now + idle + MINUTE).await;
    assert_eq!(
        (swept.browser_sessions, swept.landing_sessions, swept.drafts),
        (1, 1, 1)
    );
    assert_eq!(sessions_and_drafts(&app).await, (0, 0, 0));
    assert!(!touch(&app, &cookie, now + idle + MINUTE).await);
}

#[tokio::test]
async fn an_active_session_still_ends_at_its_longest() {
    let (app, terms, now, cookie) = a_buyer_with_the_terms().await;

    // Active every half idle period, up to a minute before the longest lifetime.
    let last = now + terms.session_max - MINUTE;
    let left = keep_active(&app, &cookie, (now, last), terms.session_idle).await;
    assert_eq!(left, (1, 1, 0), "active, not too old");

    let end = now + terms.session_max + MINUTE;
    assert!(touch(&app, &cookie, end - MINUTE).await, "still active");
    let swept = sweep(&app, end).await;
    assert_eq!((swept.browser_sessions, swept.landing_sessions), (1, 1));
    assert_eq!(sessions_and_drafts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn an_abandoned_draft_goes_even_while_its_session_lives() {
    let (app, terms, now, cookie) = a_buyer_with_the_terms().await;
    step(&app, &cookie, "item", &ITEM).await;

    // The page stays open (the session is active) but nothing is typed.
    let last = now + terms.draft_idle - MINUTE;
    let left = keep_active(&app, &cookie, (now, last), terms.session_idle).await;
    assert_eq!(left, (1, 1, 1), "not abandoned yet");
    let abandoned = now + terms.draft_idle + MINUTE;
    assert!(touch(&app, &cookie, abandoned).await);
    assert_eq!(sweep(&app, abandoned).await.drafts, 1);
    assert_eq!(
        sessions_and_drafts(&app).await,
        (1, 1, 0),
        "the session lives on"
    );
}

#[tokio::test]
async fn a_draft_goes_once_its_request_is_saved_or_confirmed() {
    let app = TestApp::new().await;
    // Saved: the opener's draft.
    let cookie = buyer(&app).await;
    saved_by(&app, &cookie).await;
    assert_eq!(count(&app, "select count(*) from drafts").await, 0);

    // Confirmed: the other side's draft, with their name, phone and address.
    let id = shipment_in(&app, "conv-A").await;
    let cookie = press(&app, "conv-A", &id, Op::Fill).await;
    step(&app, &cookie, "party", &party("dropoff")).await;
    assert_eq!(count(&app, "select count(*) from drafts").await, 1);
    step(&app, &cookie, "confirm", &[("form[confirm]", "1")]).await;
    assert_eq!(app.shipment(&id).await.status, Status::Booked);
    assert_eq!(count(&app, "select count(*) from drafts").await, 0);
}

/// The buyer behind `cookie` fills the flow and saves a shipment (no chat): its code. The draft
/// exists until the submission.
async fn saved_by(app: &TestApp, cookie: &str) -> TrackingCode {
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
    let data = button_data(&app.state.keys, id, op, conversation);
    let path = landing_path(
        app,
        json!({"source": "CHAT_MESSAGE_ACTION", "conversation_id": conversation, "user_side": "Supply", "extra_data": data}),
    )
    .await;
    app.open(&format!("http://ersal.test{path}")).await
}

#[tokio::test]
async fn an_oauth_state_goes_once_used_or_expired() {
    let app = TestApp::new().await;
    let lifetime = terms(&app).await.oauth_state;
    let now = app.state.now();
    let reply = app
        .init(&json!({"source": "CHAT", "conversation_id": "c-1", "user_side": "Demand"}))
        .await;
    let session = app.session_for(&reply).await;
    let state_of = |url: url::Url| {
        url.query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned()
    };
    let used = state_of(oauth::begin(&app.state, &session.id, "c-1").await.unwrap());
    oauth::begin(&app.state, &session.id, "c-1").await.unwrap();
    assert!(oauth::consume_state(&app.state.db, &used, now)
        .await
        .unwrap()
        .is_some());
    let states = || count(&app, "select count(*) from oauth_states");

    assert_eq!(sweep(&app, now + 1).await.oauth_states, 1, "the used one");
    assert_eq!(states().await, 1);
    sweep(&app, now + lifetime - MINUTE).await;
    assert_eq!(states().await, 1, "the other one can still be used");
    assert_eq!(sweep(&app, now + lifetime + MINUTE).await.oauth_states, 1);
    assert_eq!(states().await, 0);
    assert_eq!(
        count(&app, "select count(*) from landing_sessions").await,
        1,
        "its session lives on"
    );
}

#[tokio::test]
async fn console_sessions_end_when_idle_or_old_and_failed_logins_are_forgotten() {
    let app = TestApp::new().await;
    let terms = terms(&app).await;
    let db = &app.state.db;
    let passwords = &app.state.passwords;
    let now = app.state.now();
    operators::add(db, "ali", crate::console::PASSWORD, now)
        .await
        .unwrap();
    let login = |password: &'static str, at: i64| async move {
        operators::login(db, passwords, "ali", password, Some("10.0.0.9"), at)
            .await
            .unwrap()
    };
    let consoles = || count(&app, "select count(*) from operator_sessions");
    let failures = || count(&app, "select count(*) from login_failures");

    // Idle.
    let operators::Login::Accepted(_) = login(crate::console::PASSWORD, now).await else {
        panic!("refused");
    };
    sweep(&app, now + terms.console_idle - MINUTE).await;
    assert_eq!(consoles().await, 1);
    assert_eq!(
        sweep(&app, now + terms.console_idle + MINUTE)
            .await
            .console_sessions,
        1
    );
    assert_eq!(consoles().await, 0);

    // Active, but old.
    let operators::Login::Accepted(session) = login(crate::console::PASSWORD, now).await else {
        panic!("refused");
    };
    let last = now + terms.console_max - MINUTE;
    let mut at = now;
    while at < last {
        at = (at + terms.console_idle / 2).min(last);
        assert!(operators::current(db, &session.cookie, at)
            .await
            .unwrap()
            .is_some());
        sweep(&app, at).await;
    }
    assert_eq!(consoles().await, 1, "active, not too old");
    assert_eq!(
        sweep(&app, now + terms.console_max + MINUTE)
            .await
            .console_sessions,
        1
    );
    assert_eq!(consoles().await, 0);

    // A failed login and its address.
    let before = failures().await;
    login("wrong password!", now).await;
    assert_eq!(failures().await, before + 1);
    sweep(&app, now + terms.login_failure - MINUTE).await;
    assert_eq!(
        failures().await,
        before + 1,
        "still counted against the address"
    );
    sweep(&app, now + terms.login_failure + MINUTE).await;
    assert_eq!(failures().await, 0);
}

/// Runs the purge at `at`, with the configured retention: how many were purged.
async fn purge_at(app: &TestApp, at: i64) -> u64 {
    retention::purge_personal_data(
        &app.state.db,
        &app.state.keys,
        app.state.config.retention_days,
        at,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn the_purge_removes_both_sides_sessions_drafts_and_notes_and_keeps_the_record() {
    let app = TestApp::new().await;
    let kept_for = terms(&app).await.retention;
    let db = &app.state.db;
    let id = shipment_in(&app, "conv-A").await;
    // The other side pressed "fill in" and typed their details, but never confirmed.
    let cookie = press(&app, "conv-A", &id, Op::Fill).await;
    step(&app, &cookie, "party", &party("dropoff")).await;
    // Someone else, not part of this shipment.
    buyer(&app).await;
    assert_eq!(sessions_and_drafts(&app).await, (3, 2, 1));
    // An operator cancels with a note, and looked at the personal data.
    operators::add(db, "ali", crate::console::PASSWORD, app.state.now())
        .await
        .unwrap();
    let ali: i64 = count(&app, "select id from operators").await;
    operators::audit(db, &id, ali, "مشاهدهٔ اطلاعات شخصی", app.state.now())
        .await
        .unwrap();
    let mut cancel = Change::to(Status::Cancelled, Actor::Operator);
    cancel.note = Some("فرستنده، علی محمدی ۰۹۳۵۱۲۳۴۵۶۷، انصراف داد".into());
    cancel.operator = Some(ali);
    let now = app.state.now();
    shipments::transition(db, &id, cancel, now).await.unwrap();
    let events = count(&app, "select count(*) from shipment_events").await;
    let audits = count(&app, "select count(*) from audit").await;
    let notes = || {
        count(
            &app,
            "select count(*) from shipment_events where note is not null",
        )
    };
    let texts = || count(&app, "select count(*) from audit where what <> ''");
    assert_eq!((notes().await, texts().await), (1, 2));

    assert_eq!(purge_at(&app, now + kept_for - 3600).await, 0, "not yet");
    assert_eq!(sessions_and_drafts(&app).await, (3, 2, 1));

    assert_eq!(purge_at(&app, now + kept_for + MINUTE).await, 1);
    assert_eq!(
        sessions_and_drafts(&app).await,
        (1, 1, 0),
        "only the stranger's session is left"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from shipments where landing_digest is not null"
        )
        .await,
        0,
        "no longer linked to any session"
    );
    assert_eq!(
        (notes().await, texts().await),
        (0, 0),
        "notes and audit texts blanked"
    );
    assert_eq!(
        (
            count(&app, "select count(*) from shipment_events").await,
            count(&app, "select count(*) from audit").await
        ),
        (events, audits),
        "who did what when stays"
    );
    let purged = app.shipment(&id).await;
    assert_eq!(purged.order.parties, shipments::Parties::default());
    assert_eq!(purged.order.item.description.as_str(), "گوشی");
    assert_eq!(purged.status, Status::Cancelled);
}

#[tokio::test]
async fn the_purge_keeps_a_session_another_open_shipment_came_from() {
    let app = TestApp::new().await;
    let kept_for = terms(&app).await.retention;
    let cookie = buyer(&app).await;
    let first = saved_by(&app, &cookie).await;
    let second = saved_by(&app, &cookie).await;
    let now = app.state.now();
    shipments::transition(
        &app.state.db,
        &first,
        Change::to(Status::Cancelled, Actor::Operator),
        now,
    )
    .await
    .unwrap();

    assert_eq!(purge_at(&app, now + kept_for + MINUTE).await, 1);
    assert_eq!(
        sessions_and_drafts(&app).await,
        (1, 1, 0),
        "the second shipment's opener keeps their session"
    );
    assert!(!app.shipment(&second).await.order.landing.is_empty());
    assert!(app.shipment(&first).await.order.landing.is_empty());
}

#[tokio::test]
async fn the_purge_keeps_the_chat_permission_an_open_shipment_still_needs() {
    let app = TestApp::new().await;
    let kept_for = terms(&app).await.retention;
    let db = &app.state.db;
    let granted = oauth::Tokens {
        access: "ory_at_x".into(),
        refresh: Some("ory_rt_x".into()),
        expires_in: 3600,
        scopes: Vec::new(),
    };
    let ended = shipment_in(&app, "conv-A").await;
    shipment_in(&app, "conv-A").await;
    let alone = shipment_in(&app, "conv-B").await;
    let now = app.state.now();
    for id in [&ended, &alone] {
        shipments::transition(db, id, Change::to(Status::Cancelled, Actor::Operator), now)
            .await
            .unwrap();
    }
    // Both chats hold a permission (conv-B's granted after its shipment ended).
    for conversation in ["conv-A", "conv-B"] {
        tokens::store(db, &app.state.keys, conversation, &granted, now)
            .await
            .unwrap();
    }

    assert_eq!(purge_at(&app, now + kept_for + MINUTE).await, 2);
    let left: Vec<String> = sqlx::query_scalar("select conversation_id from chat_tokens")
        .fetch_all(db)
        .await
        .unwrap();
    assert_eq!(
        left,
        ["conv-A"],
        "conv-A's other shipment is open; conv-B has nothing left to hear"
    );
}

#[tokio::test]
async fn a_request_the_other_side_never_completes_expires_when_the_page_says() {
    let app = TestApp::new().await;
    let after = terms(&app).await.counterparty;
    let id = shipment_in(&app, "conv-A").await;
    let now = app.state.now();
    let expire = |at| retention::expire_unanswered(&app.state.db, &app.state.keys, at);
    assert_eq!(expire(now + after - 3600).await.unwrap(), 0);
    assert_eq!(expire(now + after + MINUTE).await.unwrap(), 1);
    assert_eq!(app.shipment(&id).await.status, Status::Expired);
}

#[tokio::test]
async fn the_scheduled_round_expires_purges_and_sweeps() {
    let app = TestApp::new().await;
    let terms = terms(&app).await;
    let id = shipment_in(&app, "conv-A").await;
    let now = app.state.now();

    // Its landing link was never opened: it goes within hours, and the open shipment stays,
    // no longer linked to it.
    let round = jobs::run_once(&app.state, now + terms.landing_link + MINUTE).await;
    assert_eq!(round.swept.unwrap().landing_sessions, 1);
    assert_eq!(round.expired, Some(0));
    let open = app.shipment(&id).await;
    assert_eq!(open.order.landing, "");
    assert_eq!(open.status, Status::AwaitingCounterparty);

    let expired_at = now + terms.counterparty + MINUTE;
    assert_eq!(
        jobs::run_once(&app.state, expired_at).await.expired,
        Some(1)
    );
    let round = jobs::run_once(&app.state, expired_at + terms.retention + MINUTE).await;
    assert_eq!(round.purged, Some(1));
    assert!(app.shipment(&id).await.purged);
}
