//! The operator API at its edges: a move that ends a shipment stands, and is answered as done,
//! even when its chat's permission cannot be dropped after it (a keyed retry then replays the
//! answer, not a conflict); a call a browser sends from another site is refused in the API's
//! shape of error.

use axum::body::Body;
use domain::api::Scope;
use domain::status::{Actor, Status};
use http::{Request, StatusCode};
use serde_json::json;
use store::shipments::{Change, Changed};

use crate::operator_api::{at_status, call_with, token};
use crate::support::{chat_grant, exec, keep_grant, TestApp};

#[tokio::test]
async fn an_ending_move_stands_when_the_chats_permission_cannot_be_dropped() {
    let app = TestApp::new().await;
    let code = at_status(&app, "conv-api9", Status::Booked).await;
    let mover = token(&app, "mover", &[Scope::ShipmentsMove]).await;
    let uri = format!("/api/v1/shipments/{code}/moves");
    let cancel = json!({"to": "cancelled", "note": "فرستنده منصرف شد"});
    // The grants' table is out of reach for a moment: dropping the permission fails.
    exec(
        &app.state.db,
        "alter table chat_tokens rename to chat_tokens_away",
    )
    .await;
    let moved = call_with(
        &app,
        "POST",
        &uri,
        &mover,
        Some(cancel.clone()),
        Some("end"),
    )
    .await;
    let again = call_with(&app, "POST", &uri, &mover, Some(cancel), Some("end")).await;
    exec(
        &app.state.db,
        "alter table chat_tokens_away rename to chat_tokens",
    )
    .await;

    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    assert_eq!(moved.json()["status"], "cancelled");
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.shipment(&code).await.status, Status::Cancelled);
}

#[tokio::test]
async fn a_browser_call_from_another_site_is_refused_as_a_problem() {
    let app = TestApp::new().await;
    let mover = token(&app, "mover", &[Scope::ShipmentsMove]).await;
    let request = Request::post("/api/v1/shipments/TKTSUEL7YP/moves")
        .header("authorization", format!("Bearer {mover}"))
        .header("origin", "https://elsewhere.example")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"to": "cancelled"}"#))
        .unwrap();
    let refused = app.send(request).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(refused.json()["type"], "urn:ersal:problem:forbidden");
    assert_eq!(refused.json()["title"], "درخواست از سایت دیگر");
}

#[tokio::test]
async fn an_ending_move_drops_the_chats_permission_once_nothing_needs_it() {
    let app = TestApp::new().await;
    let code = at_status(&app, "conv-api10", Status::Booked).await;
    let (db, keys, now) = (&app.state.db, &app.state.keys, app.state.now());
    keep_grant(&app.state, "conv-api10", "access", "refresh", now).await;
    let grant = chat_grant("conv-api10");
    assert!(store::grants::read(db, keys, &grant)
        .await
        .unwrap()
        .is_some());
    // A move that announces nothing: no message of the chat is left to send.
    let change = Change::to(Status::Cancelled, Actor::Operator);
    let moved = ersal_server::chat::tokens::transition(db, &code, change, now).await;
    assert_eq!(moved.unwrap(), Changed::Done);
    assert!(store::grants::read(db, keys, &grant)
        .await
        .unwrap()
        .is_none());
}
