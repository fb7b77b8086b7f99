//! The console's forms as a browser posts them: the per-address login limit told apart by
//! client address, a login under `no-referrer`, and a status change without the session's CSRF
//! token or without a reason refused with nothing changed or sent; each outcome is said next to
//! the action it is about.

use axum::body::Body;
use http::{Request, StatusCode};

use crate::chat::shipment_in;
use crate::console::{add_ali, with_ali, PASSWORD};
use crate::support::{Reply, TestApp};

const STRANGER: &str = "10.0.0.1:5000";
const OPERATOR: &str = "10.0.0.2:5000";

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

pub(crate) fn location(reply: &Reply) -> &str {
    reply.header("location").unwrap_or_default()
}

#[tokio::test]
async fn a_stranger_who_guesses_wrong_is_refused_but_the_operator_elsewhere_is_not() {
    // The rate limit would refuse these guesses first (tests/api/limits.rs): raised, so that
    // the database's own per-address rule is what answers.
    let app = add_ali(TestApp::with([("ERSAL_RATE_LIMITS", "login=100".to_owned())]).await).await;
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
    // No session; only the typed name, kept for the form shown again.
    let kept = stranger.header("set-cookie").unwrap_or_default();
    assert!(
        kept.starts_with("ersal_login_name=ali;") && kept.contains("Path=/console/login"),
        "{kept}"
    );
    let form = app
        .get("/console/login?e=refused", Some("ersal_login_name=ali"))
        .await
        .text();
    assert!(form.contains(r#"value="ali""#), "{form}");

    let operator = login(&app, OPERATOR, PASSWORD).await;
    assert_eq!(location(&operator), "/console");
    assert!(operator
        .header("set-cookie")
        .is_some_and(|c| c.starts_with("ersal_operator=")));
}

/// `Referrer-Policy: no-referrer` makes browsers send `Origin: null` with a plain form's POST
/// (JavaScript off): the console's login then goes by `Sec-Fetch-Site`, and `null` alone is
/// never enough.
#[tokio::test]
async fn a_login_form_under_no_referrer_is_told_apart_by_sec_fetch_site() {
    let app = with_ali().await;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("form[username]", "ali"), ("form[password]", PASSWORD)])
        .finish();
    let post = |fetch_site: Option<&str>| {
        let mut request = Request::post("/api/console/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header("origin", "null");
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.body(Body::from(body.clone())).unwrap()
    };
    // A login needs a browser that says it is ours; one from another site is refused outright.
    let unsaid = app.send_from(OPERATOR, post(None)).await;
    assert!(location(&unsaid).ends_with("e=form"));
    assert!(unsaid.header("set-cookie").is_none());
    for foreign in [Some("cross-site"), Some("same-site")] {
        let reply = app.send_from(OPERATOR, post(foreign)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{foreign:?}");
        assert!(reply.header("set-cookie").is_none());
    }
    let reply = app.send_from(OPERATOR, post(Some("same-origin"))).await;
    assert_eq!(location(&reply), "/console");
}

/// Logs the operator in: their cookie and the CSRF token their pages carry.
pub(crate) async fn operator_session(app: &TestApp) -> (String, String) {
    store::operators::add(&app.state.db, "ali", PASSWORD, app.state.now())
        .await
        .unwrap();
    let reply = login(app, OPERATOR, PASSWORD).await;
    let cookie = reply
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("a console cookie")
        .to_owned();
    let list = app.get("/console", Some(&cookie)).await;
    let page = list.text();
    let csrf = page
        .split(r#"name="form[csrf]" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no CSRF token on the list ({}): {page}", list.status))
        .to_owned();
    (cookie, csrf)
}

async fn counts(app: &TestApp) -> (i64, i64) {
    let count = |table: &'static str| async move {
        app.count(&format!("select count(*) from {table}")).await
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

    // With the token but without a reason, a cancellation changes nothing either.
    let fields = [("form[csrf]", csrf.as_str()), ("form[id]", code.as_str())];
    let to = [("form[to]", "cancelled")];
    let without = [&fields[..], &to[..]].concat();
    let bare = app
        .post_form(OPERATOR, "/api/console/act", Some(&cookie), &without)
        .await;
    assert_eq!(
        location(&bare),
        format!("/console/s/{code}?m=reason#actions")
    );
    assert_eq!(status().await, domain::status::Status::AwaitingCounterparty);
    // The missing reason is said at the reason's field, in the opened exceptions.
    let page = app
        .get(&format!("/console/s/{code}?m=reason"), Some(&cookie))
        .await
        .text();
    assert!(
        page.contains(r#"<details open class="exceptions""#),
        "{page}"
    );
    let field = page.find(r#"id="act-reason""#).unwrap();
    let problem = page.find(r#"data-testid="reason-problem""#).unwrap();
    assert!(problem > field && !page.contains(r#"data-testid="console-message""#));

    let genuine = act(csrf).await;
    assert_eq!(
        location(&genuine),
        format!("/console/s/{code}?m=done#actions")
    );
    assert_eq!(status().await, domain::status::Status::Cancelled);
    let (outbox, audit) = counts(&app).await;
    assert_eq!(outbox, before.0 + 1, "the chat is told");
    assert!(audit > before.1, "the change is audited");
    // Done is said above the actions, with the new status; the chat's log names the message.
    let page = app
        .get(&format!("/console/s/{code}?m=done"), Some(&cookie))
        .await
        .text();
    let actions = page.find(r#"id="actions""#).unwrap();
    let done = page.find(r#"data-testid="console-message""#).unwrap();
    assert!(done > actions, "{page}");
    assert!(page.contains("وضعیت اکنون: «لغو شد»"), "{page}");
    let log = &page[page.find(r#"data-testid="outbox""#).unwrap()..];
    assert!(log.contains("لغو شد."), "{log}");
}
