//! Divar's events URL and the support bot: the key and body checks (nothing stored for a
//! refused call), a redelivered event processed once by two instances, and the bot's answers
//! sent through the outbox to the sandbox's chatbot API (which checks them against the OAS),
//! and the greeting's quick replies at the dynamic-action URL.

use ::store::operators::Operator;
use ::store::support::{self as store, Thread};
use axum::body::Body;
use axum::extract::ConnectInfo;
use domain::text::persian_digits;
use ersal_server::delivery;
use ersal_server::support::{self, events, AnswerForm, Answered};
use ersal_server::AppState;
use http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::chat::{schema, shipment_in};
use crate::support::{column, conv, leptos_options, TestApp, NEW_KEY};

/// Headers, body, and the status they get.
type Case<'a> = (&'a [(&'a str, &'a str)], String, StatusCode);

const BOT_CONVERSATION: &str = "b0700000-0000-4000-8000-000000000002";

fn event(id: &str, text: &str) -> Value {
    json!({
        "type": "NEW_CHATBOT_MESSAGE",
        "new_chatbot_message": {
            "id": id,
            "conversation": {"id": BOT_CONVERSATION, "type": "BOT"},
            "sender": {"type": "HUMAN"},
            "type": "TEXT",
            "sent_at": 1_729_429_926_140_000u64,
            "text": text,
        }
    })
}

/// POSTs `body` to `/divar/events` of the instance `state` with the given headers.
async fn deliver(state: &AppState, body: impl Into<Body>, headers: &[(&str, &str)]) -> StatusCode {
    let mut request = Request::post("/divar/events");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(body.into()).unwrap();
    request.extensions_mut().insert(ConnectInfo(
        "127.0.0.1:40000".parse::<std::net::SocketAddr>().unwrap(),
    ));
    let router = ersal::server::router(state.clone(), leptos_options());
    router.oneshot(request).await.unwrap().status()
}

async fn from_divar(state: &AppState, event: &Value) -> StatusCode {
    let headers = [
        ("authorization", NEW_KEY),
        ("content-type", "application/json"),
    ];
    deliver(state, event.to_string(), &headers).await
}

/// The bot's answers in the sandbox's bot conversation, after the outbox has sent what is due.
async fn bot_lines(app: &TestApp, sandbox: &divar_sandbox::Sandbox) -> Vec<(String, Value)> {
    events::process_due(&app.state).await.unwrap();
    // One message per conversation and round, in order.
    while delivery::drain_once(&app.state).await.unwrap() > 0 {}
    let world = sandbox.world();
    world
        .bot
        .iter()
        .filter(|l| !l.from_user && l.conversation == BOT_CONVERSATION)
        .map(|l| (l.text.clone(), l.buttons.clone()))
        .collect()
}

