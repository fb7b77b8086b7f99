//! What housekeeping deletes, table by table, each at the time the privacy page states.

use super::*;

#[tokio::test]
async fn a_landing_link_never_opened_keeps_nothing_or_goes_when_it_expires() {
    let app = TestApp::new().await;
    let link = terms(&app).await.landing_link;
    let now = app.state.now();
    let chat = json!({"source": "CHAT", "conversation_id": "c-1", "user_side": "Demand"});
    landing_path(&app, chat.clone()).await;
    assert_eq!(
        sessions_and_drafts(&app).await,
        (0, 0, 0),
        "the context is sealed in the link itself"
    );

    // A context too large for a URL is kept until the link expires.
    let mut large = chat;
    large["extra_data"] = json!({"note": "x".repeat(2000)});
    landing_path(&app, large).await;
    assert_eq!(sessions_and_drafts(&app).await, (1, 0, 0));
    assert_eq!(sweep(&app, now + link - MINUTE).await, Swept::default());
    assert_eq!(sessions_and_drafts(&app).await, (1, 0, 0), "still usable");

    let swept = sweep(&app, now + link + MINUTE).await;
    assert_eq!(swept.landing_sessions, 1);
    assert_eq!(sessions_and_drafts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn an_idle_session_ends_and_takes_what_divar_sent_and_the_draft() {
    let (app, terms, now, cookie) = a_buyer_with_the_terms().await;
    let idle = terms.session_idle;
    step(&app, &cookie, "item", &ITEM).await;
    assert_eq!(sessions_and_drafts(&app).await, (1, 1, 1));

    sweep(&app, now + idle - MINUTE).await;
    assert_eq!(sessions_and_drafts(&app).await, (1, 1, 1), "not idle yet");

    assert!(
        !touch(&app, &cookie, now + idle + MINUTE).await,
        "refused once idle, before any sweep"
    );
    let swept = sweep(&app, now + idle + MINUTE).await;
    assert_eq!((swept.browser_sessions, swept.drafts), (1, 1));
    assert_eq!(
        sessions_and_drafts(&app).await,
        (1, 0, 0),
        "the draft went with its session; what Divar sent stays while the link could be opened"
    );
    let link = terms.landing_link.max(idle);
    let swept = sweep(&app, now + link + 2 * MINUTE).await;
    assert_eq!(swept.landing_sessions, 1);
    assert_eq!(sessions_and_drafts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn an_active_session_still_ends_at_its_longest() {
    let (app, terms, now, cookie) = a_buyer_with_the_terms().await;

    // Active every half idle period, up to a minute before the longest lifetime.
    let last = now + terms.session_max - MINUTE;
    let left = keep_active(&app, &cookie, (now, last), terms.session_idle).await;
    assert_eq!(left, (1, 1, 0), "active, not too old");

    let end = now + terms.session_max + MINUTE;
    assert!(touch(&app, &cookie, end - 2 * MINUTE).await, "still active");
    assert!(
        !touch(&app, &cookie, end).await,
        "refused at its longest, before any sweep"
    );
    let swept = sweep(&app, end).await;
    assert_eq!((swept.browser_sessions, swept.landing_sessions), (1, 1));
    assert_eq!(sessions_and_drafts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn an_abandoned_draft_goes_even_while_its_session_lives() {
    let (app, terms, now, cookie) = a_buyer_with_the_terms().await;
    step(&app, &cookie, "item", &ITEM).await;

    // The page stays open (the session is active) but nothing is typed.
    let last = now + terms.draft_idle - MINUTE;
    let left = keep_active(&app, &cookie, (now, last), terms.session_idle).await;
    assert_eq!(left, (1, 1, 1), "not abandoned yet");
    let abandoned = now + terms.draft_idle + MINUTE;
    assert!(touch(&app, &cookie, abandoned).await);
    assert_eq!(sweep(&app, abandoned).await.drafts, 1);
    assert_eq!(
        sessions_and_drafts(&app).await,
        (1, 1, 0),
        "the session lives on"
    );
}

#[tokio::test]
async fn a_draft_goes_once_its_request_is_saved_or_confirmed() {
    let app = TestApp::new().await;
    // Saved: the opener's draft.
    let cookie = buyer(&app).await;
    saved_by(&app, &cookie).await;
    assert_eq!(count(&app, "select count(*) from drafts").await, 0);

    // Confirmed: the other side's draft, with their name, phone and address.
    let id = shipment_in(&app, "conv-A").await;
    let cookie = press(&app, "conv-A", &id, Op::Fill).await;
    step(&app, &cookie, "party", &party("dropoff")).await;
    assert_eq!(count(&app, "select count(*) from drafts").await, 1);
    step(&app, &cookie, "confirm", &[("form[confirm]", "1")]).await;
    assert_eq!(app.shipment(&id).await.status, Status::Booked);
    assert_eq!(count(&app, "select count(*) from drafts").await, 0);
}

#[tokio::test]
async fn an_oauth_state_goes_once_used_or_expired() {
    let app = TestApp::new().await;
    let lifetime = terms(&app).await.oauth_state;
    let now = app.state.now();
    let reply = app
        .init(&json!({"source": "CHAT", "conversation_id": "c-1", "user_side": "Demand"}))
        .await;
    let session = app.session_for(&reply).await;
    let state_of = |url: url::Url| {
        url.query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned()
    };
    let chat = crate::support::chat_grant("c-1");
    let begin = || {
        consent::begin(
            &app.state,
            &session.id,
            &chat,
            &consent::Purpose::ChatMessage,
        )
    };
    let used = state_of(begin().await.unwrap());
    begin().await.unwrap();
    assert!(
        consent::consume_state(&app.state.db, &app.state.keys, &used, now)
            .await
            .unwrap()
            .is_some()
    );
    let states = || count(&app, "select count(*) from oauth_states");

    assert_eq!(sweep(&app, now + 1).await.oauth_states, 1, "the used one");
    assert_eq!(states().await, 1);
    sweep(&app, now + lifetime - MINUTE).await;
    assert_eq!(states().await, 1, "the other one can still be used");
    assert_eq!(sweep(&app, now + lifetime + MINUTE).await.oauth_states, 1);
    assert_eq!(states().await, 0);
    assert_eq!(
        count(&app, "select count(*) from landing_sessions").await,
        1,
        "its session lives on"
    );
}

#[tokio::test]
async fn console_sessions_end_when_idle_or_old_and_failed_logins_are_forgotten() {
    let app = TestApp::new().await;
    let terms = terms(&app).await;
    let db = &app.state.db;
    let passwords = &app.state.passwords;
    let now = app.state.now();
    operators::add(db, "ali", crate::console::PASSWORD, now)
        .await
        .unwrap();
    let login = |password: &'static str, at: i64| async move {
        operators::login(db, passwords, "ali", password, Some("10.0.0.9"), at)
            .await
            .unwrap()
    };
    let consoles = || count(&app, "select count(*) from operator_sessions");
    let failures = || count(&app, "select count(*) from login_failures");

    // Idle.
    let operators::Login::Accepted(_) = login(crate::console::PASSWORD, now).await else {
        panic!("refused");
    };
    sweep(&app, now + terms.console_idle - MINUTE).await;
    assert_eq!(consoles().await, 1);
    assert_eq!(
        sweep(&app, now + terms.console_idle + MINUTE)
            .await
            .console_sessions,
        1
    );
    assert_eq!(consoles().await, 0);

    // Active, but old.
    let operators::Login::Accepted(session) = login(crate::console::PASSWORD, now).await else {
        panic!("refused");
    };
    let last = now + terms.console_max - MINUTE;
    let mut at = now;
    while at < last {
        at = (at + terms.console_idle / 2).min(last);
        assert!(operators::current(db, &session.cookie, at)
            .await
            .unwrap()
            .is_some());
        sweep(&app, at).await;
    }
    assert_eq!(consoles().await, 1, "active, not too old");
    assert_eq!(
        sweep(&app, now + terms.console_max + MINUTE)
            .await
            .console_sessions,
        1
    );
    assert_eq!(consoles().await, 0);

    // A failed login and its address.
    let before = failures().await;
    login("wrong password!", now).await;
    assert_eq!(failures().await, before + 1);
    sweep(&app, now + terms.login_failure - MINUTE).await;
    assert_eq!(
        failures().await,
        before + 1,
        "still counted against the address"
    );
    sweep(&app, now + terms.login_failure + MINUTE).await;
    assert_eq!(failures().await, 0);
}

/// A support conversation written to every few days never idles out, yet each message still
/// goes once it is as old as an idle close plus the retention period.
#[tokio::test]
async fn a_conversation_that_never_idles_out_still_loses_its_old_messages() {
    use store::support;
    let app = TestApp::new().await;
    let (db, keys) = (&app.state.db, &app.state.keys);
    let terms = terms(&app).await;
    let conversation = crate::support::conv("conv-weekly");
    let start = app.state.now();
    let every = terms.support_idle_close / 2;
    let mut at = start;
    while at <= start + terms.support_idle_close + terms.support + every {
        let mut tx = db.begin().await.unwrap();
        support::user_wrote(&mut tx, keys, &conversation, "هنوز هستم", at)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        at += every;
    }
    let written = app.count("select count(*) from support_messages").await;
    let sweep_at = start + terms.support_idle_close + terms.support + 60;
    let swept = housekeeping::sweep(db, &terms, sweep_at).await.unwrap();
    assert_eq!(swept.support_conversations, 0, "the conversation stays");
    assert_eq!(swept.support_messages, 1, "its oldest message goes");
    let kept = app.count("select count(*) from support_messages").await;
    assert_eq!(kept, written - 1);
}
