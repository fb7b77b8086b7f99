//! The control API refuses changes a page of another origin asks for: any site a developer
//! visits could otherwise post forms to it (a browser sends `Origin` and `Sec-Fetch-Site`;
//! tools send neither).

use axum::body::Body;
use axum::Router;
use http::{Request, StatusCode};
use serde_json::json;

use super::support::*;

/// The sandbox's configured origin (see `support::app`).
const OWN: &str = "http://127.0.0.1:3100";

async fn fault_count(app: &Router) -> usize {
    get(app, "/control/faults", &[]).await.json()["faults"]
        .as_array()
        .unwrap()
        .len()
}

fn add_fault() -> serde_json::Value {
    json!({"target": "send_message", "kind": "server_error", "count": 1})
}

#[tokio::test]
async fn changes_from_another_origin_are_refused_and_change_nothing() {
    let app = app();
    let cross_site: [&[(&str, &str)]; 6] = [
        &[("origin", "https://evil.example")],
        &[("origin", "null")],
        // Ersal's own pages: same site (the port differs), another origin.
        &[("origin", "http://127.0.0.1:3000")],
        &[
            ("origin", "http://localhost:3000"),
            ("host", "127.0.0.1:3100"),
        ],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site"), ("origin", OWN)],
    ];
    for headers in cross_site {
        let added = post_json(&app, "/control/faults", add_fault(), headers).await;
        assert_eq!(added.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(fault_count(&app).await, 0, "{headers:?}");
    }
    // The journal page's form, posted from another site (a form needs no CORS).
    let form = Request::post("/journal/faults")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("target=token&kind=server_error&count=5"))
        .unwrap();
    assert_eq!(send(&app, form).await.status, StatusCode::FORBIDDEN);
    assert_eq!(fault_count(&app).await, 0);

    // The same requests from the sandbox's own pages, or from a tool, are served.
    for headers in [
        &[("origin", OWN), ("sec-fetch-site", "same-origin")][..],
        &[
            ("origin", "http://localhost:3100"),
            ("host", "localhost:3100"),
        ],
        &[],
    ] {
        let added = post_json(&app, "/control/faults", add_fault(), headers).await;
        assert_eq!(added.status, StatusCode::OK, "{headers:?}");
    }
    assert_eq!(fault_count(&app).await, 3);

    for (method, path, body) in [
        ("DELETE", "/control/faults", None),
        ("POST", "/control/reset", None),
        ("POST", "/control/clock", Some(json!({"advance_secs": 60}))),
        ("POST", "/control/duplicate-init", Some(json!({"count": 2}))),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .header("origin", "https://evil.example")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .unwrap();
        assert_eq!(
            send(&app, request).await.status,
            StatusCode::FORBIDDEN,
            "{method} {path}"
        );
    }
    assert_eq!(fault_count(&app).await, 3, "neither cleared nor reset");

    // Reading stays open (the browser keeps other origins from reading the answer).
    let read = get(
        &app,
        "/control/journal",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
}

/// The ids of the journal's entries (messages and events draw from the same counter).
async fn journal_ids(app: &Router) -> Vec<u64> {
    let journal = get(app, "/control/journal", &[]).await.json();
    let entries = journal["entries"].as_array().cloned().unwrap_or_default();
    entries.iter().filter_map(|e| e["id"].as_u64()).collect()
}

#[tokio::test]
async fn a_reset_never_gives_an_id_twice() {
    let app = app();
    get(&app, "/control/faults", &[]).await;
    let before = journal_ids(&app).await;
    assert!(!before.is_empty());
    post_json(&app, "/control/reset", json!({}), &[]).await;
    get(&app, "/control/faults", &[]).await;
    let after = journal_ids(&app).await;
    assert!(!after.is_empty());
    assert!(
        after.iter().min() > before.iter().max(),
        "{before:?} then {after:?}"
    );
}