#[tokio::test]
async fn refused_calls_store_nothing_and_say_why() {
    let app = TestApp::new().await;
    let good = event("m-1", "سلام").to_string();
    let json = ("content-type", "application/json");
    let cases: [Case<'_>; 8] = [
        (&[json], good.clone(), StatusCode::UNAUTHORIZED),
        (
            &[("authorization", "wrong-key"), json],
            good.clone(),
            StatusCode::UNAUTHORIZED,
        ),
        (
            &[("authorization", NEW_KEY)],
            good.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            &[("authorization", NEW_KEY), json],
            "{".into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            &[("authorization", NEW_KEY), json],
            "[1]".into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            &[("authorization", NEW_KEY), json],
            json!({"type": "NEW_CHATBOT_MESSAGE", "new_chatbot_message": {"text": "x"}})
                .to_string(),
            StatusCode::BAD_REQUEST,
        ),
        (
            &[("authorization", NEW_KEY), json],
            event("m-2", &"ب".repeat(20_000)).to_string(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        // A type Ersal does not use: acknowledged, its content not kept.
        (
            &[("authorization", NEW_KEY), json],
            json!({"type": "POST_UPDATE", "post_update": {"type": "PUBLISH"}}).to_string(),
            StatusCode::OK,
        ),
    ];
    for (headers, body, status) in cases {
        assert_eq!(
            deliver(&app.state, body.clone(), headers).await,
            status,
            "{body:.80}"
        );
    }
    assert_eq!(app.count("select count(*) from divar_events").await, 0);
}

#[tokio::test]
async fn a_tracking_code_delivered_twice_to_two_instances_gets_one_answer() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    let code = shipment_in(&app, "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10").await;
    // As a user types it: Persian digits, spaces, lower case.
    let typed = persian_digits(&code.as_str().to_lowercase())
        .chars()
        .enumerate()
        .flat_map(|(i, c)| if i == 5 { vec![' ', c] } else { vec![c] })
        .collect::<String>();
    let delivered = event("7b1f0c52-1d7e-11f0-9c2a-0242ac120002", &typed);
    let other = app.instance().await;
    assert_eq!(from_divar(&app.state, &delivered).await, StatusCode::OK);
    assert_eq!(from_divar(&other, &delivered).await, StatusCode::OK);
    assert_eq!(app.count("select count(*) from divar_events").await, 1);
    let (first, second) =
        tokio::join!(events::process_due(&app.state), events::process_due(&other));
    assert_eq!(first.unwrap() + second.unwrap(), 1, "processed once");
    let lines = bot_lines(&app, &sandbox).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    let text = &lines[0].0;
    for shown in [
        "وضعیت: در انتظار تکمیل اطلاعات طرف مقابل",
        code.as_str(),
        "مسیر: از تهران به اصفهان",
        "گام بعد:",
        "آخرین تغییر:",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    for hidden in ["علی", "۰۹۳۵", "09351234567", "چهارباغ"] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    let sent = app
        .count("select count(*) from outbox where channel = 'bot' and state = 'sent'")
        .await;
    assert_eq!(sent, 1, "the sandbox took the body as valid");
}

#[tokio::test]
async fn a_question_goes_to_staff_and_the_bot_says_once_when_they_answer() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    assert_eq!(
        from_divar(&app.state, &event("m-start", "/start MY_DIVAR")).await,
        StatusCode::OK
    );
    let greeting = bot_lines(&app, &sandbox).await;
    assert!(greeting[0].0.contains("کد پیگیری"), "{greeting:?}");
    let buttons = &greeting[0].1["rows"];
    assert_eq!(
        buttons[0]["buttons"][0]["action"]["get_dynamic_action"]["data"],
        json!({"q": "track"})
    );
    assert_eq!(
        buttons[0]["buttons"][1]["action"]["get_dynamic_action"]["data"],
        json!({"q": "support"})
    );
    assert_eq!(
        buttons[1]["buttons"][0]["action"]["open_direct_link"],
        "http://ersal.test/"
    );
    let question = "سلام، بستهٔ من کی می‌رسد؟";
    assert_eq!(
        from_divar(&app.state, &event("m-q1", question)).await,
        StatusCode::OK
    );
    assert_eq!(
        from_divar(&app.state, &event("m-q2", "لطفاً زودتر")).await,
        StatusCode::OK
    );
    assert_eq!(
        from_divar(&app.state, &event("m-code", "ABCDEFGHJK")).await,
        StatusCode::OK
    );
    let lines = bot_lines(&app, &sandbox).await;
    let texts: Vec<&str> = lines.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        texts.len(),
        3,
        "greeting, hours once, unknown code: {texts:?}"
    );
    assert!(texts[1].contains("از ساعت ۹ تا ۲۱"), "{texts:?}");
    assert!(texts[2].contains("پیدا نشد"), "{texts:?}");
    // The bodies as the sandbox received them (at rest they are sealed).
    let validator = schema("ChatAPIChatBotSendMessageBody");
    let bodies: Vec<Value> = sandbox
        .world()
        .journal
        .iter()
        .filter(|e| e.direction == "in" && e.path.contains("/chat/bot/"))
        .map(|e| e.body.clone())
        .collect();
    assert_eq!(bodies.len(), 3);
    let stored: Vec<String> = column(
        &app.state.db,
        "select body from outbox where channel = 'bot'",
    )
    .await;
    assert!(stored.iter().all(|b| !b.contains("ساعت")), "sealed at rest");
    for body in bodies {
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?} in {body}");
    }
    let threads = store::threads(&app.state.db, &app.state.keys, None)
        .await
        .unwrap();
    let thread: Vec<(Thread, i64)> = threads.iter().map(|t| (t.state, t.unread)).collect();
    assert_eq!(thread, [(Thread::Waiting, 2)]);
    let bodies: Vec<Vec<u8>> = column(
        &app.state.db,
        "select body from support_messages order by id",
    )
    .await;
    assert_eq!(bodies.len(), 2);
    assert!(
        !String::from_utf8_lossy(&bodies[0]).contains("بسته"),
        "sealed at rest"
    );

    // Staff answer from the console: the user gets it once, and who answered is kept.
    let ali = Operator {
        id: 1,
        username: "ali".into(),
        csrf: String::new(),
    };
    let form = |text: &str| AnswerForm {
        csrf: String::new(),
        conversation: BOT_CONVERSATION.into(),
        text: text.into(),
    };
    let answered = support::answer(&app.state, &ali, &form("  "))
        .await
        .unwrap();
    assert_eq!(answered, Answered::Empty);
    let long = "ا".repeat(support::MAX_ANSWER_CHARS + 1);
    assert_eq!(
        support::answer(&app.state, &ali, &form(&long))
            .await
            .unwrap(),
        Answered::TooLong
    );
    let reply = "فردا به دستتان می‌رسد.";
    assert_eq!(
        support::answer(&app.state, &ali, &form(reply))
            .await
            .unwrap(),
        Answered::Sent
    );
    let lines = bot_lines(&app, &sandbox).await;
    assert_eq!(
        lines.iter().filter(|(t, _)| t == reply).count(),
        1,
        "{lines:?}"
    );
    let read = store::read(&app.state.db, &app.state.keys, &conv(BOT_CONVERSATION)).await;
    let conversation = read.unwrap().unwrap();
    assert_eq!(conversation.state, Thread::Answered);
    let last = conversation.said.last().unwrap();
    assert_eq!(
        (last.text.as_str(), last.operator.as_deref()),
        (reply, Some("ali"))
    );
    let threads = store::threads(&app.state.db, &app.state.keys, None)
        .await
        .unwrap();
    assert_eq!(threads[0].unread, 0);
}

