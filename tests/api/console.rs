//! The console's rules below the UI: operator logins (lockout, per-address limits, idle expiry,
//! disabling), forbidden transitions changing nothing, and the retention purge with a
//! controllable clock.

use domain::code::TrackingCode;
use domain::status::{Actor, Status};
use ersal_server::chat::outbox::Announcement;
use ersal_server::chat::texts::{Composer, Facts};
use ersal_server::chat::tokens;
use ersal_server::operators::{self, Login, LoginRefused, NewSession, IDLE_SECS, LOCKOUT_SECS};
use ersal_server::shipments::list::{self, Filter};
use ersal_server::shipments::retention;
use ersal_server::shipments::{self, Change, Changed, Refusal};

use crate::chat::shipment_in;
use crate::support::TestApp;

pub const PASSWORD: &str = "correct horse battery";

fn refusal(login: Login) -> Option<LoginRefused> {
    match login {
        Login::Accepted(_) => None,
        Login::Refused(refusal) => Some(refusal),
    }
}

fn accepted(login: Login) -> NewSession {
    match login {
        Login::Accepted(session) => session,
        Login::Refused(refusal) => panic!("refused: {refusal:?}"),
    }
}

/// A milestone message for `id` in conv-A.
fn milestone(app: &TestApp, id: &TrackingCode) -> Announcement {
    let body = Composer {
        keys: &app.state.keys,
        conversation: "conv-A",
    }
    .milestone(
        &Facts {
            code: id,
            item: "گوشی",
            route: None,
        },
        Status::Cancelled,
        None,
    );
    Announcement {
        conversation: "conv-A".into(),
        body,
    }
}

async fn outbox_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn accounts_need_a_good_name_and_a_long_password() {
    let app = TestApp::new().await;
    let now = app.state.now();
    assert!(operators::add(&app.state.db, "x", PASSWORD, now)
        .await
        .is_err());
    assert!(operators::add(&app.state.db, "ali;drop", PASSWORD, now)
        .await
        .is_err());
    assert!(operators::add(&app.state.db, "ali", "short", now)
        .await
        .is_err());
    operators::add(&app.state.db, "ali", PASSWORD, now)
        .await
        .unwrap();
    let hash: String = sqlx::query_scalar("select password_hash from operators")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_for_a_while() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let now = app.state.now();
    operators::add(db, "ali", PASSWORD, now).await.unwrap();
    for _ in 0..5 {
        assert_eq!(
            refusal(
                operators::login(db, "ali", "wrong", "10.0.0.1", now)
                    .await
                    .unwrap()
            )
            .unwrap(),
            LoginRefused::WrongCredentials
        );
    }
    assert_eq!(
        refusal(
            operators::login(db, "ali", PASSWORD, "10.0.0.2", now)
                .await
                .unwrap()
        )
        .unwrap(),
        LoginRefused::AccountLocked
    );
    let later = now + LOCKOUT_SECS + 1;
    assert!(refusal(
        operators::login(db, "ali", PASSWORD, "10.0.0.2", later)
            .await
            .unwrap()
    )
    .is_none());
}

#[tokio::test]
async fn one_address_gets_a_limited_number_of_failures() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let now = app.state.now();
    operators::add(db, "ali", PASSWORD, now).await.unwrap();
    for i in 0..20 {
        let _ = operators::login(db, &format!("nobody{i}"), "wrong", "10.0.0.9", now)
            .await
            .unwrap();
    }
    assert_eq!(
        refusal(
            operators::login(db, "ali", PASSWORD, "10.0.0.9", now)
                .await
                .unwrap()
        )
        .unwrap(),
        LoginRefused::TooManyFromAddress
    );
    assert!(
        refusal(
            operators::login(db, "ali", PASSWORD, "10.0.0.10", now)
                .await
                .unwrap()
        )
        .is_none(),
        "other addresses are not affected"
    );
}

#[tokio::test]
async fn sessions_expire_when_idle_and_end_when_disabled() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let now = app.state.now();
    operators::add(db, "ali", PASSWORD, now).await.unwrap();
    let session = accepted(
        operators::login(db, "ali", PASSWORD, "10.0.0.1", now)
            .await
            .unwrap(),
    );
    assert!(operators::current(db, &session.cookie, now + IDLE_SECS - 1)
        .await
        .unwrap()
        .is_some());
    assert!(
        operators::current(db, &session.cookie, now + 2 * IDLE_SECS - 2)
            .await
            .unwrap()
            .is_some(),
        "activity extends it"
    );
    assert!(operators::current(db, &session.cookie, now + 4 * IDLE_SECS)
        .await
        .unwrap()
        .is_none());

    let session = accepted(
        operators::login(db, "ali", PASSWORD, "10.0.0.1", now)
            .await
            .unwrap(),
    );
    operators::disable(db, "ali").await.unwrap();
    assert!(operators::current(db, &session.cookie, now)
        .await
        .unwrap()
        .is_none());
    assert!(refusal(
        operators::login(db, "ali", PASSWORD, "10.0.0.1", now)
            .await
            .unwrap()
    )
    .is_some());
}

