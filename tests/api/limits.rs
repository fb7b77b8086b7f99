//! Limits on anonymous paths and on the listener: per-address rate limits (and who the
//! address is behind trusted proxies), a slow client's headers, and the connection limit.

use std::time::Duration;

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{serve_on, Reply, TestApp, TestEnv, NEW_KEY};

const A: &str = "198.51.100.1:5000";
const B: &str = "198.51.100.2:5000";

async fn fallback(app: &TestApp, peer: &str, forwarded_for: Option<&str>) -> Reply {
    let mut request = Request::get("/divar/fallback?post_token=QpR7x2Lm");
    if let Some(client) = forwarded_for {
        request = request.header("x-forwarded-for", client);
    }
    app.send_from(peer, request.body(Body::empty()).unwrap())
        .await
}

#[tokio::test]
async fn the_direct_link_is_limited_per_address_and_divars_calls_are_not() {
    // Every other class is down to one request a minute: an init counted under any of them
    // would be refused.
    let limits = "fallback=3,landing=1,login=1,functions=1,pages=1";
    let app = TestApp::with([("ERSAL_RATE_LIMITS", limits.to_owned())]).await;
    for _ in 0..3 {
        assert_eq!(fallback(&app, A, None).await.status, StatusCode::SEE_OTHER);
    }
    let refused = fallback(&app, A, None).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=21).contains(&wait), "one more in 20 s: {wait}");
    assert!(refused.text().contains("دوباره امتحان کنید"));
    assert_eq!(
        refused.header("location"),
        None,
        "no landing id for the refused one"
    );

    assert_eq!(fallback(&app, B, None).await.status, StatusCode::SEE_OTHER);
    for _ in 0..10 {
        let body = json!({"source": "CHAT", "conversation_id": "c-1"}).to_string();
        let init = Request::post("/divar/init")
            .header("content-type", "application/json")
            .header("authorization", NEW_KEY)
            .body(Body::from(body))
            .unwrap();
        let init = app.send_from(A, init).await;
        assert_eq!(init.status, StatusCode::OK, "Divar's init is never limited");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let app = TestApp::with([
        ("ERSAL_RATE_LIMITS", "fallback=1".to_owned()),
        ("ERSAL_TRUSTED_PROXIES", "10.0.0.0/8".to_owned()),
    ])
    .await;
    let (proxy, stranger) = ("10.0.0.7:41000", "203.0.113.9:5000");
    let (ok, refused) = (StatusCode::SEE_OTHER, StatusCode::TOO_MANY_REQUESTS);
    let unknown = "an unknown client skips the per-address rule";
    let untrusted = "a peer we do not trust is the client, whatever it forwards";
    for (peer, forwarded, expected, why) in [
        (
            proxy,
            Some("198.51.100.1"),
            ok,
            "a forwarded client's first request",
        ),
        (proxy, Some("198.51.100.1"), refused, "and its second"),
        (
            proxy,
            Some("198.51.100.1, 198.51.100.2"),
            ok,
            "the proxy's own entry names another client; the forged first one (spent) is ignored",
        ),
        (proxy, None, ok, unknown),
        (proxy, None, ok, unknown),
        (proxy, None, ok, unknown),
        (stranger, Some("198.51.100.3"), ok, untrusted),
        (stranger, Some("198.51.100.4"), refused, untrusted),
    ] {
        let reply = fallback(&app, peer, forwarded).await;
        assert_eq!(reply.status, expected, "{why}");
    }
}

#[tokio::test]
async fn the_console_login_has_its_own_small_budget() {
    let app = TestApp::with([("ERSAL_RATE_LIMITS", "login=2".to_owned())]).await;
    let login = |client: &'static str| {
        let app = &app;
        async move {
            app.post_form(
                client,
                "/api/console/login",
                None,
                &[
                    ("form[username]", "ali"),
                    ("form[password]", "a wrong password"),
                ],
            )
            .await
            .status
        }
    };
    assert_ne!(login(A).await, StatusCode::TOO_MANY_REQUESTS);
    assert_ne!(login(A).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login(A).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.state.passwords.checks(),
        2,
        "the refused one checked nothing"
    );
    assert_ne!(login(B).await, StatusCode::TOO_MANY_REQUESTS);
    let page = Request::get("/privacy").body(Body::empty()).unwrap();
    assert_eq!(
        app.send_from(A, page).await.status,
        StatusCode::OK,
        "pages have their own budget"
    );
}

/// Serves the whole app on a loopback port with `vars`: its address.
async fn listening<const N: usize>(vars: [(&'static str, String); N]) -> (String, TestEnv) {
    let env = TestEnv::new(vars);
    let state = env.state().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    serve_on(listener, &state);
    (addr, env)
}

/// Reads until the server closes the connection (at most `within`): what it sent.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut answer = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut answer))
        .await
        .ok()?
        .ok()?;
    Some(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn a_client_that_sends_no_headers_is_dropped_and_connections_are_limited() {
    let (addr, _env) = listening([
        ("ERSAL_HEADER_READ_SECS", "1".to_owned()),
        ("ERSAL_MAX_CONNECTIONS", "1".to_owned()),
    ])
    .await;
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: ersal.test\r\n")
        .await
        .unwrap();
    // The one connection is taken: a second client waits in the backlog, unanswered.
    let mut waiting = TcpStream::connect(&addr).await.unwrap();
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: ersal.test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_millis(800), waiting.read(&mut first))
            .await
            .is_err(),
        "no answer while the only connection is held"
    );
    // The slow client never finishes its headers: it is dropped after a second.
    let dropped = until_closed(&mut slow, Duration::from_secs(10)).await;
    assert!(dropped.is_some(), "the slow client's connection was closed");
    // Then the waiting one is served.
    let answer = until_closed(&mut waiting, Duration::from_secs(10))
        .await
        .expect("served once the slot was free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
