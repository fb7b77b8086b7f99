//! The operator API on the real router: tokens and their scopes, a revoked token refused at
//! once, idempotent moves (one change, one chat message), pagination without gaps or repeats
//! while shipments change, problem details (the OpenAPI document's checks:
//! `operator_api_document.rs`).

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use domain::api::{iso_date, Scope};
use domain::code::TrackingCode;
use domain::status::Status;
use ersal_server::api::tokens;
use http::{Request, StatusCode};
use serde_json::{json, Value};

use crate::chat::shipment_in;
use crate::support::{exec, Reply, TestApp};

pub async fn token(app: &TestApp, name: &str, scopes: &[Scope]) -> String {
    tokens::issue(&app.state.db, name, scopes, "test", app.state.now())
        .await
        .unwrap()
}

pub async fn call(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> Reply {
    call_with(app, method, uri, token, body, None).await
}

pub async fn call_with(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let body = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    app.send(request.body(body).unwrap()).await
}

/// A problem-details answer of `status` whose type ends with `kind`.
fn assert_problem(reply: &Reply, status: StatusCode, kind: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    let body = reply.json();
    assert_eq!(body["status"], status.as_u16());
    assert_eq!(body["type"], format!("urn:ersal:problem:{kind}"));
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
}

pub async fn at_status(app: &TestApp, conversation: &str, status: Status) -> TrackingCode {
    let code = shipment_in(app, conversation).await;
    exec(
        &app.state.db,
        &format!(
            "update shipments set status = '{}', created_at = created_at - 60 where id = '{}'",
            status.key(),
            code.as_str()
        ),
    )
    .await;
    code
}

#[tokio::test]
async fn tokens_act_within_their_scopes_and_a_revoked_one_is_refused_at_once() {
    let app = TestApp::new().await;
    let code = at_status(&app, "conv-api1", Status::Booked).await;
    let reader = token(&app, "reader", &[Scope::ShipmentsRead]).await;

    let listed = call(&app, "GET", "/api/v1/shipments", &reader, None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    assert_eq!(listed.json()["shipments"][0]["id"], code.as_str());
    // Without personal:read, no sides.
    let read = call(
        &app,
        "GET",
        &format!("/api/v1/shipments/{code}"),
        &reader,
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["parties"], Value::Null);
    assert!(!read.text().contains("0935123"), "no phone number");

    let move_body = json!({"to": "cancelled", "note": "درخواست فرستنده"});
    let refused = call(
        &app,
        "POST",
        &format!("/api/v1/shipments/{code}/moves"),
        &reader,
        Some(move_body.clone()),
    )
    .await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(app.shipment(&code).await.status, Status::Booked);

    let personal = token(&app, "crm", &[Scope::ShipmentsRead, Scope::PersonalRead]).await;
    let read = call(
        &app,
        "GET",
        &format!("/api/v1/shipments/{code}"),
        &personal,
        None,
    )
    .await;
    assert!(read.json()["parties"]["receiver"]["mobile"]
        .as_str()
        .is_some_and(|m| m.starts_with("09")));
    // Read again, with the scheme in lower case: the look at personal data is audited once an
    // hour, with the token's name.
    let again = Request::get(format!("/api/v1/shipments/{code}"))
        .header("authorization", format!("bearer {personal}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(again).await.status, StatusCode::OK);
    let trail = store::operators::audit_trail(&app.state.db, &code)
        .await
        .unwrap();
    let views: Vec<_> = trail
        .iter()
        .map(|a| (a.operator.as_str(), a.what.as_str()))
        .collect();
    assert_eq!(views, [("api:crm", ersal_server::console::VIEWED_PERSONAL)]);

    let anonymous = app.get("/api/v1/shipments", None).await;
    assert_problem(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(anonymous
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Bearer")));
    let forged = format!("ersal_{}", "A".repeat(43));
    assert_problem(
        &call(&app, "GET", "/api/v1/shipments", &forged, None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );

    assert!(tokens::revoke(&app.state.db, "reader", app.state.now())
        .await
        .unwrap());
    let after = call(&app, "GET", "/api/v1/shipments", &reader, None).await;
    assert_problem(&after, StatusCode::UNAUTHORIZED, "unauthorized");

    // Every authenticated call is logged with its token and route; the token is stored only
    // as a digest.
    let logged = app
        .count("select count(*) from api_calls c join api_tokens t on t.id = c.token_id where t.name = 'reader'")
        .await;
    assert_eq!(logged, 3);
    let stored: String = crate::support::scalar(
        &app.state.db,
        "select token_digest from api_tokens where name = 'reader'",
    )
    .await;
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(reader.as_bytes()));
    assert_eq!(stored, digest);
}

#[tokio::test]
async fn a_move_retried_with_its_key_changes_once_and_tells_the_chat_once() {
    let app = TestApp::new().await;
    let code = at_status(&app, "conv-api2", Status::Booked).await;
    let mover = token(
        &app,
        "dispatch",
        &[Scope::ShipmentsRead, Scope::ShipmentsMove],
    )
    .await;
    let uri = format!("/api/v1/shipments/{code}/moves");
    let tomorrow = iso_date(domain::jalali::tehran_day(app.state.now()) + 1);
    let body =
        json!({"to": "pickup_scheduled", "pickup_date": tomorrow, "pickup_window": "morning"});
    let messages_sql = format!("select count(*) from outbox where shipment_id = '{code}'");
    let events_sql = format!("select count(*) from shipment_events where shipment_id = '{code}'");
    let messages = || app.count(&messages_sql);
    let events = || app.count(&events_sql);
    let (messages_before, events_before) = (messages().await, events().await);

    let first = call_with(
        &app,
        "POST",
        &uri,
        &mover,
        Some(body.clone()),
        Some("move-1"),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.json()["status"], "pickup_scheduled");
    assert_eq!(first.json()["from"], "booked");
    let again = call_with(
        &app,
        "POST",
        &uri,
        &mover,
        Some(body.clone()),
        Some("move-1"),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, first.body, "the first answer again");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(messages().await, messages_before + 1, "one chat message");
    assert_eq!(events().await, events_before + 1, "one change");

    // The same key with another request is refused; without a key a retry is a new move,
    // which the status machine refuses now.
    let other = json!({"to": "picked_up"});
    assert_problem(
        &call_with(
            &app,
            "POST",
            &uri,
            &mover,
            Some(other.clone()),
            Some("move-1"),
        )
        .await,
        StatusCode::CONFLICT,
        "idempotency",
    );
    assert_problem(
        &call(&app, "POST", &uri, &mover, Some(body)).await,
        StatusCode::CONFLICT,
        "conflict",
    );
    // The console's rules: an exception needs a reason.
    assert_problem(
        &call(
            &app,
            "POST",
            &uri,
            &mover,
            Some(json!({"to": "pickup_failed"})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    );
    assert_eq!(events().await, events_before + 1, "nothing else changed");
    assert_problem(
        &call(
            &app,
            "POST",
            &uri,
            &mover,
            Some(json!({"to": "teleported"})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    );

    // A key whose first call was cut off long ago is taken over; one still running is not.
    let id = app
        .count("select id from api_tokens where name = 'dispatch'")
        .await;
    let claim = |key: &str, age: i64| {
        format!(
            "insert into api_idempotency (token_id, key, request_digest, status, body, created_at)
             values ({id}, '{key}', 'x', 0, '', {})",
            app.state.now() - age
        )
    };
    exec(&app.state.db, &claim("running", 1)).await;
    exec(&app.state.db, &claim("cut-off", 600)).await;
    let cancel = json!({"to": "cancelled", "note": "فرستنده منصرف شد"});
    let running = call_with(
        &app,
        "POST",
        &uri,
        &mover,
        Some(cancel.clone()),
        Some("running"),
    )
    .await;
    assert_problem(&running, StatusCode::CONFLICT, "idempotency");
    let taken = call_with(&app, "POST", &uri, &mover, Some(cancel), Some("cut-off")).await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.text());
    assert_eq!(taken.json()["status"], "cancelled");

    // The moves are in the shipment's audit trail with the token's name.
    let trail = store::operators::audit_trail(&app.state.db, &code)
        .await
        .unwrap();
    assert_eq!(trail.len(), 2);
    assert!(trail.iter().all(|a| a.operator == "api:dispatch"));
}

#[tokio::test]
async fn pages_hold_every_shipment_once_while_shipments_change() {
    let app = TestApp::new().await;
    let reader = token(&app, "warehouse", &[Scope::ShipmentsRead]).await;
    let mut before = BTreeSet::new();
    for n in 0..2_000 {
        before.insert(
            shipment_in(&app, &format!("conv-page-{n}"))
                .await
                .as_str()
                .to_owned(),
        );
    }
    // Older than the few seconds the list waits for (shipments created since come later).
    exec(
        &app.state.db,
        "update shipments set created_at = created_at - 60",
    )
    .await;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let uri = match &cursor {
            Some(cursor) => format!("/api/v1/shipments?limit=150&cursor={cursor}"),
            None => "/api/v1/shipments?limit=150".to_owned(),
        };
        let page = call(&app, "GET", &uri, &reader, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let page = page.json();
        for line in page["shipments"].as_array().unwrap() {
            *seen
                .entry(line["id"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        // Between pages: one shipment seen and one not yet seen change status, and a new
        // one is booked.
        let some = before.iter().nth(pages * 7).unwrap();
        exec(
            &app.state.db,
            &format!("update shipments set status = 'cancelled' where id = '{some}'"),
        )
        .await;
        let later = before.iter().rev().nth(pages * 3).unwrap();
        exec(
            &app.state.db,
            &format!("update shipments set status = 'booked' where id = '{later}'"),
        )
        .await;
        shipment_in(&app, &format!("conv-new-{pages}")).await;
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert!(seen.values().all(|&n| n == 1), "no shipment twice");
    let missing: Vec<_> = before.iter().filter(|id| !seen.contains_key(*id)).collect();
    assert!(missing.is_empty(), "no gap: {} missing", missing.len());
    assert!(pages >= 14, "{pages} pages");
}

#[tokio::test]
async fn bad_requests_are_problem_details() {
    let app = TestApp::new().await;
    let code = at_status(&app, "conv-api3", Status::Booked).await;
    let all = token(&app, "all", &[Scope::ShipmentsRead, Scope::ShipmentsMove]).await;
    for uri in [
        "/api/v1/shipments?cursor=not-a-cursor",
        "/api/v1/shipments?limit=0",
        "/api/v1/shipments?limit=201",
        "/api/v1/shipments?status=flying",
        "/api/v1/shipments?created_from=yesterday",
    ] {
        assert_problem(
            &call(&app, "GET", uri, &all, None).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        );
    }
    assert_problem(
        &call(&app, "GET", "/api/v1/shipments/NOSUCHCODE", &all, None).await,
        StatusCode::NOT_FOUND,
        "not-found",
    );
    let moves = format!("/api/v1/shipments/{code}/moves");
    for body in [
        json!({"to": 5}),
        json!({"to": "cancelled", "extra": 1}),
        json!({"to": "pickup_scheduled", "pickup_date": "2020-01-01", "pickup_window": "morning"}),
    ] {
        assert_problem(
            &call(&app, "POST", &moves, &all, Some(body)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        );
    }
    let big = json!({"to": "cancelled", "note": "x".repeat(5_000)});
    assert_problem(
        &call(&app, "POST", &moves, &all, Some(big)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
    );
    assert_problem(
        &call(&app, "DELETE", &moves, &all, None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
    );
    let long_key = "k".repeat(101);
    assert_problem(
        &call_with(
            &app,
            "POST",
            &moves,
            &all,
            Some(json!({"to": "cancelled", "note": "x"})),
            Some(&long_key),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    );
    assert_eq!(
        app.shipment(&code).await.status,
        Status::Booked,
        "nothing changed"
    );
}

#[tokio::test]
async fn anonymous_callers_and_each_token_have_a_budget() {
    let app = TestApp::with([("ERSAL_RATE_LIMITS", "api=3".to_owned())]).await;
    let get = |client: &'static str, token: Option<String>| {
        let app = &app;
        async move {
            let mut request = Request::get("/api/v1/statuses");
            if let Some(token) = token {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            app.send_from(client, request.body(Body::empty()).unwrap())
                .await
        }
    };
    // An anonymous caller's guesses are counted per address…
    for _ in 0..3 {
        assert_eq!(
            get("198.51.100.1:5000", None).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let refused = get("198.51.100.1:5000", None).await;
    assert_problem(&refused, StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    assert!(refused.header("retry-after").is_some());
    // …and a token's calls per token, from whichever addresses it calls.
    let busy = token(&app, "busy", &[Scope::ShipmentsRead]).await;
    let clients = [
        "198.51.100.2:5000",
        "198.51.100.3:5000",
        "198.51.100.4:5000",
    ];
    for client in clients {
        assert_eq!(get(client, Some(busy.clone())).await.status, StatusCode::OK);
    }
    let over = get("198.51.100.5:5000", Some(busy)).await;
    assert_problem(&over, StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
}