#[tokio::test]
async fn every_forbidden_transition_changes_nothing_and_sends_nothing() {
    let app = TestApp::new().await;
    let id = shipment_in(&app, "conv-A").await;
    let before = app.shipment(&id).await;
    assert_eq!(before.status, Status::AwaitingCounterparty);
    for to in Status::ALL
        .into_iter()
        .filter(|to| !before.status.can_become(*to, Actor::Operator))
    {
        let mut change = Change::to(to, Actor::Operator);
        change.message = Some(milestone(&app, &id));
        change.operator = Some(1);
        let result = shipments::transition(&app.state.db, &id, change, app.state.now())
            .await
            .unwrap();
        assert!(
            matches!(result, Changed::Refused(Refusal::Forbidden { .. })),
            "{to:?}"
        );
    }
    assert_eq!(app.shipment(&id).await, before);
    assert_eq!(outbox_rows(&app).await, 0);
}

#[tokio::test]
async fn personal_data_is_purged_after_the_retention_period() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let keys = &app.state.keys;
    let id = shipment_in(&app, "conv-A").await;
    let open = shipment_in(&app, "conv-B").await;
    let now = app.state.now();
    shipments::transition(db, &id, Change::to(Status::Cancelled, Actor::Operator), now)
        .await
        .unwrap();
    let events_before = app.shipment(&id).await.events.len();

    assert_eq!(
        retention::purge_personal_data(db, keys, 30, now + 29 * 86_400)
            .await
            .unwrap(),
        0,
        "not yet"
    );
    assert_eq!(
        retention::purge_personal_data(db, keys, 30, now + 31 * 86_400)
            .await
            .unwrap(),
        1
    );
    let purged = app.shipment(&id).await;
    assert_eq!(
        purged.order.parties,
        shipments::Parties::default(),
        "names, phones and addresses gone"
    );
    assert_eq!(purged.order.conversation_id, None);
    assert_eq!(
        purged.events.len(),
        events_before,
        "the anonymised record keeps its history"
    );
    assert_eq!(purged.order.item.description.as_str(), "گوشی");
    assert!(purged.purged);
    let still_open = app.shipment(&open).await;
    assert!(
        still_open.order.parties.receiver.is_some(),
        "an open shipment keeps its data"
    );
    let (_, total) = list::list(db, &Filter::default(), 0).await.unwrap();
    assert_eq!(total, 2, "and the counts still include the purged one");
    assert_eq!(
        retention::purge_personal_data(db, keys, 30, now + 40 * 86_400)
            .await
            .unwrap(),
        0,
        "once"
    );
}

#[tokio::test]
async fn shipments_the_other_side_never_completed_expire() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let keys = &app.state.keys;
    let id = shipment_in(&app, "conv-A").await;
    let now = app.state.now();
    assert_eq!(
        retention::expire_unanswered(db, keys, now + 6 * 86_400)
            .await
            .unwrap(),
        0,
        "still waiting"
    );
    assert_eq!(
        retention::expire_unanswered(db, keys, now + 8 * 86_400)
            .await
            .unwrap(),
        1
    );
    let expired = app.shipment(&id).await;
    assert_eq!(expired.status, Status::Expired);
    assert_eq!(expired.events.last().unwrap().actor, Actor::System);
    assert_eq!(outbox_rows(&app).await, 1, "the chat hears about it");
    assert_eq!(
        retention::expire_unanswered(db, keys, now + 9 * 86_400)
            .await
            .unwrap(),
        0,
        "once"
    );
}

#[tokio::test]
async fn chat_tokens_outlive_open_shipments_and_pending_messages() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let id = shipment_in(&app, "conv-A").await;
    let granted = ersal_server::oauth::Tokens {
        access: "ory_at_x".into(),
        refresh: Some("ory_rt_x".into()),
        expires_in: 3600,
        scopes: Vec::new(),
    };
    tokens::store(db, &app.state.keys, "conv-A", &granted, app.state.now())
        .await
        .unwrap();
    let kept = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from chat_tokens")
            .fetch_one(db)
            .await
            .unwrap()
    };

    tokens::release_when_done(db, "conv-A").await.unwrap();
    assert_eq!(kept().await, 1, "the shipment is still open");

    let mut cancel = Change::to(Status::Cancelled, Actor::Operator);
    cancel.message = Some(milestone(&app, &id));
    shipments::transition(db, &id, cancel, app.state.now())
        .await
        .unwrap();
    tokens::release_when_done(db, "conv-A").await.unwrap();
    assert_eq!(
        kept().await,
        1,
        "the cancellation message still has to be sent"
    );

    sqlx::query("update outbox set state = 'sent'")
        .execute(db)
        .await
        .unwrap();
    tokens::release_when_done(db, "conv-A").await.unwrap();
    assert_eq!(
        kept().await,
        0,
        "nothing left to say: the permission is dropped"
    );
}
