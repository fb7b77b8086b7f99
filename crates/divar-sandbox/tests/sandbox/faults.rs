//! One fault mechanism for every Divar endpoint the sandbox plays: a fault queued for an
//! endpoint answers its next calls, before the endpoint checks anything, as many times as asked,
//! in the endpoint's dialect, and leaves the other endpoints alone.

use std::time::Duration;

use axum::body::Body;
use axum::Router;
use http::{Method, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::support::*;
use super::{API_KEY, CONVERSATION};

const BOT_CONVERSATION: &str = "b0700000-0000-4000-8000-000000000001";

/// Every endpoint, called without credentials: each answers 401 when no fault is queued.
fn endpoints() -> [(&'static str, Method, String); 7] {
    [
        (
            "send_message",
            Method::POST,
            format!("/v2/open-platform/conversations/{CONVERSATION}/messages"),
        ),
        (
            "bot_message",
            Method::POST,
            format!("/v1/open-platform/chat/bot/conversations/{BOT_CONVERSATION}/messages"),
        ),
        ("token", Method::POST, "/oauth2/token".into()),
        (
            "get_post",
            Method::GET,
            "/v1/open-platform/finder/post/QpR7x2Lm".into(),
        ),
        ("get_user", Method::GET, "/v1/open-platform/users".into()),
        (
            "addon_create",
            Method::POST,
            "/v2/open-platform/addons/post/QpR7x2Lm".into(),
        ),
        (
            "addon_delete",
            Method::DELETE,
            "/v1/open-platform/addons/post/QpR7x2Lm".into(),
        ),
    ]
}

async fn call(app: &Router, method: &Method, path: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::empty())
        .unwrap();
    send(app, request).await
}

async fn queue(app: &Router, fault: Value) {
    let queued = post_json(app, "/control/faults", fault, &[]).await;
    assert_eq!(queued.status, StatusCode::OK, "{}", queued.body);
}

#[tokio::test]
async fn a_fault_answers_the_next_calls_to_every_endpoint_family() {
    let app = app();
    let journal_page = get(&app, "/journal", &[]).await.body;
    for (target, method, path) in endpoints() {
        let option = format!(r#"<option value="{target}">"#);
        assert!(
            journal_page.contains(&option),
            "the page's form offers {target}"
        );
        queue(
            &app,
            json!({"target": target, "kind": "server_error", "count": 2}),
        )
        .await;
        for attempt in 1..=2 {
            let failed = call(&app, &method, &path).await;
            assert_eq!(
                failed.status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{target} #{attempt}: {}",
                failed.body
            );
            let dialect = if target == "token" {
                json!({"error": "server_error", "error_description": "The authorization server failed"})
            } else {
                json!({"code": 13, "message": "internal error", "details": []})
            };
            assert_eq!(failed.json(), dialect, "{target}");
        }
        let after = call(&app, &method, &path).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{target}: used up");
    }
    let left = get(&app, "/control/faults", &[]).await.json();
    assert_eq!(left["faults"], json!([]));
}

#[tokio::test]
async fn a_fault_keeps_to_its_endpoint() {
    let app = app();
    let [send_message, bot_message, token, get_post, ..] = endpoints();
    queue(&app, json!({"target": "bot_message", "kind": "restricted"})).await;
    queue(&app, json!({"target": "get_post", "kind": "rate_limited"})).await;
    queue(&app, json!({"target": "token", "kind": "rate_limited"})).await;

    let untouched = call(&app, &send_message.1, &send_message.2).await;
    assert_eq!(untouched.status, StatusCode::UNAUTHORIZED);
    let blocked = call(&app, &bot_message.1, &bot_message.2).await;
    assert_eq!(
        (blocked.status, blocked.json()["code"].clone()),
        (StatusCode::PRECONDITION_FAILED, json!(9))
    );
    let request = Request::get(&get_post.2).body(Body::empty()).unwrap();
    let limited = app.clone().oneshot(request).await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "1");
    let token_limited = call(&app, &token.1, &token.2).await;
    assert_eq!(token_limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(token_limited.json()["error"], "rate_limited");
}

#[tokio::test]
async fn a_slow_answer_does_the_work_before_answering() {
    let app = app();
    queue(
        &app,
        json!({"target": "bot_message", "kind": "slow_answer", "delay_ms": 60_000}),
    )
    .await;
    let path = format!("/v1/open-platform/chat/bot/conversations/{BOT_CONVERSATION}/messages");
    let body = json!({"text_message": "سلام"});
    let caller = {
        let app = app.clone();
        tokio::spawn(async move { post_json(&app, &path, body, &[("x-api-key", API_KEY)]).await })
    };
    let mut posted = false;
    for _ in 0..200 {
        let lines = get(&app, "/control/bot", &[]).await.json();
        if lines["lines"][0]["text"] == "سلام" {
            posted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(posted, "the message is posted before the answer");
    assert!(!caller.is_finished(), "the answer is still late");
    caller.abort();
}
