//! The retention purge, the other side's expiry and the scheduled round that runs them.

use super::*;

/// Runs the purge at `at`, with the configured retention: how many were purged.
async fn purge_at(app: &TestApp, at: i64) -> u64 {
    retention::purge_personal_data(
        &app.state.db,
        &app.state.keys,
        app.state.config.retention_days,
        at,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn the_purge_removes_both_sides_sessions_drafts_and_notes_and_keeps_the_record() {
    let app = TestApp::new().await;
    let kept_for = terms(&app).await.retention;
    let db = &app.state.db;
    let id = shipment_in(&app, "conv-A").await;
    // The other side pressed "fill in" and typed their details, but never confirmed.
    let cookie = press(&app, "conv-A", &id, Op::Fill).await;
    step(&app, &cookie, "party", &party("dropoff")).await;
    // Someone else, not part of this shipment.
    buyer(&app).await;
    assert_eq!(sessions_and_drafts(&app).await, (3, 3, 1));
    // An operator cancels with a note, and looked at the personal data.
    operators::add(db, "ali", crate::console::PASSWORD, app.state.now())
        .await
        .unwrap();
    let ali: i64 = count(&app, "select id from operators").await;
    // …and the company's system read it through the API, with a note of its own.
    let scopes = [domain::api::Scope::ShipmentsRead];
    ersal_server::api::tokens::issue(db, "crm", &scopes, "test", app.state.now())
        .await
        .unwrap();
    let crm: i64 = count(&app, "select id from api_tokens").await;
    let mut tx = db.begin().await.unwrap();
    operators::audit(&mut tx, &id, ali, "مشاهدهٔ اطلاعات شخصی", app.state.now())
        .await
        .unwrap();
    store::api::audit(&mut tx, &id, crm, "یادداشت: علی محمدی", app.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut cancel = Change::to(Status::Cancelled, Actor::Operator);
    cancel.note = Some("فرستنده، علی محمدی ۰۹۳۵۱۲۳۴۵۶۷، انصراف داد".into());
    cancel.by = Some(store::shipments::By::Operator(ali));
    let now = app.state.now();
    shipments::transition(db, &id, cancel, now).await.unwrap();
    let events = count(&app, "select count(*) from shipment_events").await;
    let audits = count(&app, "select count(*) from audit").await;
    let notes = || {
        count(
            &app,
            "select count(*) from shipment_events where note is not null",
        )
    };
    let texts = || {
        count(
            &app,
            "select (select count(*) from audit where what <> '')
                  + (select count(*) from api_audit where what <> '')",
        )
    };
    assert_eq!((notes().await, texts().await), (1, 3));

    assert_eq!(purge_at(&app, now + kept_for - 3600).await, 0, "not yet");
    assert_eq!(sessions_and_drafts(&app).await, (3, 3, 1));

    assert_eq!(purge_at(&app, now + kept_for + MINUTE).await, 1);
    assert_eq!(
        sessions_and_drafts(&app).await,
        (1, 1, 0),
        "only the stranger's session is left"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from shipments where landing_digest is not null"
        )
        .await,
        0,
        "no longer linked to any session"
    );
    assert_eq!(
        (notes().await, texts().await),
        (0, 0),
        "notes and audit texts blanked"
    );
    assert_eq!(
        (
            count(&app, "select count(*) from shipment_events").await,
            count(&app, "select count(*) from audit").await
        ),
        (events, audits),
        "who did what when stays"
    );
    let purged = app.shipment(&id).await;
    assert_eq!(purged.order.parties, shipments::Parties::default());
    assert_eq!(purged.order.item.description.as_str(), "گوشی");
    assert_eq!(purged.status, Status::Cancelled);
}

#[tokio::test]
async fn the_purge_keeps_the_chat_permission_an_open_shipment_still_needs() {
    let app = TestApp::new().await;
    let kept_for = terms(&app).await.retention;
    let db = &app.state.db;
    let ended = shipment_in(&app, "conv-A").await;
    shipment_in(&app, "conv-A").await;
    let alone = shipment_in(&app, "conv-B").await;
    let now = app.state.now();
    for id in [&ended, &alone] {
        shipments::transition(db, id, Change::to(Status::Cancelled, Actor::Operator), now)
            .await
            .unwrap();
    }
    // Both chats hold a permission (conv-B's granted after its shipment ended).
    for conversation in ["conv-A", "conv-B"] {
        crate::support::keep_grant(&app.state, conversation, "ory_at_x", "ory_rt_x", now).await;
    }

    assert_eq!(purge_at(&app, now + kept_for + MINUTE).await, 2);
    let left: Vec<String> = crate::support::column(db, "select grant_key from chat_tokens").await;
    assert_eq!(
        left,
        ["conv-A"],
        "conv-A's other shipment is open; conv-B has nothing left to hear"
    );
}

#[tokio::test]
async fn a_request_the_other_side_never_completes_expires_when_the_page_says() {
    let app = TestApp::new().await;
    let after = terms(&app).await.counterparty;
    let id = shipment_in(&app, "conv-A").await;
    let now = app.state.now();
    let expire = |at| retention::expire_unanswered(&app.state.db, &app.state.keys, at);
    assert_eq!(expire(now + after - 3600).await.unwrap(), 0);
    assert_eq!(expire(now + after + MINUTE).await.unwrap(), 1);
    assert_eq!(app.shipment(&id).await.status, Status::Expired);
}

#[tokio::test]
async fn the_scheduled_round_expires_purges_and_sweeps() {
    let app = TestApp::new().await;
    let terms = terms(&app).await;
    let id = shipment_in(&app, "conv-A").await;
    let now = app.state.now();

    // Its landing link was never opened: it goes within hours, and the open shipment stays,
    // no longer linked to it.
    let round = jobs::run_once(&app.state, now + terms.landing_link + MINUTE)
        .await
        .unwrap();
    assert_eq!(round.swept.unwrap().landing_sessions, 1);
    assert_eq!(round.expired, Some(0));
    let open = app.shipment(&id).await;
    assert_eq!(open.order.landing, "");
    assert_eq!(open.status, Status::AwaitingCounterparty);

    let expired_at = now + terms.counterparty + MINUTE;
    assert_eq!(
        jobs::run_once(&app.state, expired_at)
            .await
            .unwrap()
            .expired,
        Some(1)
    );
    let kept = jobs::run_once(&app.state, expired_at + terms.retention - MINUTE)
        .await
        .unwrap();
    assert_eq!(
        kept.purged,
        Some(0),
        "the period runs from the end, not the start"
    );
    let round = jobs::run_once(&app.state, expired_at + terms.retention + MINUTE)
        .await
        .unwrap();
    assert_eq!(round.purged, Some(1));
    assert!(app.shipment(&id).await.purged);
}
