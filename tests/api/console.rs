//! The console's rules below the UI: operator logins (lockout, per-address limits, idle expiry,
//! disabling), forbidden transitions changing nothing, and the retention purge with a
//! controllable clock.

use domain::code::TrackingCode;
use domain::status::{Actor, Status};
use ersal_server::chat::texts::{Composer, Facts};
use ersal_server::retention;
use store::operators::{
    self, Login, LoginRefused, NewSession, IDLE_SECS, LOCKOUT_SECS, MAX_FAILED_LOGINS,
    MAX_SESSION_SECS,
};
use store::outbox::Announcement;
use store::passwords::{CONCURRENT_CHECKS, MAX_WAITING};
use store::shipments::list::{self, Filter};
use store::shipments::{self, Change, Changed, Refusal};

use crate::chat::shipment_in;
use crate::support::{chat_grant, conv, exec, scalar, TestApp};

pub const PASSWORD: &str = "correct horse battery";

/// A test app with one operator, "ali", whose password is [`PASSWORD`].
pub async fn with_ali() -> TestApp {
    add_ali(TestApp::new().await).await
}

/// `app` with the operator "ali" added.
pub async fn add_ali(app: TestApp) -> TestApp {
    operators::add(&app.state.db, "ali", PASSWORD, app.state.now())
        .await
        .unwrap();
    app
}

/// Logs "ali" in with `password` from `address` at `now`.
async fn login_ali(app: &TestApp, password: &str, address: &str, now: i64) -> Login {
    let state = &app.state;
    operators::login(
        &state.db,
        &state.passwords,
        "ali",
        password,
        Some(address),
        now,
    )
    .await
    .unwrap()
}

/// Why logging "ali" in was refused, or `None` when it was accepted.
async fn refusal(app: &TestApp, password: &str, address: &str, now: i64) -> Option<LoginRefused> {
    match login_ali(app, password, address, now).await {
        Login::Accepted(_) => None,
        Login::Refused(refusal) => Some(refusal),
    }
}

/// A session for "ali", logged in with the right password from 10.0.0.1 at `now`.
async fn accepted(app: &TestApp, now: i64) -> NewSession {
    match login_ali(app, PASSWORD, "10.0.0.1", now).await {
        Login::Accepted(session) => session,
        Login::Refused(refusal) => panic!("refused: {refusal:?}"),
    }
}

/// A milestone message for `id` in conv-A.
fn milestone(app: &TestApp, id: &TrackingCode) -> Announcement {
    let body = Composer {
        keys: &app.state.keys,
        conversation: &conv("conv-A"),
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
        conversation: conv("conv-A"),
        body,
    }
}

/// Runs the purge of personal data (kept 30 days) `days` days after `now`: how many shipments
/// it purged.
async fn purged_after(app: &TestApp, now: i64, days: i64) -> u64 {
    retention::purge_personal_data(&app.state.db, &app.state.keys, 30, now + days * 86_400)
        .await
        .unwrap()
}

/// Runs the expiry of shipments the other side never completed `days` days after `now`: how
/// many it expired.
async fn expired_after(app: &TestApp, now: i64, days: i64) -> usize {
    retention::expire_unanswered(&app.state.db, &app.state.keys, now + days * 86_400)
        .await
        .unwrap()
}

async fn outbox_rows(app: &TestApp) -> i64 {
    app.count("select count(*) from outbox").await
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
    let hash: String = scalar(&app.state.db, "select password_hash from operators").await;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_for_a_while() {
    let app = with_ali().await;
    let now = app.state.now();
    for _ in 0..5 {
        assert_eq!(
            refusal(&app, "wrong", "10.0.0.1", now).await,
            Some(LoginRefused::WrongCredentials)
        );
    }
    assert_eq!(
        refusal(&app, PASSWORD, "10.0.0.2", now).await,
        Some(LoginRefused::AccountLocked)
    );
    let later = now + LOCKOUT_SECS + 1;
    assert!(refusal(&app, PASSWORD, "10.0.0.2", later).await.is_none());
}

#[tokio::test]
async fn a_burst_of_logins_gets_no_more_guesses_than_one_after_another() {
    let app = with_ali().await;
    let now = app.state.now();
    let before = app.state.passwords.guesses();
    let attempts: Vec<_> = (0..30)
        .map(|i| {
            let state = app.state.clone();
            tokio::spawn(async move {
                let address = format!("10.1.0.{i}");
                let passwords = &state.passwords;
                operators::login(&state.db, passwords, "ali", "wrong", Some(&address), now).await
            })
        })
        .collect();
    for attempt in attempts {
        assert!(matches!(attempt.await.unwrap().unwrap(), Login::Refused(_)));
    }
    let guesses = app.state.passwords.guesses() - before;
    assert_eq!(
        guesses, MAX_FAILED_LOGINS as u64,
        "guesses against the real hash"
    );
    assert_eq!(
        refusal(&app, PASSWORD, "10.0.0.3", now).await,
        Some(LoginRefused::AccountLocked)
    );
}

/// An unknown name, a wrong password and a locked account each cost one password check, so
/// their timing tells no real name apart.
#[tokio::test]
async fn unknown_wrong_and_locked_names_cost_the_same_check() {
    let app = with_ali().await;
    let (state, now) = (&app.state, app.state.now());
    let checks_for = |name: &'static str| async move {
        let before = state.passwords.checks();
        let login = operators::login(&state.db, &state.passwords, name, "x", None, now);
        let refused = match login.await.unwrap() {
            Login::Refused(refused) => refused,
            Login::Accepted(_) => panic!("a wrong password was accepted"),
        };
        (refused, state.passwords.checks() - before)
    };
    assert_eq!(
        checks_for("nobody").await,
        (LoginRefused::WrongCredentials, 1)
    );
    for _ in 0..MAX_FAILED_LOGINS {
        assert_eq!(checks_for("ali").await.1, 1);
    }
    assert_eq!(checks_for("ali").await, (LoginRefused::AccountLocked, 1));
}

