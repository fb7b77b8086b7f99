//! Webhooks over real HTTP to the sandbox's receiver: every delivery verifies with the Standard
//! Webhooks reference library for Python (not Ersal's code), one shipment's events arrive in
//! order (across two instances too), failures and timeouts are retried with the same id, a day
//! of failures turns an endpoint off, personal data goes only where allowed, a rotated secret
//! signs twice (registration's rules, the API and the support event: `webhooks_admin.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};

use divar_sandbox::Sandbox;
use domain::code::TrackingCode;
use domain::status::{Actor, Status};
use domain::webhook::Event;
use ersal_server::delivery::drain_once;
use ersal_server::state::AppState;
use ersal_server::webhooks::{self, Action};
use serde_json::{json, Value};
use store::shipments::{self, Change, Changed};

use crate::chat::shipment_in;
use crate::support::{exec, TestApp};

/// The statuses a shipment goes through after it is created, and who moves it.
const JOURNEY: [(Status, Actor); 7] = [
    (Status::AwaitingConfirmation, Actor::Counterparty),
    (Status::Booked, Actor::Counterparty),
    (Status::PickupScheduled, Actor::Operator),
    (Status::PickedUp, Actor::Operator),
    (Status::InTransit, Actor::Operator),
    (Status::OutForDelivery, Actor::Operator),
    (Status::Delivered, Actor::Operator),
];

async fn move_to(state: &AppState, code: &TrackingCode, status: Status, actor: Actor) {
    let changed = shipments::transition(&state.db, code, Change::to(status, actor), state.now())
        .await
        .unwrap();
    assert_eq!(changed, Changed::Done, "{status:?}");
}

/// Drains the outbox until nothing is left to send now.
pub(crate) async fn drain(state: &AppState) {
    for _ in 0..100 {
        if drain_once(state).await.unwrap() == 0 {
            return;
        }
    }
    panic!("the outbox never emptied");
}