#[tokio::test]
async fn a_closed_conversation_its_answers_and_old_events_are_purged_on_time() {
    use ersal_server::housekeeping;

    let (app, sandbox) = TestApp::with_sandbox().await;
    assert_eq!(
        from_divar(&app.state, &event("m-q", "سؤالی دارم")).await,
        StatusCode::OK
    );
    assert_eq!(bot_lines(&app, &sandbox).await.len(), 1);
    let terms = housekeeping::lifetimes(&app.state.config);
    let sweep = |at: i64| housekeeping::sweep(&app.state.db, &terms, at);
    let now = app.state.now();
    let swept = sweep(now + 60).await.unwrap();
    assert_eq!(
        (
            swept.support_conversations,
            swept.bot_messages,
            swept.events
        ),
        (0, 0, 0)
    );
    // The event is kept a day, to recognise a redelivery; then it goes.
    assert_eq!(sweep(now + terms.event + 60).await.unwrap().events, 1);
    // Waiting for staff, staff closing it: purged after the period, with its messages.
    assert!(store::close(&app.state.db, &conv(BOT_CONVERSATION), now)
        .await
        .unwrap());
    assert_eq!(
        sweep(now + terms.support - 60)
            .await
            .unwrap()
            .support_conversations,
        0
    );
    let swept = sweep(now + terms.support + 60).await.unwrap();
    assert_eq!((swept.support_conversations, swept.bot_messages), (1, 1));
    assert_eq!(app.count("select count(*) from support_messages").await, 0);

    // A question nobody answered: closed after the idle period, then purged after the next.
    assert_eq!(
        from_divar(&app.state, &event("m-q2", "کسی هست؟")).await,
        StatusCode::OK
    );
    events::process_due(&app.state).await.unwrap();
    let asked = app.state.now();
    let idle = asked + terms.support_idle_close + 60;
    assert_eq!(sweep(idle).await.unwrap().support_conversations, 0);
    let threads = store::threads(&app.state.db, &app.state.keys, None)
        .await
        .unwrap();
    assert_eq!(
        threads[0].state,
        Thread::Closed,
        "idle: closed, though nobody answered"
    );
    assert_eq!(
        sweep(idle + terms.support + 60)
            .await
            .unwrap()
            .support_conversations,
        1
    );
    assert_eq!(app.count("select count(*) from support_messages").await, 0);
}

