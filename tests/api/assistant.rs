//! The seller's shipping assistant over real HTTP with the sandbox: the seller turns it on
//! from the post's page (one consent, the subscription made); buyers write in three chats of
//! the post and only the shipping questions get an answer, once each, with the price and a
//! button that opens Ersal with the city filled in; the seller's own reply keeps it silent; a
//! duplicate event is answered once on two instances; the subscription is made again after a
//! token refresh; a sold post stops it, and so does the seller turning it off. No buyer's text
//! is kept.

use std::time::Duration;

use domain::size::SizeClass;
use domain::tariff::Parcel;
use ersal_server::state::AppState;
use serde_json::{json, Value};
use store::assistant::ReplyState;

use crate::addons::seller_opens;
use crate::journey::{consent_and_return, location, Journey};
use crate::support::{exec, scalar};

const POST: &str = "QpR7x2Lm";
/// The sandbox's three chats about [`POST`], each with another buyer.
const FIRST: &str = "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10";
const SECOND: &str = "5b2e9d41-7c3a-4f18-9e6d-0a8c3f5b7d22";
const THIRD: &str = "e91f4c7a-2d58-4b3e-a6f0-7c1d9e2b5a84";

fn post() -> kenar::PostToken {
    kenar::PostToken::parse(POST).unwrap()
}

/// A journey whose assistant waits `delay_secs` for the seller before answering.
async fn journey(delay_secs: u32) -> Journey {
    Journey::start_with(Some(("ERSAL_ASSISTANT_DELAY_SECS", delay_secs.to_string()))).await
}

/// The seller turns the assistant on from the post's page.
async fn turn_on(j: &Journey) {
    let page = seller_opens(j, POST).await;
    assert!(page.contains("خاموش است"), "off at first");
    let consent = location(
        &j.post(
            &format!("{}/offer/assistant/on", j.ersal),
            &[("size", "small")],
        )
        .await,
    );
    for scope in [
        "CHAT_POST_CONVERSATIONS_READ.QpR7x2Lm",
        "CHAT_POST_CONVERSATIONS_MESSAGE_SEND.QpR7x2Lm",
    ] {
        assert!(consent.contains(scope), "{consent}");
    }
    let back = consent_and_return(j, &consent).await;
    assert_eq!(location(&back), "/offer");
}