pub(crate) async fn receiver(sandbox: &Sandbox, name: &str, config: Value) {
    let url = format!("{}/control/receivers/{name}", sandbox.config.origin);
    let answer = reqwest::Client::new()
        .put(url)
        .json(&config)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

pub(crate) async fn deliveries(sandbox: &Sandbox, name: &str) -> Vec<Value> {
    let url = format!(
        "{}/control/receivers/{name}/deliveries",
        sandbox.config.origin
    );
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    body["deliveries"].as_array().unwrap().clone()
}

pub(crate) async fn endpoint(
    app: &TestApp,
    sandbox: &Sandbox,
    name: &str,
    events: &[Event],
) -> String {
    let url = format!("{}/receiver/{name}", sandbox.config.origin);
    let added = webhooks::add(&app.state, &url, events, false, "test").await;
    let secret = added.unwrap().secret;
    receiver(sandbox, name, json!({"secret": secret})).await;
    secret
}

/// An app that waits 1 s for a webhook's answer, with the receiver `erp` for every event, and
/// its secret.
pub(crate) async fn impatient() -> (TestApp, Sandbox, String) {
    let (app, sandbox) = TestApp::with_sandbox().await;
    let app = app
        .restarted([("ERSAL_WEBHOOK_TIMEOUT_SECS", "1".to_owned())])
        .await;
    let secret = endpoint(&app, &sandbox, "erp", Event::ALL).await;
    (app, sandbox, secret)
}

pub(crate) fn body(delivery: &Value) -> Value {
    serde_json::from_str(delivery["body"].as_str().unwrap()).unwrap()
}

/// Verifies `deliveries` with Python's `standardwebhooks` (scripts/verify-webhooks.py).
fn verify_elsewhere(secret: &str, deliveries: &[Value]) {
    let root = env!("CARGO_MANIFEST_DIR");
    let tools = Command::new(format!("{root}/scripts/python-tools.sh"))
        .output()
        .expect("scripts/python-tools.sh runs");
    assert!(
        tools.status.success(),
        "{}",
        String::from_utf8_lossy(&tools.stderr)
    );
    let python = String::from_utf8(tools.stdout).unwrap();
    let mut child = Command::new(python.trim())
        .arg(format!("{root}/scripts/verify-webhooks.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = json!({"secret": secret, "deliveries": deliveries});
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        input.to_string().as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        deliveries.len().to_string()
    );
}

#[tokio::test]
async fn every_delivery_verifies_elsewhere_in_order_with_personal_data_only_where_allowed() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    let secret = endpoint(&app, &sandbox, "erp", Event::ALL).await;
    let crm = format!("{}/receiver/crm", sandbox.config.origin);
    let crm_secret = webhooks::add(&app.state, &crm, &[Event::ShipmentBooked], true, "t")
        .await
        .unwrap()
        .secret;
    receiver(&sandbox, "crm", json!({"secret": crm_secret})).await;

    let code = shipment_in(&app, "conv-wh1").await;
    for (status, actor) in JOURNEY {
        move_to(&app.state, &code, status, actor).await;
    }
    drain(&app.state).await;

    let got = deliveries(&sandbox, "erp").await;
    let kinds: Vec<(String, String)> = got
        .iter()
        .map(|d| {
            let b = body(d);
            assert_eq!(b["data"]["tracking_code"], code.as_str());
            assert!(b["data"].get("parties").is_none(), "{b}");
            assert_eq!(d["verified"], true);
            (
                b["type"].as_str().unwrap().to_owned(),
                b["data"]["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("shipment.created", "awaiting_counterparty"),
        ("shipment.booked", "booked"),
        ("shipment.status_changed", "pickup_scheduled"),
        ("shipment.status_changed", "picked_up"),
        ("shipment.status_changed", "in_transit"),
        ("shipment.status_changed", "out_for_delivery"),
        ("shipment.status_changed", "delivered"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(kinds, expected);
    let ids: BTreeSet<&str> = got.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), got.len(), "each message has its own id");
    verify_elsewhere(&secret, &got);

    let personal = deliveries(&sandbox, "crm").await;
    assert_eq!(personal.len(), 1, "only the event it wants");
    let sides = &body(&personal[0])["data"]["parties"];
    let stored = app.shipment(&code).await.order.parties;
    assert_eq!(sides, &serde_json::to_value(&stored).unwrap());
    assert!(sides.to_string().contains("علی محمدی"), "{sides}");
    verify_elsewhere(&crm_secret, &personal);
}

#[tokio::test]
async fn failures_and_timeouts_are_retried_with_the_same_id_and_keep_the_order() {
    let (app, sandbox, secret) = impatient().await;
    receiver(
        &sandbox,
        "erp",
        json!({"secret": secret, "mode": "fail", "status": 503, "count": 1}),
    )
    .await;

    let code = shipment_in(&app, "conv-wh2").await;
    drain(&app.state).await;
    assert_eq!(deliveries(&sandbox, "erp").await.len(), 1);
    // The next event waits behind the failed one: one shipment's events keep their order.
    move_to(&app.state, &code, Status::Cancelled, Actor::Operator).await;
    drain(&app.state).await;
    assert_eq!(deliveries(&sandbox, "erp").await.len(), 1);
    let due = "update outbox set next_attempt_at = 0 where state = 'pending'";

    // Now it answers too slowly once (the client gives up after 1 s), then well.
    receiver(
        &sandbox,
        "erp",
        json!({"secret": secret, "mode": "slow", "delay_ms": 2500, "count": 1}),
    )
    .await;
    exec(&app.state.db, due).await;
    drain(&app.state).await;
    exec(&app.state.db, due).await;
    drain(&app.state).await;

    let got = deliveries(&sandbox, "erp").await;
    let seen: Vec<(String, Option<u64>)> = got
        .iter()
        .map(|d| {
            (
                body(d)["type"].as_str().unwrap().to_owned(),
                d["answered"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("shipment.created".to_owned(), Some(503)),
            // Ersal gave up waiting before the receiver answered.
            ("shipment.created".to_owned(), None),
            ("shipment.created".to_owned(), Some(200)),
            ("shipment.cancelled".to_owned(), Some(200)),
        ]
    );
    assert_eq!(got[0]["id"], got[1]["id"], "a retry keeps its id");
    assert_eq!(got[1]["id"], got[2]["id"]);
    verify_elsewhere(&secret, &got);

    let id = webhooks::endpoints(&app.state).await.unwrap()[0].id;
    let (log, (pending, failed)) = webhooks::log(&app.state, id).await.unwrap();
    let outcomes: Vec<(&str, Option<i32>)> = log
        .iter()
        .rev()
        .map(|a| (a.outcome.as_str(), a.status))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("http", Some(503)),
            ("timeout", None),
            ("ok", Some(200)),
            ("ok", Some(200))
        ]
    );
    assert_eq!((pending, failed), (0, 0));
}

#[tokio::test]
async fn a_day_of_failures_turns_an_endpoint_off_until_it_is_on_and_replayed() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    let secret = endpoint(&app, &sandbox, "erp", Event::ALL).await;
    receiver(
        &sandbox,
        "erp",
        json!({"secret": secret, "mode": "fail", "status": 500}),
    )
    .await;
    let code = shipment_in(&app, "conv-wh3").await;
    move_to(&app.state, &code, Status::Cancelled, Actor::Operator).await;
    drain(&app.state).await;
    let id = webhooks::endpoints(&app.state).await.unwrap()[0].id;

    let day_ago = app.state.now() - 24 * 3600;
    exec(
        &app.state.db,
        &format!("update webhook_endpoints set failing_since = {day_ago}"),
    )
    .await;
    exec(
        &app.state.db,
        "update outbox set next_attempt_at = 0 where state = 'pending'",
    )
    .await;
    drain(&app.state).await;
    let off = &webhooks::endpoints(&app.state).await.unwrap()[0];
    assert!(off.disabled_at.is_some());
    assert!(
        off.disabled_reason.as_deref().unwrap().contains("HTTP ۵۰۰"),
        "{off:?}"
    );
    // Turned off, its other message fails without a try.
    let (log, (pending, failed)) = webhooks::log(&app.state, id).await.unwrap();
    assert_eq!(log[0].outcome, "disabled");
    assert_eq!((pending, failed), (0, 2));
    assert_eq!(deliveries(&sandbox, "erp").await.len(), 2);

    receiver(&sandbox, "erp", json!({"secret": secret})).await;
    assert!(webhooks::act(&app.state, id, Action::Enable, "test")
        .await
        .unwrap());
    assert!(webhooks::act(&app.state, id, Action::Replay, "test")
        .await
        .unwrap());
    drain(&app.state).await;
    let got = deliveries(&sandbox, "erp").await;
    let answered: Vec<Option<u64>> = got[2..].iter().map(|d| d["answered"].as_u64()).collect();
    assert_eq!(answered, [Some(200), Some(200)]);
    assert_eq!(
        body(&got[2])["type"],
        "shipment.created",
        "replayed in order"
    );
    assert_eq!(
        got[2]["id"], got[0]["id"],
        "a replay keeps the message's id"
    );
    assert_eq!(webhooks::log(&app.state, id).await.unwrap().1, (0, 0));
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    let old = endpoint(&app, &sandbox, "erp", Event::ALL).await;
    let id = webhooks::endpoints(&app.state).await.unwrap()[0].id;
    let new = webhooks::rotate(&app.state, id, "test")
        .await
        .unwrap()
        .unwrap()
        .secret;
    assert_ne!(old, new);
    receiver(&sandbox, "erp", json!({"secret": new})).await;
    shipment_in(&app, "conv-wh4").await;
    drain(&app.state).await;
    let got = deliveries(&sandbox, "erp").await;
    assert_eq!(got[0]["signature"].as_str().unwrap().split(' ').count(), 2);
    assert_eq!(got[0]["verified"], true);
    verify_elsewhere(&old, &got);
    verify_elsewhere(&new, &got);
}

#[tokio::test]
async fn two_instances_deliver_each_shipments_events_once_and_in_order() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    let secret = endpoint(&app, &sandbox, "erp", Event::ALL).await;
    let other = app.another_process().await;
    let mut codes = Vec::new();
    for n in 0..4 {
        let code = shipment_in(&app, &format!("conv-wh6-{n}")).await;
        for (status, actor) in JOURNEY {
            move_to(&app.state, &code, status, actor).await;
        }
        codes.push(code);
    }
    tokio::join!(drain(&app.state), drain(&other));
    drain(&app.state).await;

    let got = deliveries(&sandbox, "erp").await;
    assert_eq!(got.len(), codes.len() * 7);
    let mut per_shipment: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for delivery in &got {
        let b = body(delivery);
        per_shipment
            .entry(b["data"]["tracking_code"].as_str().unwrap().to_owned())
            .or_default()
            .push(b["data"]["status"].as_str().unwrap().to_owned());
    }
    let order: Vec<String> = std::iter::once(Status::AwaitingCounterparty)
        .chain(
            JOURNEY
                .iter()
                .map(|(s, _)| *s)
                .filter(|s| *s != Status::AwaitingConfirmation),
        )
        .map(|s| s.key().to_owned())
        .collect();
    for code in &codes {
        assert_eq!(per_shipment[code.as_str()], order, "{code:?}");
    }
    verify_elsewhere(&secret, &got);
}

#[tokio::test]
async fn an_attempt_cut_off_with_its_instance_is_made_again() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    endpoint(&app, &sandbox, "erp", Event::ALL).await;
    shipment_in(&app, "conv-wh7").await;
    // An instance claims the message, starts its try, and dies: its lease runs out.
    let (db, now_ms) = (&app.state.db, app.state.now_ms());
    let claimed = store::outbox::claim(
        db,
        "gone",
        store::outbox::Lane::Webhooks,
        now_ms,
        now_ms + 1,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    let started = store::outbox::start_attempt(db, claimed[0].id, "gone", now_ms, now_ms + 1);
    assert_eq!(started.await.unwrap(), Some(1));
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    drain(&app.state).await;
    let got = deliveries(&sandbox, "erp").await;
    assert_eq!(got.len(), 1, "sent again, not settled as unknown");
    let state = format!("select state from outbox where id = {}", claimed[0].id);
    let state: String = crate::support::scalar(db, &state).await;
    assert_eq!(state, "sent");
}
