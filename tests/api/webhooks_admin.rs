//! Webhook endpoints' rules: addresses inside the network refused at registration and at send
//! time, the API's scopes, the support event queued once per wait, and housekeeping of the
//! messages and the log (deliveries themselves: `webhooks.rs`).

use domain::webhook::Event;
use ersal_server::delivery::drain_once;
use ersal_server::egress::Refusal;
use ersal_server::webhooks::{self, AddError, Refused};
use serde_json::json;

use crate::chat::shipment_in;
use crate::support::{conv, scalar, TestApp};
use crate::webhooks::{body, deliveries, drain, endpoint};

#[tokio::test]
async fn inner_addresses_are_refused_at_registration_and_at_send_time() {
    let app = TestApp::with([("ERSAL_WEBHOOK_ADDRESSES", "public".to_owned())]).await;
    let refused = |url: &'static str, why: Refusal| {
        let state = app.state.clone();
        async move {
            match webhooks::add(&state, url, Event::ALL, false, "t").await {
                Err(AddError::Refused(Refused::Url(refusal))) => assert_eq!(refusal, why, "{url}"),
                Err(other) => panic!("{url}: {other}"),
                Ok(_) => panic!("{url} was registered"),
            }
        }
    };
    refused("http://example.com/h", Refusal::NotHttps).await;
    refused("https://127.0.0.1/h", Refusal::NotPublic).await;
    refused("https://[::1]/h", Refusal::NotPublic).await;
    refused("https://192.168.1.10/h", Refusal::NotPublic).await;
    refused(
        "https://169.254.169.254/latest/meta-data",
        Refusal::NotPublic,
    )
    .await;
    refused("https://localhost/h", Refusal::NotPublic).await;

    // A name that resolved outside when it was registered and inside now: nothing is sent.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("https://localhost:{port}/h");
    let new = store::webhooks::NewEndpoint {
        url: &url,
        events: Event::ALL,
        personal: false,
        created_by: "t",
    };
    let id = store::webhooks::add(&app.state.db, &app.state.keys, &new, &[7; 32], 0)
        .await
        .unwrap();
    shipment_in(&app, "conv-wh5").await;
    drain_once(&app.state).await.unwrap();
    let (log, _) = webhooks::log(&app.state, id).await.unwrap();
    assert_eq!(log[0].outcome, "refused_address");
    assert!(listener.accept().is_err(), "no connection was made");
}

#[tokio::test]
async fn through_the_api_endpoints_need_their_scopes_and_public_addresses() {
    use crate::operator_api::{call, token};
    use domain::api::Scope;
    let app = TestApp::with([("ERSAL_WEBHOOK_ADDRESSES", "public".to_owned())]).await;
    let reader = token(&app, "reader", &[Scope::ShipmentsRead]).await;
    let manager = token(&app, "hooks", &[Scope::WebhooksManage]).await;
    let new = |url: &str, personal: bool| {
        Some(json!({"url": url, "events": ["shipment.booked"], "personal": personal}))
    };
    let public = "https://93.184.215.14/hooks";
    let refused = call(
        &app,
        "POST",
        "/api/v1/webhooks",
        &reader,
        new(public, false),
    )
    .await;
    assert_eq!(refused.status.as_u16(), 403);
    let personal = call(
        &app,
        "POST",
        "/api/v1/webhooks",
        &manager,
        new(public, true),
    )
    .await;
    assert_eq!(
        personal.status.as_u16(),
        403,
        "personal data needs personal:read"
    );
    let inner = new("https://10.0.0.7/hooks", false);
    let inner = call(&app, "POST", "/api/v1/webhooks", &manager, inner).await;
    assert_eq!(inner.status.as_u16(), 422);
    assert!(inner.json()["detail"].as_str().unwrap().contains("عمومی"));

    let added = call(
        &app,
        "POST",
        "/api/v1/webhooks",
        &manager,
        new(public, false),
    )
    .await;
    assert_eq!(added.status.as_u16(), 201, "{}", added.text());
    let secret = added.json()["secret"].as_str().unwrap().to_owned();
    assert!(domain::webhook::looks_like_secret(&secret));
    let listed = call(&app, "GET", "/api/v1/webhooks", &manager, None)
        .await
        .json();
    assert_eq!(
        listed["endpoints"][0]["created_at"],
        added.json()["endpoint"]["created_at"]
    );
    assert!(
        !listed.to_string().contains(&secret),
        "a secret is shown once"
    );
    let stored = webhooks::endpoints(&app.state).await.unwrap();
    assert_eq!(stored[0].created_by, "api:hooks");
    // An endpoint that receives personal data is changed only by a token that may read it.
    let both = token(&app, "both", &[Scope::WebhooksManage, Scope::PersonalRead]).await;
    let private = call(&app, "POST", "/api/v1/webhooks", &both, new(public, true)).await;
    assert_eq!(private.status.as_u16(), 201, "{}", private.text());
    let uri = format!("/api/v1/webhooks/{}", private.json()["endpoint"]["id"]);
    let rotate = format!("{uri}/secret");
    let answers = [
        ("POST", rotate.as_str(), &manager, 403),
        ("DELETE", uri.as_str(), &manager, 403),
        ("DELETE", uri.as_str(), &both, 204),
    ];
    for (method, uri, token, status) in answers {
        let reply = call(&app, method, uri, token, None).await;
        assert_eq!(reply.status.as_u16(), status, "{method} {uri}");
    }
    // Sealed at rest: neither the secret nor its bytes are in the row.
    let sealed: Vec<u8> =
        crate::support::scalar(&app.state.db, "select secret from webhook_endpoints").await;
    let engine = base64::engine::general_purpose::STANDARD;
    let raw = base64::Engine::decode(&engine, &secret["whsec_".len()..]).unwrap();
    assert!(!sealed.windows(raw.len()).any(|w| w == raw.as_slice()));
    assert!(!String::from_utf8_lossy(&sealed).contains(&secret));
}

