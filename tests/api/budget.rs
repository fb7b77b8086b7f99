//! Divar's API budget: one count for every instance, low priorities stop before the ceiling so
//! that chat notifications always go, and get-post answers are shared from a cache.

use divar_sandbox::state::{FaultKind, FaultTarget};
use domain::code::TrackingCode;
use domain::delivery::Delivery;
use ersal_server::budget::{self, Priority, Spend};
use ersal_server::delivery::drain_once;
use ersal_server::posts::{self, Read};
use kenar::message::BotMessage;
use kenar::PostToken;

use crate::outbox::{queue, Harness};

/// A support conversation the sandbox knows.
const BOT_CONVERSATION: &str = "b0700000-0000-4000-8000-000000000002";

/// The calls the sandbox received on paths starting with `prefix`.
fn calls(harness: &Harness, prefix: &str) -> usize {
    let world = harness.sandbox.world();
    let received = world.journal.iter().filter(|e| e.direction == "in");
    received.filter(|e| e.path.starts_with(prefix)).count()
}

/// 120 bot answers queued before five chat notifications, with a day's ceiling of 100 calls:
/// the bot stops once the day's count reaches its share (75 %), and every notification is
/// still sent.
#[tokio::test]
async fn a_flood_of_bot_answers_never_starves_chat_notifications() {
    let ceiling = [
        ("ERSAL_DIVAR_CALLS_PER_MINUTE", "1000".to_owned()),
        ("ERSAL_DIVAR_CALLS_PER_DAY", "100".to_owned()),
    ];
    let (harness, state) = Harness::with(ceiling, 3600).await;
    let mut tx = state.db.begin().await.unwrap();
    for n in 0..120 {
        let answer = BotMessage {
            conversation_id: BOT_CONVERSATION.to_owned(),
            text_message: format!("پاسخ {n}"),
            buttons: None,
        };
        let keys = &state.keys;
        ersal_server::chat::outbox::enqueue_bot(&mut tx, keys, &answer, state.now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    for _ in 0..5 {
        queue(&state).await;
    }
    // Each round sends at most one message per conversation; held rows wait for later.
    for _ in 0..300 {
        if drain_once(&state).await.unwrap() == 0 {
            break;
        }
    }
    let code = TrackingCode::parse("SHPTEST222").unwrap();
    let sent = store::outbox::history(&state.db, &code).await.unwrap();
    assert_eq!(sent.len(), 5);
    assert!(
        sent.iter().all(|m| m.delivery == Delivery::Sent),
        "every notification went"
    );
    let bot = calls(&harness, "/v1/open-platform/chat/bot/");
    let (_, day) = store::budget::used(&state.db, state.now()).await.unwrap();
    assert_eq!(day as usize, bot + 5, "one count for everything sent");
    assert!(
        (70..=75).contains(&bot),
        "the bot stopped at its share: {bot}"
    );
}

/// A thousand reads of one post cost Divar one call; a hundred posts (most unknown to Divar)
/// cost at most get-post's share of the ceiling, and none of them twice.
#[tokio::test]
async fn post_reads_come_from_the_shared_cache_within_their_share() {
    let ceiling = [("ERSAL_DIVAR_CALLS_PER_DAY", "100".to_owned())];
    let (harness, state) = Harness::with(ceiling, 3600).await;
    let post = PostToken::parse("QpR7x2Lm").unwrap();
    for _ in 0..1000 {
        assert!(matches!(
            posts::read(&state, &post).await.unwrap(),
            Read::Found(_)
        ));
    }
    let path = "/v1/open-platform/finder/post/";
    assert_eq!(calls(&harness, path), 1, "one call for a thousand reads");
    let other = state.clone();
    let second_instance = PostToken::parse("QpR7x2Lm").unwrap();
    assert!(matches!(
        posts::read(&other, &second_instance).await.unwrap(),
        Read::Found(_)
    ));
    assert_eq!(
        calls(&harness, path),
        1,
        "another instance reads the same cache"
    );

    let made_up: Vec<PostToken> = (0..100)
        .map(|n| PostToken::parse(&format!("Zq{n:04}")).unwrap())
        .collect();
    for _ in 0..3 {
        for token in &made_up {
            posts::read(&state, token).await.unwrap();
        }
    }
    // 60 % of 100, one already spent on the real post.
    assert_eq!(
        calls(&harness, path),
        60,
        "post reads stopped at their share"
    );
    let held = posts::read(&state, &made_up[99]).await.unwrap();
    assert!(
        matches!(held, Read::Unavailable),
        "held back, not 'not found'"
    );
    assert!(matches!(
        posts::read(&state, &made_up[0]).await.unwrap(),
        Read::NotFound
    ));
}

/// Divar's 429 with `Retry-After: 1`: every caller, of every priority, waits that second, and
/// the message keeps all its tries.
#[tokio::test]
async fn divars_429_makes_every_call_wait_its_retry_after() {
    let (harness, state) = Harness::start(3600).await;
    harness.fail_next(FaultTarget::SendMessage, FaultKind::RateLimited);
    queue(&state).await;
    drain_once(&state).await.unwrap();
    let until = store::budget::paused_until(&state.db).await.unwrap();
    let now = state.now_ms();
    assert!(until > now && until <= now + 1000, "{until} after {now}");
    let spend = budget::spend(&state, Priority::Notify).await.unwrap();
    assert!(
        matches!(spend, Spend::Held { .. }),
        "even a notification waits"
    );
    let code = TrackingCode::parse("SHPTEST222").unwrap();
    let queued = store::outbox::history(&state.db, &code).await.unwrap();
    assert_eq!(queued[0].delivery, Delivery::Pending);
    assert_eq!(
        queued[0].attempts, 0,
        "waiting for Divar's rate uses up no try"
    );
}