/// With the password checker's line full, a login is turned away at once and counts nothing
/// against the account.
#[tokio::test]
async fn a_full_password_line_turns_logins_away_without_counting_them() {
    let app = with_ali().await;
    let (state, now) = (&app.state, app.state.now());
    let line: Vec<_> = std::iter::from_fn(|| state.passwords.turn()).collect();
    assert_eq!(line.len(), CONCURRENT_CHECKS + MAX_WAITING);
    for _ in 0..10 {
        let login = operators::login(&state.db, &state.passwords, "ali", "wrong", None, now);
        assert!(matches!(
            login.await.unwrap(),
            Login::Refused(LoginRefused::Busy)
        ));
    }
    drop(line);
    let login = operators::login(&state.db, &state.passwords, "ali", PASSWORD, None, now);
    assert!(
        matches!(login.await.unwrap(), Login::Accepted(_)),
        "not locked"
    );
}

#[tokio::test]
async fn an_unknown_address_skips_the_address_rule_only() {
    let app = with_ali().await;
    let state = &app.state;
    let now = state.now();
    for _ in 0..30 {
        let login = operators::login(&state.db, &state.passwords, "nobody", "x", None, now);
        assert!(matches!(
            login.await.unwrap(),
            Login::Refused(LoginRefused::WrongCredentials)
        ));
    }
    let login = operators::login(&state.db, &state.passwords, "ali", PASSWORD, None, now);
    assert!(matches!(login.await.unwrap(), Login::Accepted(_)));

    // The account's own rule still holds without an address.
    for _ in 0..operators::MAX_FAILED_LOGINS {
        operators::login(&state.db, &state.passwords, "ali", "wrong", None, now)
            .await
            .unwrap();
    }
    let login = operators::login(&state.db, &state.passwords, "ali", PASSWORD, None, now);
    assert!(matches!(
        login.await.unwrap(),
        Login::Refused(LoginRefused::AccountLocked)
    ));
}

