//! The webhook receivers: Standard Webhooks verification, the answers a test asks for, and
//! what they record.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::Router;
use divar_sandbox::receiver::sign;
use http::{Request, StatusCode};
use serde_json::{json, Value};

use super::support::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NEXT_SECRET: &str = "whsec_c2VjcmV0LW9mLXRoZS1uZXh0LWtleQ==";
const PATH: &str = "/receiver/ersal-test";
const CONTROL: &str = "/control/receivers/ersal-test";

fn now() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(secs.as_secs()).unwrap()
}

/// A delivery signed with `secrets` (none: unsigned), stamped `age_secs` ago.
fn delivery(path: &str, body: &str, secrets: &[&str], age_secs: i64) -> Request<Body> {
    let id = "msg_2mZ8fQ";
    let timestamp = (now() - age_secs).to_string();
    let signatures: Vec<String> = secrets
        .iter()
        .map(|s| sign(s, id, &timestamp, body.as_bytes()).unwrap())
        .collect();
    let mut request = Request::post(path)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp);
    if !signatures.is_empty() {
        request = request.header("webhook-signature", signatures.join(" "));
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

async fn configure(app: &Router, settings: Value) -> StatusCode {
    post_json(app, CONTROL, settings, &[]).await.status
}

async fn deliveries(app: &Router) -> Vec<Value> {
    let reply = get(app, "/control/receivers/ersal-test/deliveries", &[]).await;
    reply.json()["deliveries"].as_array().unwrap().clone()
}

async fn statuses(app: &Router, times: usize) -> Vec<StatusCode> {
    let mut answered = Vec::new();
    for _ in 0..times {
        answered.push(send(app, delivery(PATH, "{}", &[], 0)).await.status);
    }
    answered
}

#[tokio::test]
async fn a_receiver_verifies_and_records_every_delivery() {
    let app = app();
    let body = r#"{"type":"shipment.booked","data":{"id":"s_1"}}"#;
    assert_eq!(
        send(&app, delivery(PATH, body, &[], 0)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        configure(&app, json!({"secret": SECRET})).await,
        StatusCode::OK
    );
    let signed = send(&app, delivery(PATH, body, &[SECRET], 0)).await;
    assert_eq!(
        (signed.status, signed.json()),
        (StatusCode::OK, json!({"ok": true}))
    );
    let cases = [
        delivery(PATH, body, &[NEXT_SECRET], 0),
        delivery(PATH, body, &[SECRET], 301),
        delivery(PATH, body, &[], 0),
    ];
    for request in cases {
        assert_eq!(send(&app, request).await.status, StatusCode::UNAUTHORIZED);
    }
    // During a rotation the app signs with both secrets; either one verifies.
    let rotating = json!({"secrets": [NEXT_SECRET, "whsec_b3RoZXI="]});
    assert_eq!(configure(&app, rotating).await, StatusCode::OK);
    let both = delivery(PATH, body, &[SECRET, NEXT_SECRET], 0);
    assert_eq!(send(&app, both).await.status, StatusCode::OK);

    let recorded = deliveries(&app).await;
    let seen: Vec<_> = recorded
        .iter()
        .map(|d| {
            (
                d["seq"].clone(),
                d["verified"].clone(),
                d["answered"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (json!(1), Value::Null, json!(200)),
            (json!(2), json!(true), json!(200)),
            (json!(3), json!(false), json!(401)),
            (json!(4), json!(false), json!(401)),
            (json!(5), json!(false), json!(401)),
            (json!(6), json!(true), json!(200)),
        ]
    );
    let first = &recorded[1];
    assert_eq!(first["id"], "msg_2mZ8fQ");
    assert_eq!(first["body"], body);
    assert!(first["timestamp"].as_str().unwrap().parse::<i64>().is_ok());
    assert!(first["signature"].as_str().unwrap().starts_with("v1,"));
    assert!(first["at_ms"].as_i64().unwrap() / 1000 >= now() - 5);
    assert_eq!(recorded[4]["signature"], Value::Null);

    // The secrets never reach the journal.
    let journal = get(&app, "/control/journal", &[]).await.body;
    assert!(journal.contains("/control/receivers/ersal-test"));
    assert!(!journal.contains("MfKQ9r8G") && !journal.contains("c2VjcmV0"));
}

#[tokio::test]
async fn modes_answer_as_asked_for_as_many_deliveries_as_asked() {
    let app = app();
    let failing = json!({"mode": "fail", "status": 503, "count": 2});
    assert_eq!(configure(&app, failing).await, StatusCode::OK);
    let answered = [StatusCode::SERVICE_UNAVAILABLE; 2];
    assert_eq!(
        statuses(&app, 3).await,
        [&answered[..], &[StatusCode::OK]].concat()
    );
    assert_eq!(
        configure(&app, json!({"mode": "fail"})).await,
        StatusCode::OK
    );
    assert_eq!(
        statuses(&app, 2).await,
        [StatusCode::INTERNAL_SERVER_ERROR; 2]
    );

    let slow = json!({"mode": "slow", "delay_ms": 150, "count": 1});
    assert_eq!(configure(&app, slow).await, StatusCode::OK);
    let started = Instant::now();
    assert_eq!(statuses(&app, 1).await, [StatusCode::OK]);
    assert!(started.elapsed() >= Duration::from_millis(150));
    let started = Instant::now();
    assert_eq!(statuses(&app, 1).await, [StatusCode::OK]);
    assert!(started.elapsed() < Duration::from_millis(150));

    // A silent receiver never answers; the delivery is recorded all the same.
    assert_eq!(
        configure(&app, json!({"mode": "silent"})).await,
        StatusCode::OK
    );
    let waiting = send(&app, delivery(PATH, r#"{"n":1}"#, &[], 0));
    let timed_out = tokio::time::timeout(Duration::from_millis(200), waiting).await;
    assert!(timed_out.is_err());
    let recorded = deliveries(&app).await;
    let last = recorded.last().unwrap();
    assert_eq!(
        (last["seq"].clone(), last["answered"].clone()),
        (json!(8), Value::Null)
    );
    assert_eq!(recorded[0]["answered"], 503);
}

#[tokio::test]
async fn names_settings_and_sizes_are_checked() {
    let app = app();
    for path in [
        "/receiver/Ersal",
        "/receiver/a_b",
        &format!("/receiver/{}", "a".repeat(41)),
    ] {
        assert_eq!(
            send(&app, delivery(path, "{}", &[], 0)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    for settings in [
        json!({"mode": "fail", "status": 200}),
        json!({"secret": "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
        json!({"secrets": ["whsec_not base64!"]}),
        json!({"count": 0}),
    ] {
        assert_eq!(configure(&app, settings).await, StatusCode::BAD_REQUEST);
    }
    let large = "x".repeat(64 * 1024 + 1);
    let refused = send(&app, delivery(PATH, &large, &[], 0)).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(deliveries(&app).await.is_empty());

    // Settings from another origin's page are refused like every other control.
    let from_elsewhere = [("origin", "https://evil.example")];
    let refused = post_json(&app, CONTROL, json!({"mode": "silent"}), &from_elsewhere).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_receiver_keeps_its_last_deliveries_until_cleared() {
    let app = app();
    statuses(&app, 501).await;
    let recorded = deliveries(&app).await;
    assert_eq!(recorded.len(), 500);
    assert_eq!(
        (recorded[0]["seq"].clone(), recorded[499]["seq"].clone()),
        (json!(2), json!(501))
    );

    let page = get(&app, PATH, &[]).await;
    assert!(page.body.contains("#501") && page.body.contains("msg_2mZ8fQ"));
    let script = delivery(PATH, r#"{"t":"<script>"}"#, &[], 0);
    send(&app, script).await;
    assert!(get(&app, PATH, &[]).await.body.contains("&lt;script&gt;"));

    let delete = Request::delete(CONTROL).body(Body::empty()).unwrap();
    assert_eq!(send(&app, delete).await.status, StatusCode::OK);
    assert!(deliveries(&app).await.is_empty());
    statuses(&app, 1).await;
    assert_eq!(deliveries(&app).await[0]["seq"], 1);
    post_json(&app, "/control/reset", json!({}), &[]).await;
    assert!(deliveries(&app).await.is_empty());
}
