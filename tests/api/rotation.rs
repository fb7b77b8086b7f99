//! Rotating the root secret (docs/security.md, "Rotating the root secret"): with the old secret listed as
//! a previous one, everything it sealed or signed still works, and only the new one writes.

use ersal_server::tracking::link_key;
use http::StatusCode;
use serde_json::json;
use store::shipments;

use crate::chat::shipment_in;
use crate::support::{scalar, TestApp};

const OLD: &str = "the-old-root-secret-long-enough-0001";
const NEW: &str = "the-new-root-secret-long-enough-0002";

/// The id of the secret a shipment's parties are sealed under (the sealed value's first byte).
async fn sealed_under(app: &TestApp, code: &str) -> i64 {
    let sealed: Vec<u8> = scalar(
        &app.state.db,
        &format!("select parties_sealed from shipments where id = '{code}'"),
    )
    .await;
    i64::from(sealed[0])
}

#[tokio::test]
async fn data_sessions_and_links_survive_a_rotation() {
    let app = TestApp::with([("ERSAL_SECRET_KEY", OLD.to_owned())]).await;
    let before = shipment_in(&app, "conv-A").await;
    let landing = app
        .init(&json!({"source": "CHAT", "conversation_id": "conv-B", "user_side": "Demand"}))
        .await;
    let cookie = app.open(landing.json()["url"].as_str().unwrap()).await;
    let link = link_key(&app.state, &before, app.state.now());
    assert_eq!(sealed_under(&app, before.as_str()).await, 1);

    let app = app
        .restarted([
            ("ERSAL_SECRET_KEY", NEW.to_owned()),
            ("ERSAL_SECRET_KEY_ID", "2".to_owned()),
            ("ERSAL_PREVIOUS_SECRET_KEYS", format!("1:{OLD}")),
        ])
        .await;
    let shipment = app.shipment(&before).await;
    assert!(
        shipment.order.parties.receiver.is_some(),
        "sealed parties open"
    );
    let page = app.get("/request", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("form[description]"),
        "the session goes on"
    );
    let tracked = app.get(&format!("/t/{before}?k={link}"), None).await;
    let shown = format!(r#"data-testid="tracking-code">{before}<"#);
    assert!(tracked.text().contains(&shown), "the old link still shows");
    let after = shipment_in(&app, "conv-C").await;
    assert_eq!(
        sealed_under(&app, after.as_str()).await,
        2,
        "the new secret writes"
    );

    let app = app
        .restarted([("ERSAL_PREVIOUS_SECRET_KEYS", String::new())])
        .await;
    assert!(
        shipments::get(&app.state.db, &app.state.keys, &before)
            .await
            .is_err(),
        "without the old secret its data cannot be read: keep it until that data is gone"
    );
    assert!(app.shipment(&after).await.order.parties.receiver.is_some());
}
