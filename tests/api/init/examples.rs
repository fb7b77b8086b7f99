//! The documented examples, their typos fixed, and every discrepancy between Divar's doc
//! versions that Ersal tolerates.

use http::StatusCode;
use kenar::UserSide;
use serde_json::{json, Value};

use super::{chat_body, landing_url, CONVERSATION};
use crate::support::{conv, TestApp, COMPLETION, NEW_KEY, OLD_KEY};

#[tokio::test]
async fn a_v2_button_click_answers_only_a_url() {
    let app = TestApp::new().await;
    // The v2 button example of the chat add-ons page, its missing comma restored (docs/kenar.md, **Invalid JSON in the docs' examples**).
    let reply = app
        .init(&json!({
            "source": "CHAT_MESSAGE_ACTION",
            "post_token": "QpR7x2Lm",
            "conversation_id": CONVERSATION,
            "user_side": "Supply",
            "return_url": "https://divar.ir/",
            "extra_data": {"sid": "shp_7Q2K9", "op": "track", "sig": "b64url-hmac"}
        }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert_eq!(
        body.as_object().unwrap().len(),
        1,
        "v2 answers only url: {body}"
    );
    let url = landing_url(&reply);
    let id = url
        .strip_prefix("http://ersal.test/l/")
        .expect("landing URL on the public origin");
    assert!(
        id.len() >= 22
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );

    let session = app.session_for(&reply).await;
    assert_eq!(session.landing.source, kenar::Source::ChatMessageAction);
    assert_eq!(session.landing.api_version, Some(2));
    assert_eq!(session.landing.user_side, Some(UserSide::Supply));
    assert_eq!(session.landing.conversation_id, Some(conv(CONVERSATION)));
    let post = kenar::PostToken::parse("QpR7x2Lm").ok();
    assert_eq!(session.landing.post_token, post);
    assert_eq!(session.landing.return_target, "https://divar.ir/");
    assert_eq!(session.landing.private.extra_data["sid"], "shp_7Q2K9");
}

/// The legacy v1 example, its trailing comma after `demand` removed (sent with no version header).
fn legacy_v1() -> Value {
    json!({
        "callback_url": "https://divar.ir/chat/abc",
        "post_token": "QpR7x2Lm",
        "conversation_id": CONVERSATION,
        "user_id": "e1b2c3d4-1111-4aaa-8bbb-123456789abc",
        "peer_id": "f9e8d7c6-2222-4ccc-9ddd-cba987654321",
        "supplier": {"id": "f9e8d7c6-2222-4ccc-9ddd-cba987654321"},
        "demand": {"id": "e1b2c3d4-1111-4aaa-8bbb-123456789abc"},
        "extra_data": {"location": {"latitude": "35.7219", "longitude": "51.3347"}}
    })
}

#[tokio::test]
async fn legacy_v1_answers_status_message_and_url() {
    let app = TestApp::new().await;
    let reply = app
        .init_with(legacy_v1().to_string(), &[("authorization", OLD_KEY)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let answer = reply.json();
    assert_eq!(answer["status"], "200", "status is a string in v1");
    assert_eq!(answer["message"], "success");
    assert!(answer["url"]
        .as_str()
        .unwrap()
        .starts_with("http://ersal.test/l/"));

    let session = app.session_for(&reply).await;
    assert_eq!(session.landing.api_version, Some(1));
    assert_eq!(session.landing.source, kenar::Source::Chat);
    assert_eq!(
        session.landing.user_side,
        Some(UserSide::Demand),
        "the clicking user is the buyer"
    );
    assert_eq!(session.landing.return_target, "https://divar.ir/chat/abc");
    assert_eq!(
        session.landing.private.peer_id.as_deref(),
        Some("f9e8d7c6-2222-4ccc-9ddd-cba987654321")
    );
    assert_eq!(session.landing.private.location, Some((35.7219, 51.3347)));
}

#[tokio::test]
async fn open_server_link_with_a_user_id() {
    let app = TestApp::new().await;
    // The open_server_link page's example, its `user_id` key quoted.
    let reply = app
        .init(&json!({
            "source": "POST_ADDON",
            "post_token": "QpR7x2Lm",
            "conversation_id": null,
            "user_side": "Demand",
            "user_id": "6GqmD76dle5NpJySqnBX8seTpt6uVtzqaNTNJU1ettI=",
            "return_url": "https://divar.ir/v/QpR7x2Lm",
            "extra_data": {"k": "v"}
        }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let session = app.session_for(&reply).await;
    assert_eq!(session.landing.source, kenar::Source::PostAddon);
    assert_eq!(session.landing.conversation_id, None);
    assert_eq!(
        session.landing.private.user_id.as_deref(),
        Some("6GqmD76dle5NpJySqnBX8seTpt6uVtzqaNTNJU1ettI=")
    );
}

#[tokio::test]
async fn both_version_header_spellings_and_none() {
    let app = TestApp::new().await;
    for header in ["API_VERSION", "API-Version", "api-version"] {
        let reply = app
            .init_with(
                chat_body().to_string(),
                &[("authorization", NEW_KEY), (header, "2")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{header}: {}", reply.text());
        assert_eq!(reply.json().as_object().unwrap().len(), 1);
    }
    let reply = app.init_without_version(&chat_body()).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a v2 body without a header is still v2"
    );
    assert!(reply.json().get("status").is_none());
}

#[tokio::test]
async fn provider_data_and_nested_provider_data() {
    let app = TestApp::new().await;
    let mut body = chat_body();
    body.as_object_mut().unwrap().remove("extra_data");
    body["provider_data"] = json!({"sid": "a"});
    let session = app.session_for(&app.init(&body).await).await;
    assert_eq!(session.landing.private.extra_data["sid"], "a");

    let mut body = chat_body();
    body["extra_data"] = json!({"provider_data": {"sid": "b"}});
    let session = app.session_for(&app.init(&body).await).await;
    assert_eq!(session.landing.private.extra_data["sid"], "b");
    assert!(session
        .landing
        .private
        .extra_data
        .get("provider_data")
        .is_none());
}

#[tokio::test]
async fn user_side_in_either_casing() {
    let app = TestApp::new().await;
    // Every spelling is kenar's unit test's (`UserSide::from_divar`); here, both casings reach
    // the session and an unknown side is no refusal.
    for (raw, side) in [
        ("SUPPLY", Some(UserSide::Supply)),
        ("Demand", Some(UserSide::Demand)),
        ("Seller", None),
    ] {
        let mut body = chat_body();
        body["user_side"] = json!(raw);
        let session = app.session_for(&app.init(&body).await).await;
        assert_eq!(session.landing.user_side, side, "{raw}");
    }
}

#[tokio::test]
async fn return_addresses_are_checked() {
    let app = TestApp::new().await;
    for (field, url, expected) in [
        (
            "return_url",
            "https://divar.ir/chat/x",
            "https://divar.ir/chat/x",
        ),
        (
            "return_url",
            "https://chat.divar.ir/c",
            "https://chat.divar.ir/c",
        ),
        ("return_url", "http://divar.ir/", COMPLETION),
        ("return_url", "https://divar.ir.evil.example/", COMPLETION),
        ("return_url", "javascript:alert(1)", COMPLETION),
        (
            "completion_url",
            "https://divar.ir/done",
            "https://divar.ir/done",
        ),
    ] {
        let mut body = chat_body();
        body[field] = json!(url);
        let session = app.session_for(&app.init(&body).await).await;
        assert_eq!(session.landing.return_target, expected, "{field}={url}");
    }
    let session = app.session_for(&app.init(&chat_body()).await).await;
    assert_eq!(
        session.landing.return_target, COMPLETION,
        "no return address → the completion URL"
    );

    let v1 = json!({"callback_url": "https://evil.example/", "user_id": "u"});
    let reply = app.init_without_version(&v1).await;
    assert_eq!(
        app.session_for(&reply).await.landing.return_target,
        COMPLETION
    );
}

#[tokio::test]
async fn user_id_is_optional_and_opaque() {
    let app = TestApp::new().await;
    let mut body = chat_body();
    body["user_id"] = Value::Null;
    assert_eq!(
        app.session_for(&app.init(&body).await)
            .await
            .landing
            .private
            .user_id,
        None
    );
    body["user_id"] = json!("6GqmD76dle5NpJySqnBX8seTpt6uVtzqaNTNJU1ettI=");
    assert!(app
        .session_for(&app.init(&body).await)
        .await
        .landing
        .private
        .user_id
        .is_some());
}

#[tokio::test]
async fn post_adodn_is_post_addon() {
    let app = TestApp::new().await;
    let mut body = chat_body();
    body["source"] = json!("POST_ADODN");
    assert_eq!(
        app.session_for(&app.init(&body).await).await.landing.source,
        kenar::Source::PostAddon
    );
}

#[tokio::test]
async fn capitalised_supplier_in_the_legacy_button_payload() {
    let app = TestApp::new().await;
    // The legacy example clicked by the seller (the user and the peer change places) under one
    // of our buttons (its data nested in `provider_data`), with `supplier` spelled `Supplier`.
    let mut body = legacy_v1();
    let (buyer, seller) = (body["user_id"].take(), body["peer_id"].take());
    body["user_id"] = seller;
    body["peer_id"] = buyer;
    body["Supplier"] = body.as_object_mut().unwrap().remove("supplier").unwrap();
    body["extra_data"]["provider_data"] = json!({"sid": "s"});
    let reply = app.init_without_version(&body).await;
    let session = app.session_for(&reply).await;
    assert_eq!(session.landing.user_side, Some(UserSide::Supply));
    assert_eq!(session.landing.source, kenar::Source::ChatMessageAction);
    assert_eq!(session.landing.private.extra_data["sid"], "s");
}
