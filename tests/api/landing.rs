//! Entering the landing pages: `/l/{id}`, the direct link, and health.

use http::StatusCode;
use serde_json::json;
use store::sessions::{self, Landing, Redeemed};

use crate::support::{exec, TestApp, CLIENT, COMPLETION};

async fn landing_path(app: &TestApp) -> String {
    let chat = json!({"source": "CHAT", "conversation_id": "c-1", "return_url": "https://divar.ir/chat/c-1"});
    app.landing_path(&chat).await
}

#[tokio::test]
async fn a_landing_id_becomes_a_cookie_and_a_clean_url() {
    let app = TestApp::new().await;
    let path = landing_path(&app).await;
    let reply = app.get(&path, None).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.header("location"), Some("/request"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let cookie = reply.header("set-cookie").unwrap();
    assert!(cookie.starts_with("ersal_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(
        !cookie.contains(path.trim_start_matches("/l/")),
        "the cookie is a fresh token, not the landing id"
    );
}

#[tokio::test]
async fn a_landing_id_works_once() {
    let app = TestApp::new().await;
    let path = landing_path(&app).await;
    let cookie = app.open(&format!("http://ersal.test{path}")).await;

    // Opened again elsewhere: refused, with the way back to where the user came from.
    let again = app.get(&path, None).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.header("set-cookie").is_none());
    let page = again.text();
    assert!(page.contains("dir=\"rtl\"") && page.contains("این پیوند دیگر معتبر نیست"));
    assert!(
        page.contains("href=\"https://divar.ir/chat/c-1\""),
        "{page}"
    );
    assert!(page.contains("۳۰ دقیقه"));

    // Reloaded in the webview that holds its cookie: back to the landing page.
    let reload = app.get(&path, Some(&cookie)).await;
    assert_eq!(reload.status, StatusCode::SEE_OTHER);
    assert_eq!(reload.header("location"), Some("/request"));
    assert!(reload.header("set-cookie").is_none());
}

#[tokio::test]
async fn a_self_contained_id_cannot_be_altered_moved_or_reopened_after_housekeeping() {
    let app = TestApp::new().await;
    let path = landing_path(&app).await;
    let id = path.trim_start_matches("/l/");
    assert!(sessions::sealed::is_shaped(id), "{id}");
    assert_eq!(app.landing_count().await, 0, "init wrote nothing");

    // One character changed in the middle of the sealed context.
    let mut altered = id.to_owned().into_bytes();
    let middle = altered.len() / 2;
    altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    assert_eq!(
        app.get(&format!("/l/{altered}"), None).await.status,
        StatusCode::GONE
    );
    // Another deployment (another root secret) cannot open it.
    let elsewhere = TestApp::with([(
        "ERSAL_SECRET_KEY",
        "another-deployments-root-secret-0001".to_owned(),
    )])
    .await;
    assert_eq!(elsewhere.get(&path, None).await.status, StatusCode::GONE);
    assert_eq!(
        (app.landing_count().await, elsewhere.landing_count().await),
        (0, 0)
    );

    // Opened, its session ended and swept: the id still opens nothing while it is unexpired.
    let cookie = app.open(&format!("http://ersal.test{path}")).await;
    exec(&app.state.db, "delete from browser_sessions").await;
    let lifetimes = ersal_server::housekeeping::lifetimes(&app.state.config);
    ersal_server::housekeeping::sweep(&app.state.db, &lifetimes, app.state.now())
        .await
        .unwrap();
    assert_eq!(app.get(&path, Some(&cookie)).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn once_its_hour_key_is_swept_a_landing_url_opens_for_nobody() {
    let app = TestApp::new().await;
    let path = landing_path(&app).await;
    let id = path.trim_start_matches("/l/").to_owned();
    let period = sessions::sealed::parse(&id).unwrap().period;
    let lifetimes = ersal_server::housekeeping::lifetimes(&app.state.config);
    let hour = sessions::link_keys::PERIOD_SECS;
    let sweep = |at| ersal_server::housekeeping::sweep(&app.state.db, &lifetimes, at);
    let still_needed = (period + 1) * hour + lifetimes.landing_link - 60;
    assert_eq!(sweep(still_needed).await.unwrap().landing_keys, 0);
    assert_eq!(sweep(still_needed + 120).await.unwrap().landing_keys, 1);

    // Not from the memory of the process that made the key, once its ids cannot be valid…
    let keys = (&app.state.link_keys, &app.state.keys);
    let later = still_needed + 120;
    assert!(keys.0.of(keys.1, period, later).await.unwrap().is_none());
    // …nor from the database, in another process (asked while the window is still open).
    let app = app.restarted([]).await;
    let keys = (&app.state.link_keys, &app.state.keys);
    let now = app.state.now();
    assert!(keys.0.of(keys.1, period, now).await.unwrap().is_none());
    assert_eq!(app.get(&path, None).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn unknown_and_malformed_ids_explain_and_offer_the_way_back() {
    let app = TestApp::new().await;
    for path in [
        "/l/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/l/short",
        "/l/%3Cscript%3E",
    ] {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status, StatusCode::GONE, "{path}");
        assert!(reply.text().contains(&format!("href=\"{COMPLETION}\"")));
        assert!(!reply.text().contains("<script>"));
    }
}

#[tokio::test]
async fn an_expired_id_is_refused() {
    let app = TestApp::new().await;
    let long_ago = app.state.now() - 3600;
    let landing = Landing::fallback(None, COMPLETION.to_owned());
    let token = sessions::create_landing(
        &app.state.db,
        &app.state.link_keys,
        &app.state.keys,
        &landing,
        long_ago,
        1800,
    )
    .await
    .unwrap();
    // Spent while its hour's key may still be read (its way back is known), unknown after.
    assert!(matches!(
        sessions::redeem(
            &app.state.db,
            &app.state.link_keys,
            &app.state.keys,
            &token,
            app.state.now()
        )
        .await
        .unwrap(),
        Redeemed::Spent { .. } | Redeemed::Unknown
    ));
    assert_eq!(
        app.get(&format!("/l/{token}"), None).await.status,
        StatusCode::GONE
    );
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::new().await;
    let landing = Landing::fallback(None, COMPLETION.to_owned());
    let now = app.state.now();
    let token = sessions::create_landing(
        &app.state.db,
        &app.state.link_keys,
        &app.state.keys,
        &landing,
        now,
        1800,
    )
    .await
    .unwrap();
    let Redeemed::Session { cookie_token } = sessions::redeem(
        &app.state.db,
        &app.state.link_keys,
        &app.state.keys,
        &token,
        now,
    )
    .await
    .unwrap() else {
        panic!("fresh id not redeemed");
    };
    let idle = app.state.idle_secs();
    let alive = sessions::current(
        &app.state.db,
        &app.state.keys,
        &cookie_token,
        now + idle - 1,
        idle,
    )
    .await
    .unwrap();
    assert!(alive.is_some(), "activity just inside the idle window");
    let later = now + idle - 1 + idle + 1;
    let gone = sessions::current(&app.state.db, &app.state.keys, &cookie_token, later, idle)
        .await
        .unwrap();
    assert!(gone.is_none(), "idle longer than the window");
}

#[tokio::test]
async fn the_direct_link_starts_a_fallback_session() {
    let app = TestApp::new().await;
    let reply = app
        .get(
            "/divar/fallback?post_token=QpR7x2Lm&return_url=https%3A%2F%2Fevil.example%2F",
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let location = reply.header("location").unwrap().to_owned();
    assert!(location.starts_with("/l/"));
    let cookie = app.open(&format!("http://ersal.test{location}")).await;
    let mut headers = http::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    let session = app.state.current_session(&headers).await.unwrap().unwrap();
    assert_eq!(session.landing.source, kenar::Source::Fallback);
    let post = kenar::PostToken::parse("QpR7x2Lm").ok();
    assert_eq!(session.landing.post_token, post);
    assert_eq!(
        session.landing.return_target, COMPLETION,
        "a return address from the browser is ignored"
    );

    assert_eq!(
        app.get("/divar/fallback", None).await.status,
        StatusCode::SEE_OTHER,
        "post_token is optional"
    );
}

#[tokio::test]
async fn a_bad_direct_link_is_explained_and_stores_nothing() {
    let app = TestApp::new().await;
    let long = format!("/divar/fallback?post_token=a&pad={}", "x".repeat(4096));
    for uri in [
        "/divar/fallback?post_token=%3Cscript%3E",
        "/divar/fallback?post_token=abcdefghijk",
        long.as_str(),
    ] {
        let reply = app.get(uri, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(reply.text().contains("پیوند نادرست است"));
    }
    assert_eq!(app.landing_count().await, 0);
}

#[tokio::test]
async fn health_and_readiness_check_the_database_and_its_migrations() {
    let app = TestApp::new().await;
    for probe in ["/healthz", "/readyz"] {
        let reply = app.get(probe, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{probe}");
        assert_eq!(reply.json()["status"], "ok");
    }
    // As if this build were newer than the database: its newest migration is not applied.
    exec(
        &app.state.db,
        "delete from _sqlx_migrations where version = (select max(version) from _sqlx_migrations)",
    )
    .await;
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/readyz", None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    app.state.db.close().await;
    for probe in ["/healthz", "/readyz"] {
        let status = app.get(probe, None).await.status;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{probe}");
    }
}

#[tokio::test]
async fn a_page_whose_data_cannot_be_read_answers_503_in_persian() {
    let app = TestApp::new().await;
    let landing = app.landing_path(&crate::init::chat_body()).await;
    let cookie = app.open(&format!("http://ersal.test{landing}")).await;
    assert_eq!(
        app.get("/request", Some(&cookie)).await.status,
        StatusCode::OK
    );
    app.state.db.close().await;
    let page = app.get("/request", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().contains("خطای موقت"), "{}", page.text());
}

/// The item form as a browser sends it, with `description` as given.
fn item_form(description: &str) -> Vec<(&str, &str)> {
    vec![
        ("form[description]", description),
        ("form[size_class]", "small"),
        ("form[declared_value]", "0"),
    ]
}

/// How many drafts are stored, and the largest one's sealed size.
async fn stored_drafts(app: &TestApp) -> (i64, i64) {
    let largest = "select cast(coalesce(max(length(data_sealed)), 0) as bigint) from drafts";
    (
        app.count("select count(*) from drafts").await,
        app.count(largest).await,
    )
}

#[tokio::test]
async fn an_oversized_form_is_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let cookie = app
        .open(&format!("http://ersal.test{}", landing_path(&app).await))
        .await;
    let huge = "a".repeat(1024 * 1024);
    let reply = app
        .post_form(
            "10.0.0.1:5000",
            "/api/flow/item",
            Some(&cookie),
            &item_form(&huge),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(stored_drafts(&app).await, (0, 0));

    // Under the body limit but over a field's cap: cut as it is read, kept small, and refused
    // with the field's own message.
    let long = "a".repeat(10_000);
    let reply = app
        .post_form(
            "10.0.0.1:5000",
            "/api/flow/item",
            Some(&cookie),
            &item_form(&long),
        )
        .await;
    assert_eq!(reply.header("location"), Some("/request?step=item"));
    let (drafts, largest) = stored_drafts(&app).await;
    assert_eq!(drafts, 1);
    assert!(largest < 2_000, "{largest} bytes stored");
}

/// The get-post calls the sandbox has answered.
fn get_post_calls(sandbox: &divar_sandbox::Sandbox) -> usize {
    let world = sandbox.world();
    let calls = world.journal.iter();
    calls.filter(|e| e.path.contains("/finder/post/")).count()
}

#[tokio::test]
async fn only_sessions_divar_started_spend_a_get_post_call() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    let fallback = app.get("/divar/fallback?post_token=QpR7x2Lm", None).await;
    let location = fallback.header("location").unwrap().to_owned();
    let cookie = app.open(&format!("http://ersal.test{location}")).await;
    let page = app.get("/request?step=item", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(get_post_calls(&sandbox), 0, "a direct link spends no quota");

    let chat = app
        .init(&json!({"source": "CHAT", "post_token": "QpR7x2Lm", "conversation_id": "c-1"}))
        .await;
    let cookie = app.open(chat.json()["url"].as_str().unwrap()).await;
    app.get("/request?step=item", Some(&cookie)).await;
    assert_eq!(
        get_post_calls(&sandbox),
        1,
        "a chat's post is looked up once"
    );
}

#[tokio::test]
async fn a_shipment_from_the_direct_link_is_marked_for_the_operators() {
    let app = TestApp::new().await;
    let fallback = app.get("/divar/fallback?post_token=QpR7x2Lm", None).await;
    let location = fallback.header("location").unwrap().to_owned();
    let cookie = app.open(&format!("http://ersal.test{location}")).await;
    let role = [("form[role]", "receiver")];
    let chosen = app
        .post_form(CLIENT, "/api/flow/role", Some(&cookie), &role)
        .await;
    assert!(chosen.status.is_redirection(), "{}", chosen.text());
    let code = crate::housekeeping::saved_by(&app, &cookie).await;
    assert!(app.shipment(&code).await.order.direct_link);
    let chat = crate::chat::shipment_in(&app, "conv-A").await;
    assert!(!app.shipment(&chat).await.order.direct_link);

    let (operator, _) = crate::console_forms::operator_session(&app).await;
    let list = app.get("/console", Some(&operator)).await.text();
    assert_eq!(
        list.matches(app::console::DIRECT_LINK).count(),
        1,
        "one of two lines"
    );
    let page = app
        .get(&format!("/console/s/{code}"), Some(&operator))
        .await;
    let text = page.text();
    assert!(
        text.contains("دیوار هویت این کاربر را تأیید نکرده است"),
        "{text}"
    );
}
