//! Several Ersal processes on one database, as behind a load balancer: the outbox's claims send
//! each chat message once, a claim left by a dead process is settled by the written rule, and a
//! stopping process gives its claims back.

use ersal_server::delivery;
use ersal_server::AppState;

use store::shipments;

use crate::chat::order_in;
use crate::journey::{location, to_consent, Journey};
use crate::outbox::{queue, Harness};
use crate::support::{exec, only_shipment, scalar, TestApp};

async fn state_of(state: &AppState, id: i64) -> String {
    scalar(
        &state.db,
        &format!("select state from outbox where id = {id}"),
    )
    .await
}

async fn pending(state: &AppState) -> i64 {
    scalar(
        &state.db,
        "select count(*) from outbox where state = 'pending'",
    )
    .await
}

#[tokio::test]
async fn two_instances_draining_at_once_send_each_message_once() {
    let (harness, first) = Harness::start(3600).await;
    let second = harness.ersal().await;
    for _ in 0..24 {
        queue(&first).await;
    }
    // One message of a conversation at a time: a round sends at most one of these.
    for _ in 0..100 {
        let (a, b) = tokio::join!(delivery::drain_once(&first), delivery::drain_once(&second));
        a.unwrap();
        b.unwrap();
        if pending(&first).await == 0 {
            break;
        }
    }
    assert_eq!(pending(&first).await, 0);
    assert_eq!(harness.delivered(), 24, "every message once, none twice");
}

#[tokio::test]
async fn a_dead_instances_claims_are_settled_when_they_run_out() {
    let (harness, live) = Harness::start(3600).await;
    let untouched = queue(&live).await;
    let cut_off = queue(&live).await;
    let until = live.now_ms() + live.outbox_lease_ms();
    // A process claimed both, started sending the second, and was killed.
    exec(
        &live.db,
        &format!("update outbox set claimed_by = 'dead', claimed_until = {until}"),
    )
    .await;
    exec(
        &live.db,
        &format!(
            "update outbox set attempt_started_at = {}, attempts = 1 where id = {cut_off}",
            live.now_ms()
        ),
    )
    .await;

    delivery::drain_once(&live).await.unwrap();
    assert_eq!(harness.delivered(), 0, "a live claim is left alone");

    exec(&live.db, "update outbox set claimed_until = 0").await;
    delivery::drain_once(&live).await.unwrap();
    assert_eq!(
        state_of(&live, untouched).await,
        "sent",
        "nothing had been sent"
    );
    assert_eq!(
        state_of(&live, cut_off).await,
        "unknown",
        "it may have reached the chat: never sent again"
    );
    delivery::drain_once(&live).await.unwrap();
    assert_eq!(harness.delivered(), 1);
}

#[tokio::test]
async fn a_stopping_worker_gives_its_claims_back_at_once() {
    let (harness, stopping) = Harness::start(3600).await;
    let other = harness.ersal().await;
    let id = queue(&stopping).await;
    let until = stopping.now_ms() + stopping.outbox_lease_ms();
    exec(
        &stopping.db,
        &format!(
            "update outbox set claimed_by = '{}', claimed_until = {until}",
            stopping.instance
        ),
    )
    .await;
    delivery::drain_once(&other).await.unwrap();
    assert_eq!(harness.delivered(), 0, "claimed by the stopping process");

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = delivery::spawn_worker(stopping.clone(), stopped);
    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), worker)
        .await
        .expect("the worker stops when told")
        .unwrap();
    // Told to stop before it began, the worker sent nothing and gave the claim back: the other
    // process sends it at once, without waiting for the claim to run out.
    assert_eq!(harness.delivered(), 0);
    delivery::drain_once(&other).await.unwrap();
    assert_eq!(state_of(&other, id).await, "sent");
    assert_eq!(harness.delivered(), 1);
}

#[tokio::test]
async fn the_jobs_run_in_one_instance_at_a_time() {
    let (harness, first) = Harness::start(3600).await;
    let second = harness.ersal().await;
    let now = first.now();
    let (a, b) = tokio::join!(
        ersal_server::jobs::run_once(&first, now),
        ersal_server::jobs::run_once(&second, now)
    );
    match &first.db {
        // One SQLite file serves one instance: there is nobody to take turns with.
        store::db::Db::Sqlite(_) => assert!(a.is_some() && b.is_some()),
        store::db::Db::Postgres(_) => {
            assert!(a.is_some() != b.is_some(), "exactly one ran: {a:?} {b:?}");
            let later = ersal_server::jobs::run_once(&second, now).await;
            assert!(later.is_some(), "the lock was released after the round");
        }
    }
}

/// "Save without a message" tapped twice, each tap reaching another instance: the draft
/// becomes one shipment, and both taps return the user to Divar.
#[tokio::test]
async fn two_instances_saving_one_draft_at_once_make_one_shipment() {
    let j = Journey::start().await;
    let other = j.serve_another().await;
    to_consent(&j).await;
    let (here, there) = (
        format!("{}/oauth/skip", j.ersal),
        format!("{other}/oauth/skip"),
    );
    let (first, second) = tokio::join!(j.post(&here, &[]), j.post(&there, &[]));
    // A tap that comes after the first one's commit finds nothing waiting: back to the flow,
    // which shows the shipment.
    for reply in [first, second] {
        let back = location(&reply);
        assert!(
            back == format!("{}/completion", j.sandbox) || back == "/request",
            "{back}"
        );
    }
    let code = only_shipment(&j.state).await;
    let reopened = j.get(&format!("{other}/request")).await;
    assert_eq!(location(&reopened), format!("/t/{code}"));
}

/// Two processes saving the same landing session's order at the same moment: the database
/// keeps one shipment, and the second save answers that there is one already.
#[tokio::test]
async fn one_landing_session_saved_twice_at_once_is_one_shipment() {
    let app = TestApp::new().await;
    let other = app.another_process().await;
    let order = order_in(&app, "conv-A").await;
    let save = |state: &AppState| {
        let state = state.clone();
        let order = order.clone();
        async move {
            shipments::create(&state.db, &state.keys, &order, |_| None, state.now())
                .await
                .unwrap()
        }
    };
    let (first, second) = tokio::join!(save(&app.state), save(&other));
    let saved: Vec<_> = [first, second].into_iter().flatten().collect();
    assert_eq!(
        saved.len(),
        1,
        "one save made a shipment, the other found it"
    );
    let found = shipments::of_landing(&app.state.db, &order.landing).await;
    assert_eq!(found.unwrap().as_ref(), saved.first());
    assert_eq!(only_shipment(&app.state).await, saved[0]);
}