/// The greeting's quick replies: Divar POSTs the tapped button's data to `/divar/action`,
/// checked as events are, and shows the hint Ersal answers. Data Ersal did not write gets a
/// plain way on.
#[tokio::test]
async fn a_quick_reply_gets_its_hint() {
    let app = TestApp::new().await;
    let tap = |extra_data: Value, key: &str| {
        let body = json!({
            "touchpoint": "CHATBOT",
            "conversation_id": BOT_CONVERSATION,
            "extra_data": extra_data,
        });
        Request::post("/divar/action")
            .header("authorization", key)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let hint = |reply: crate::support::Reply| {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        reply.json()["text_message"].as_str().unwrap().to_owned()
    };
    let track = hint(app.send(tap(json!({"q": "track"}), NEW_KEY)).await);
    assert!(track.contains("کد پیگیری ۱۰ نویسه‌ای"), "{track}");
    let support = hint(app.send(tap(json!({"q": "support"}), NEW_KEY)).await);
    assert!(support.contains("از ساعت ۹ تا ۲۱"), "{support}");
    let stale = hint(app.send(tap(json!({"q": "x"}), NEW_KEY)).await);
    assert!(stale.contains("این دکمه دیگر کار نمی‌کند"), "{stale}");

    let refused = app.send(tap(json!({"q": "track"}), "wrong-key")).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let shapeless = app.send(tap(Value::Null, NEW_KEY)).await;
    assert_eq!(shapeless.status, StatusCode::BAD_REQUEST);
    assert!(
        shapeless.text().contains("extra_data"),
        "{}",
        shapeless.text()
    );
}

/// A user writing to the bot in a loop: five answers a minute, one "please wait", then
/// silence (each answer spends Divar's quota); their messages are kept up to the cap, the
/// oldest dropped and counted.
#[tokio::test]
async fn a_user_writing_in_a_loop_gets_a_few_answers_then_silence() {
    let (app, sandbox) = TestApp::with_sandbox().await;
    // The bot counts per clock minute: start early in one, so the test ends inside it.
    let second = app.state.now().rem_euclid(60);
    if second > 40 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - second) as u64)).await;
    }
    for n in 0..20 {
        let start = event(&format!("start-{n}"), "/start");
        assert_eq!(from_divar(&app.state, &start).await, StatusCode::OK);
    }
    while events::process_due(&app.state).await.unwrap() > 0 {}
    let lines = bot_lines(&app, &sandbox).await;
    assert_eq!(lines.len(), 6, "five answers and one request to wait");
    assert!(lines[5].0.contains("یک دقیقه صبر کنید"), "{}", lines[5].0);

    let cap = ::store::support::MAX_KEPT_MESSAGES;
    for n in 0..cap + 20 {
        let question = event(&format!("q-{n}"), &format!("سؤال شمارهٔ {n}"));
        assert_eq!(from_divar(&app.state, &question).await, StatusCode::OK);
    }
    while events::process_due(&app.state).await.unwrap() > 0 {}
    assert_eq!(
        bot_lines(&app, &sandbox).await.len(),
        6,
        "still silent this minute"
    );
    let read = store::read(&app.state.db, &app.state.keys, &conv(BOT_CONVERSATION)).await;
    let kept = read.unwrap().unwrap();
    assert_eq!(kept.said.len() as i64, cap);
    assert_eq!(kept.dropped, 20);
    assert_eq!(
        kept.said.last().unwrap().text,
        format!("سؤال شمارهٔ {}", cap + 19)
    );
}

/// Past the events it may keep waiting, a new event is refused (Divar delivers it again
/// later), while a redelivery of one already kept is still acknowledged as a duplicate.
#[tokio::test]
async fn a_full_event_store_refuses_new_events_but_never_a_redelivery() {
    use ::store::events::{store as keep, Kept, Waiting};
    let app = TestApp::new().await;
    let (db, keys, now) = (&app.state.db, &app.state.keys, app.state.now());
    let waiting = Waiting {
        max: 2,
        max_attempts: 5,
    };
    let offer =
        |key: &'static str| async move { keep(db, keys, key, "bot", b"{}", now, waiting).await };
    assert_eq!(offer("bot:1").await.unwrap(), Kept::New);
    assert_eq!(offer("bot:2").await.unwrap(), Kept::New);
    assert_eq!(offer("bot:3").await.unwrap(), Kept::Full);
    assert_eq!(offer("bot:1").await.unwrap(), Kept::Duplicate);
    assert_eq!(app.count("select count(*) from divar_events").await, 2);
    // An event given up after its tries waits for nothing: it takes no place.
    crate::support::exec(
        db,
        "update divar_events set attempts = 5 where event_key = 'bot:1'",
    )
    .await;
    assert_eq!(offer("bot:3").await.unwrap(), Kept::New);
}

/// The inbox lists conversations waiting for staff first, however recent the answered ones,
/// and filters by state.
#[tokio::test]
async fn the_inbox_puts_waiting_conversations_first_and_filters_by_state() {
    let app = TestApp::new().await;
    let (db, keys, now) = (&app.state.db, &app.state.keys, app.state.now());
    for (conversation, at) in [("conv-waiting", now - 600), ("conv-answered", now - 300)] {
        let mut tx = db.begin().await.unwrap();
        store::user_wrote(&mut tx, keys, &conv(conversation), "سلام", at)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let mut tx = db.begin().await.unwrap();
    store::staff_answered(
        &mut tx,
        keys,
        &conv("conv-answered"),
        "ali",
        "بفرمایید",
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let ids = |lines: Vec<store::ThreadLine>| -> Vec<String> {
        lines.into_iter().map(|t| t.conversation.into()).collect()
    };
    let all = store::threads(db, &app.state.keys, None).await.unwrap();
    assert_eq!(ids(all), ["conv-waiting", "conv-answered"]);
    let answered = store::threads(db, &app.state.keys, Some(Thread::Answered))
        .await
        .unwrap();
    assert_eq!(ids(answered), ["conv-answered"]);
}