#[tokio::test]
async fn a_users_support_message_is_announced_once_per_wait() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    endpoint(&app, &sandbox, "desk", &[Event::SupportMessageReceived]).await;
    let (db, keys) = (&app.state.db, &app.state.keys);
    for text in ["سلام", "کسی هست؟", "بستهٔ من کجاست؟"] {
        let mut tx = db.begin().await.unwrap();
        store::support::user_wrote(&mut tx, keys, &conv("conv-desk"), text, app.state.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    drain(&app.state).await;
    let got = deliveries(&sandbox, "desk").await;
    assert_eq!(got.len(), 1, "three messages, one wait");
    let payload = body(&got[0]);
    assert_eq!(payload["type"], "support.message_received");
    assert_eq!(payload["data"], json!({"conversation_id": "conv-desk"}));
    assert_eq!(got[0]["verified"], true);
}

#[tokio::test]
async fn settled_messages_and_their_log_go_after_thirty_days() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    endpoint(&app, &sandbox, "erp", Event::ALL).await;
    shipment_in(&app, "conv-wh8").await;
    drain(&app.state).await;
    let lifetimes = ersal_server::housekeeping::lifetimes(&app.state.config);
    let sweep = |days: i64| {
        let db = app.state.db.clone();
        let now = app.state.now() + days * 86_400;
        async move {
            store::housekeeping::sweep(&db, &lifetimes, now)
                .await
                .unwrap()
        }
    };
    assert_eq!(sweep(29).await.webhooks, 0);
    let rows = "select count(*) from outbox where channel = 'webhook'";
    assert_eq!(app.count(rows).await, 1);
    assert_eq!(
        sweep(31).await.webhooks,
        2,
        "the message and its one attempt"
    );
    assert_eq!(app.count(rows).await, 0);
    assert_eq!(app.count("select count(*) from webhook_attempts").await, 0);
}

#[tokio::test]
async fn a_receivers_429_uses_up_a_try_like_any_failure() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    let secret = endpoint(&app, &sandbox, "erp", Event::ALL).await;
    let busy = json!({"secret": secret, "mode": "fail", "status": 429});
    crate::webhooks::receiver(&sandbox, "erp", busy).await;
    shipment_in(&app, "conv-wh9").await;
    drain(&app.state).await;
    // Divar's 429 gives its try back; a company's endpoint's does not, so its retries keep
    // to the schedule (5 s now) and end.
    let db = &app.state.db;
    let row = "from outbox where channel = 'webhook'";
    let attempts: i64 = scalar(db, &format!("select attempts {row}")).await;
    let due: i64 = scalar(db, &format!("select next_attempt_at {row}")).await;
    assert_eq!(attempts, 1);
    assert!(due >= app.state.now_ms() + 4_000, "the next try waits 5 s");
}

#[tokio::test]
async fn a_receiver_that_does_not_answer_costs_one_try_per_batch() {
    let (app, sandbox, secret) = crate::webhooks::impatient().await;
    let silent = json!({"secret": secret, "mode": "silent"});
    crate::webhooks::receiver(&sandbox, "erp", silent).await;
    for n in 0..3 {
        shipment_in(&app, &format!("conv-wh10-{n}")).await;
    }
    let before = app.state.now_ms();
    drain_once(&app.state).await.unwrap();
    // One of the three was tried and timed out; the other two wait as long, untried.
    assert_eq!(deliveries(&sandbox, "erp").await.len(), 1);
    let db = &app.state.db;
    let tried = "select count(*) from outbox where channel = 'webhook' and attempts = 1";
    let waiting = format!(
        "select count(*) from outbox where channel = 'webhook' and attempts = 0
           and claimed_by is null and next_attempt_at >= {}",
        before + 5_000
    );
    assert_eq!(scalar::<i64>(db, tried).await, 1);
    assert_eq!(scalar::<i64>(db, &waiting).await, 2);
}