#[tokio::test]
async fn a_new_password_ends_old_sessions_and_sessions_have_an_absolute_lifetime() {
    let app = with_ali().await;
    let (db, now) = (&app.state.db, app.state.now());
    let session = accepted(&app, now).await;
    operators::add(db, "ali", "another long password", now)
        .await
        .unwrap();
    assert!(operators::current(db, &session.cookie, now)
        .await
        .unwrap()
        .is_none());

    operators::add(db, "ali", PASSWORD, now).await.unwrap();
    let session = accepted(&app, now).await;
    let mut at = now;
    while at + IDLE_SECS / 2 < now + MAX_SESSION_SECS {
        at += IDLE_SECS / 2;
        let alive = operators::current(db, &session.cookie, at).await.unwrap();
        assert!(alive.is_some(), "active sessions live up to their lifetime");
    }
    let after = now + MAX_SESSION_SECS + 1;
    assert!(operators::current(db, &session.cookie, after)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn one_address_gets_a_limited_number_of_failures() {
    let app = with_ali().await;
    let db = &app.state.db;
    let now = app.state.now();
    for i in 0..20 {
        let name = format!("nobody{i}");
        let passwords = &app.state.passwords;
        let _ = operators::login(db, passwords, &name, "wrong", Some("10.0.0.9"), now)
            .await
            .unwrap();
    }
    assert_eq!(
        refusal(&app, PASSWORD, "10.0.0.9", now).await,
        Some(LoginRefused::TooManyFromAddress)
    );
    // Guesses from the refused address count against no account: "ali" is not locked by them.
    for _ in 0..MAX_FAILED_LOGINS * 2 {
        let guess = refusal(&app, "wrong", "10.0.0.9", now).await;
        assert_eq!(guess, Some(LoginRefused::TooManyFromAddress));
    }
    assert!(
        refusal(&app, PASSWORD, "10.0.0.10", now).await.is_none(),
        "other addresses are not affected"
    );
}

#[tokio::test]
async fn sessions_expire_when_idle_and_end_when_disabled() {
    let app = with_ali().await;
    let db = &app.state.db;
    let now = app.state.now();
    let session = accepted(&app, now).await;
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

    let session = accepted(&app, now).await;
    operators::disable(db, "ali").await.unwrap();
    assert!(operators::current(db, &session.cookie, now)
        .await
        .unwrap()
        .is_none());
    assert!(refusal(&app, PASSWORD, "10.0.0.1", now).await.is_some());
}

#[tokio::test]
async fn every_forbidden_transition_changes_nothing_and_sends_nothing() {
    let app = TestApp::new().await;
    let id = shipment_in(&app, "conv-A").await;
    let before = app.shipment(&id).await;
    assert_eq!(before.status, Status::AwaitingCounterparty);
    for to in Status::ALL
        .iter()
        .copied()
        .filter(|to| !before.status.can_become(*to, Actor::Operator))
    {
        let mut change = Change::to(to, Actor::Operator);
        change.message = Some(milestone(&app, &id));
        change.by = Some(shipments::By::Operator(1));
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
    let id = shipment_in(&app, "conv-A").await;
    let open = shipment_in(&app, "conv-B").await;
    let now = app.state.now();
    shipments::transition(db, &id, Change::to(Status::Cancelled, Actor::Operator), now)
        .await
        .unwrap();
    let events_before = app.shipment(&id).await.events.len();

    assert_eq!(purged_after(&app, now, 29).await, 0, "not yet");
    assert_eq!(purged_after(&app, now, 31).await, 1);
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
    assert_eq!(purged_after(&app, now, 40).await, 0, "once");
}

#[tokio::test]
async fn shipments_the_other_side_never_completed_expire() {
    let app = TestApp::new().await;
    let id = shipment_in(&app, "conv-A").await;
    let now = app.state.now();
    assert_eq!(expired_after(&app, now, 6).await, 0, "still waiting");
    assert_eq!(expired_after(&app, now, 8).await, 1);
    let expired = app.shipment(&id).await;
    assert_eq!(expired.status, Status::Expired);
    assert_eq!(expired.events.last().unwrap().actor, Actor::System);
    assert_eq!(outbox_rows(&app).await, 1, "the chat hears about it");
    assert_eq!(expired_after(&app, now, 9).await, 0, "once");
}

#[tokio::test]
async fn chat_tokens_outlive_open_shipments_and_pending_messages() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let id = shipment_in(&app, "conv-A").await;
    crate::support::keep_grant(
        &app.state,
        "conv-A",
        "ory_at_x",
        "ory_rt_x",
        app.state.now(),
    )
    .await;
    // Releases the conversation's tokens when it is done: whether they are still kept.
    let release_and_check = || async {
        store::grants::release_when_done(db, &conv("conv-A"))
            .await
            .unwrap();
        let kept = store::grants::read(db, &app.state.keys, &chat_grant("conv-A")).await;
        kept.unwrap().is_some()
    };

    assert!(release_and_check().await, "the shipment is still open");

    let mut cancel = Change::to(Status::Cancelled, Actor::Operator);
    cancel.message = Some(milestone(&app, &id));
    shipments::transition(db, &id, cancel, app.state.now())
        .await
        .unwrap();
    assert!(
        release_and_check().await,
        "the cancellation message still has to be sent"
    );

    exec(db, "update outbox set state = 'sent'").await;
    assert!(
        !release_and_check().await,
        "nothing left to say: the permission is dropped"
    );
}

#[tokio::test]
async fn the_audit_isolates_a_latin_name_and_keeps_one_view_an_hour() {
    let app = TestApp::new().await;
    let code = crate::chat::shipment_in(&app, "conv-A").await;
    let (cookie, _) = crate::console_forms::operator_session(&app).await;
    let path = format!("/console/s/{code}");
    app.get(&path, Some(&cookie)).await;
    let page = app.get(&path, Some(&cookie)).await.text();
    assert!(page.contains("<bdi>ali</bdi>؛ "), "{page}");
    let viewed = app
        .count("select count(*) from audit where what = 'مشاهدهٔ اطلاعات شخصی'")
        .await;
    assert_eq!(viewed, 1, "two views within the hour, one line");
    assert!(page.contains(r#"href="tel:"#), "phone numbers are links");
}