/// A person writes in a sandbox chat; how many events the sandbox delivered.
async fn write(j: &Journey, conversation: &str, side: &str, text: &str) -> u64 {
    let answer: Value = j
        .client
        .post(format!("{}/control/write", j.sandbox))
        .json(&json!({"conversation": conversation, "side": side, "text": text}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["events"].as_u64().unwrap()
}

/// Processes the kept events on `state`.
async fn process(state: &AppState) {
    ersal_server::support::events::process_due(state)
        .await
        .unwrap();
}

/// The app's messages in `conversation`, after the outbox had time to send.
async fn answers_in(j: &Journey, conversation: &str, expected: usize) -> Vec<Value> {
    let mut found = Vec::new();
    for _ in 0..40 {
        found = j
            .sandbox_world
            .world()
            .messages
            .iter()
            .filter(|m| m.from_app && m.conversation == conversation)
            .map(|m| json!({"text": m.text, "buttons": m.receiver_buttons}))
            .collect();
        if found.len() >= expected && expected > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    found
}

async fn replies(j: &Journey) -> Vec<ReplyState> {
    let answered = store::assistant::recent(&j.state.db, &post(), 10).await;
    answered.unwrap().into_iter().map(|a| a.state).collect()
}

#[tokio::test]
async fn buyers_shipping_questions_get_one_answer_each_with_the_price_and_a_button() {
    let j = journey(0).await;
    turn_on(&j).await;
    let subscribed = j.sandbox_world.world().subscriptions.clone();
    assert_eq!(subscribed.len(), 1, "one subscription");
    assert_eq!(subscribed[0].post, POST);
    let on = store::assistant::get(&j.state.db, &post()).await.unwrap();
    assert!(on.and_then(|a| a.subscribed_until).is_some());

    assert_eq!(write(&j, FIRST, "buyer", "سلام به مشهد می‌فرستید؟").await, 1);
    assert_eq!(write(&j, SECOND, "buyer", "ارسال دارید؟").await, 1);
    assert_eq!(write(&j, THIRD, "buyer", "هنوز موجوده؟").await, 1);
    process(&j.state).await;

    let first = answers_in(&j, FIRST, 1).await;
    assert_eq!(first.len(), 1, "one answer to the first buyer");
    let places = &j.state.catalog.places;
    let (tehran, mashhad) = (
        places.find("tehran").unwrap(),
        places.find("mashhad").unwrap(),
    );
    let quotes = ersal_server::flow::quote::services(
        &j.state,
        &Parcel::of_size(SizeClass::Small),
        tehran,
        mashhad,
    );
    let text = first[0]["text"].as_str().unwrap();
    assert!(text.contains("مشهد") && text.contains("تهران"), "{text}");
    for quote in &quotes {
        assert!(text.contains(&quote.total.display_tomans()), "{text}");
    }
    let button = &first[0]["buttons"]["rows"][0]["buttons"][0];
    assert_eq!(
        button["action"]["open_server_link"]["data"]["to"],
        "mashhad"
    );
    let second = answers_in(&j, SECOND, 1).await;
    assert_eq!(second.len(), 1, "one answer to the second buyer");
    assert!(second[0]["text"].as_str().unwrap().contains("همهٔ شهرها"));
    assert!(
        answers_in(&j, THIRD, 0).await.is_empty(),
        "no answer to «هنوز موجوده؟»"
    );

    // The first buyer asks again: the conversation had its answer.
    write(&j, FIRST, "buyer", "تبریز چی؟ تبریز هم می‌فرستید؟").await;
    process(&j.state).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(answers_in(&j, FIRST, 1).await.len(), 1, "still one answer");
    let cheapest = quotes.iter().map(|q| q.total.0).min().unwrap();
    let priced: Option<i64> = scalar(
        &j.state.db,
        &format!("select price_rials from assistant_replies where conversation_id = '{FIRST}'"),
    )
    .await;
    assert_eq!(
        priced,
        i64::try_from(cheapest).ok(),
        "the price it gave is listed"
    );

    // What was kept of the events: the city, never the words.
    let select = |column: &str| {
        format!(
            "select {column} from divar_events where event_key like 'post:%' order by event_key"
        )
    };
    let keys: Vec<String> = store::inspect::column(&j.state.db, &select("event_key")).await;
    let sealed: Vec<Vec<u8>> = store::inspect::column(&j.state.db, &select("payload")).await;
    assert_eq!(
        keys.len(),
        3,
        "two questions and the one asked again; not «هنوز موجوده؟»"
    );
    for (key, sealed) in keys.into_iter().zip(sealed) {
        let opened = j.state.keys.open(&sealed, key.as_bytes()).unwrap();
        let opened = String::from_utf8(opened).unwrap();
        assert!(
            !opened.contains("می‌فرستید") && !opened.contains("text"),
            "{opened}"
        );
    }

    // The seller's page lists the answers: the city and the price, not the question.
    let page = j.page(&format!("{}/offer", j.ersal)).await;
    assert!(page.contains("روشن است تا"), "on");
    assert!(
        page.contains("مشهد") && page.contains("شهر را نگفت"),
        "{page}"
    );
    assert!(!page.contains("هنوز موجوده"));

    // The first buyer taps the button: Ersal opens with Mashhad as where it goes.
    let buyer = Journey::client();
    buyer
        .get(format!("{}/chat/{FIRST}?as=buyer", j.sandbox))
        .send()
        .await
        .unwrap();
    let message_id = j
        .sandbox_world
        .world()
        .messages
        .iter()
        .find(|m| m.from_app && m.conversation == FIRST)
        .map(|m| m.id)
        .unwrap();
    let pressed = buyer
        .post(format!(
            "{}/chat/{FIRST}/messages/{message_id}/buttons",
            j.sandbox
        ))
        .form(&[("as", "buyer"), ("row", "0"), ("col", "0")])
        .send()
        .await
        .unwrap();
    let entry = location(&pressed);
    assert!(entry.starts_with(&j.ersal), "{entry}");
    let landing = buyer.get(&entry).send().await.unwrap();
    let request = format!("{}{}", j.ersal, location(&landing));
    assert!(request.ends_with("/request"), "{request}");
    let item = buyer
        .post(format!("{}/api/flow/item", j.ersal))
        .header("accept", "text/html")
        .form(&[
            ("form[description]", "گوشی سامسونگ A54"),
            ("form[size_class]", "small"),
            ("form[weight_kg]", "۰٫۸"),
            ("form[declared_value]", "۱۸٬۵۰۰٬۰۰۰"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&item), "/request?step=party");
    let party = buyer
        .get(format!("{}/request?step=party", j.ersal))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let chosen = party
        .split("<option")
        .find(|option| option.contains("selected"))
        .unwrap_or_default();
    assert!(
        chosen.contains(r#"value="mashhad""#),
        "Mashhad is filled in as where it goes: {chosen}"
    );
}

#[tokio::test]
async fn the_sellers_reply_keeps_it_silent_and_a_duplicate_is_answered_once_on_two_instances() {
    let j = journey(3600).await;
    turn_on(&j).await;
    // The seller answers the first buyer before the assistant's wait is over.
    write(&j, FIRST, "buyer", "برای شیراز ارسال دارین؟").await;
    process(&j.state).await;
    write(&j, FIRST, "seller", "بله، فردا می‌فرستم").await;
    process(&j.state).await;
    assert_eq!(replies(&j).await, [ReplyState::Silenced]);
    let waiting: i64 = scalar(
        &j.state.db,
        "select count(*) from outbox where channel = 'assistant'",
    )
    .await;
    assert_eq!(waiting, 0, "its answer is taken out of the outbox");
    assert!(answers_in(&j, FIRST, 0).await.is_empty(), "silent");

    // One event delivered to two instances behind a balancer: kept and answered once.
    let other = j.serve_another().await;
    let event = json!({
        "type": "NEW_MESSAGE",
        "new_message": {
            "id": "dup-event-1",
            "conversation": {"id": SECOND, "type": "POST", "post_token": POST},
            "sender": {"side": "BUYER", "type": "HUMAN"},
            "type": "TEXT",
            "text": "به کرج پست میکنید؟"
        }
    });
    for origin in [&j.ersal, &other, &j.ersal] {
        let reply = j
            .client
            .post(format!("{origin}/divar/events"))
            .header("authorization", &j.key)
            .json(&event)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
    }
    let kept: i64 = scalar(
        &j.state.db,
        "select count(*) from divar_events where event_key = 'post:dup-event-1'",
    )
    .await;
    assert_eq!(kept, 1, "kept once");
    let second_process = j.another_state().await;
    tokio::join!(process(&j.state), process(&second_process));
    let queued: i64 = scalar(
        &j.state.db,
        &format!("select count(*) from outbox where channel = 'assistant' and conversation_id = 'assistant:{SECOND}'"),
    )
    .await;
    assert_eq!(queued, 1, "one answer queued");
}

#[tokio::test]
async fn it_renews_its_subscription_and_stops_when_the_post_is_sold_or_turned_off() {
    let j = journey(0).await;
    turn_on(&j).await;
    // The token is about to expire: the jobs refresh it and subscribe again with the new one.
    exec(&j.state.db, "update chat_tokens set access_expires_at = 0").await;
    exec(
        &j.state.db,
        "update assistant_posts set subscribed_until = 0",
    )
    .await;
    let renewed = ersal_server::assistant::renew::keep_alive(&j.state)
        .await
        .unwrap();
    assert_eq!(renewed, 1);
    let subscriptions = j.sandbox_world.world().subscriptions.clone();
    assert_eq!(subscriptions.len(), 2, "subscribed again");
    assert_ne!(subscriptions[0].access_token, subscriptions[1].access_token);

    // The post is sold: the next question gets no answer, and the assistant stops.
    let sold = j
        .client
        .post(format!("{}/control/sold", j.sandbox))
        .json(&json!({"post": POST}))
        .send()
        .await
        .unwrap();
    assert!(sold.status().is_success());
    write(&j, THIRD, "buyer", "به اصفهان میفرستید؟").await;
    process(&j.state).await;
    for _ in 0..40 {
        if store::assistant::get(&j.state.db, &post())
            .await
            .unwrap()
            .is_none()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(answers_in(&j, THIRD, 0).await.is_empty(), "no answer");
    assert_eq!(
        store::assistant::get(&j.state.db, &post()).await.unwrap(),
        None,
        "stopped"
    );
    let grant = kenar::Grant::Assistant(post());
    assert!(store::grants::read(&j.state.db, &j.state.keys, &grant)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn the_seller_turns_it_off_and_later_questions_get_nothing() {
    let j = journey(3600).await;
    turn_on(&j).await;
    // A question whose answer still waits for the seller when the assistant is turned off.
    write(&j, FIRST, "buyer", "به رشت ارسال دارید؟").await;
    process(&j.state).await;
    assert_eq!(replies(&j).await, [ReplyState::Waiting]);
    let consent = location(
        &j.post(&format!("{}/offer/assistant/off", j.ersal), &[])
            .await,
    );
    let back = consent_and_return(&j, &consent).await;
    assert_eq!(location(&back), "/offer");
    assert_eq!(
        store::assistant::get(&j.state.db, &post()).await.unwrap(),
        None
    );
    let grant = kenar::Grant::Assistant(post());
    assert!(store::grants::read(&j.state.db, &j.state.keys, &grant)
        .await
        .unwrap()
        .is_none());
    write(&j, SECOND, "buyer", "به مشهد می‌فرستید؟").await;
    process(&j.state).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(answers_in(&j, SECOND, 0).await.is_empty(), "off: no answer");
    let page = j.page(&format!("{}/offer", j.ersal)).await;
    assert!(page.contains("خاموش است"));
}
