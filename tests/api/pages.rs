//! The router that ships, as a browser and a stranger meet it: response headers per kind of
//! page, the console's per-address login limit told apart by client address, and a forged
//! status change (no CSRF token) refused with nothing changed or sent.

use http::StatusCode;

use crate::chat::shipment_in;
use crate::console::PASSWORD;
use crate::support::{Reply, TestApp};

const STRANGER: &str = "10.0.0.1:5000";
const OPERATOR: &str = "10.0.0.2:5000";

fn assert_common_headers(reply: &Reply, what: &str) {
    assert!(reply.header("x-request-id").is_some(), "{what}: request id");
    assert_eq!(
        reply.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
}

#[tokio::test]
async fn every_kind_of_page_gets_its_cache_policy_and_the_common_headers() {
    let app = TestApp::new().await;
    let code = shipment_in(&app, "conv-A").await;
    let cases = [
        ("/", "no-cache"),
        ("/privacy", "no-cache"),
        ("/request", "no-store"),
        (&format!("/t/{code}") as &str, "no-store"),
        ("/console/login", "no-store"),
        (&format!("/console/s/{code}"), "no-store"),
        ("/healthz", "no-store"),
        ("/l/unknown", "no-store"),
    ];
    for (path, cache) in cases {
        let reply = app.get(path, None).await;
        assert!(
            reply.status.is_success()
                || reply.status.is_redirection()
                || reply.status == StatusCode::GONE,
            "{path}: {}",
            reply.status
        );
        assert_eq!(reply.header("cache-control"), Some(cache), "{path}");
        assert_common_headers(&reply, path);
    }
    let console = app.get("/console/login", None).await.text();
    assert!(console.contains("ورود کارکنان"));
    // The hydration scripts load the WASM through `hydrate()`: the landing pages have them,
    // the console never does.
    let landing = app.get("/privacy", None).await.text();
    assert!(landing.contains("حریم خصوصی") && landing.contains("hydrate("));
    assert!(
        !console.contains("hydrate(") && !console.contains("/pkg/ersal.js"),
        "the console is sent without hydration scripts"
    );
}

async fn login_as(app: &TestApp, client: &str, username: &str, password: &str) -> Reply {
    app.post_form(
        client,
        "/api/console/login",
        None,
        &[("form[username]", username), ("form[password]", password)],
    )
    .await
}

async fn login(app: &TestApp, client: &str, password: &str) -> Reply {
    login_as(app, client, "ali", password).await
}

fn location(reply: &Reply) -> &str {
    reply.header("location").unwrap_or_default()
}

#[tokio::test]
async fn a_stranger_who_guesses_wrong_is_refused_but_the_operator_elsewhere_is_not() {
    let app = TestApp::new().await;
    ersal_server::operators::add(&app.state.db, "ali", PASSWORD, app.state.now())
        .await
        .unwrap();
    // Guessing names, so that no account's own lockout is what refuses.
    for i in 0..20 {
        let reply = login_as(&app, STRANGER, &format!("guess{i}"), "wrong guess").await;
        assert!(
            location(&reply).ends_with("e=refused"),
            "{}",
            location(&reply)
        );
    }
    let stranger = login(&app, STRANGER, PASSWORD).await;
    assert!(
        location(&stranger).ends_with("e=address"),
        "{}",
        location(&stranger)
    );
    assert!(stranger.header("set-cookie").is_none());

    let operator = login(&app, OPERATOR, PASSWORD).await;
    assert_eq!(location(&operator), "/console");
    assert!(operator
        .header("set-cookie")
        .is_some_and(|c| c.starts_with("ersal_operator=")));
}

/// Logs the operator in: their cookie and the CSRF token their pages carry.
async fn operator_session(app: &TestApp) -> (String, String) {
    ersal_server::operators::add(&app.state.db, "ali", PASSWORD, app.state.now())
        .await
        .unwrap();
    let reply = login(app, OPERATOR, PASSWORD).await;
    let cookie = reply
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("a console cookie")
        .to_owned();
    let page = app.get("/console", Some(&cookie)).await.text();
    let csrf = page
        .split(r#"name="form[csrf]" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the list page carries the CSRF token")
        .to_owned();
    (cookie, csrf)
}

async fn counts(app: &TestApp) -> (i64, i64) {
    let count = |table: &'static str| async move {
        sqlx::query_scalar::<_, i64>(&format!("select count(*) from {table}"))
            .fetch_one(&app.state.db)
            .await
            .unwrap()
    };
    (count("outbox").await, count("audit").await)
}

#[tokio::test]
async fn a_status_change_without_the_sessions_csrf_token_changes_nothing() {
    let app = TestApp::new().await;
    let code = shipment_in(&app, "conv-A").await;
    let (cookie, csrf) = operator_session(&app).await;
    let act = |csrf: String| {
        let (app, cookie, code) = (&app, cookie.clone(), code.to_string());
        async move {
            app.post_form(
                OPERATOR,
                "/api/console/act",
                Some(&cookie),
                &[
                    ("form[csrf]", &csrf),
                    ("form[id]", &code),
                    ("form[to]", "cancelled"),
                    ("form[note]", "مشتری انصراف داد"),
                ],
            )
            .await
        }
    };
    let status = || async { app.shipment(&code).await.status };
    let before = counts(&app).await;
    for forged in ["", "not-the-token", &csrf[..csrf.len() - 1]] {
        let reply = act(forged.to_owned()).await;
        assert_eq!(location(&reply), "/console/login", "{forged:?}");
        assert_eq!(status().await, domain::status::Status::AwaitingCounterparty);
        assert_eq!(counts(&app).await, before, "nothing sent, nothing audited");
    }

    let genuine = act(csrf).await;
    assert_eq!(location(&genuine), format!("/console/s/{code}?m=done"));
    assert_eq!(status().await, domain::status::Status::Cancelled);
    let (outbox, audit) = counts(&app).await;
    assert_eq!(outbox, before.0 + 1, "the chat is told");
    assert!(audit > before.1, "the change is audited");
}

#[tokio::test]
async fn a_tracking_link_shows_the_shipment_until_it_expires_and_never_cancels() {
    use ersal_server::tracking::{link_key, LINK_SECS};
    let app = TestApp::new().await;
    let code = shipment_in(&app, "conv-A").await;
    let now = app.state.now();
    let page = |key: String| {
        let app = &app;
        let code = &code;
        async move { app.get(&format!("/t/{code}?k={key}"), None).await.text() }
    };
    let hidden = "این مرسوله را نمی‌توان نشان داد";
    assert!(page("guessed".to_owned()).await.contains(hidden));
    let expired = link_key(&app.state, &code, now - LINK_SECS - 1);
    assert!(page(expired).await.contains(hidden));
    let key = link_key(&app.state, &code, now);
    let shown = page(key.clone()).await;
    assert!(shown.contains(code.as_str()) && !shown.contains(hidden));
    assert!(!shown.contains("لغو درخواست"), "a link offers no cancel");

    // Posting the cancel form anyway, with the key: nothing happens, and no key comes back.
    let reply = app
        .post_form(
            STRANGER,
            "/api/tracking/cancel",
            None,
            &[("form[id]", code.as_str()), ("form[key]", &key)],
        )
        .await;
    assert_eq!(location(&reply), format!("/t/{code}"));
    let shipment = app.shipment(&code).await;
    assert_eq!(
        shipment.status,
        domain::status::Status::AwaitingCounterparty
    );
}
