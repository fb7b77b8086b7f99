//! `POST /divar/init` as docs/kenar.md, “Session initialization”, describes it: the documented
//! examples (their typos fixed), every tolerated discrepancy, the key check, every field limit,
//! and the refusals.

use http::StatusCode;
use kenar::UserSide;
use serde_json::{json, Value};

use crate::support::{TestApp, COMPLETION, NEW_KEY, OLD_KEY};

const CONVERSATION: &str = "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10";

fn chat_body() -> Value {
    json!({
        "source": "CHAT",
        "post_token": "QpR7x2Lm",
        "conversation_id": CONVERSATION,
        "user_side": "DEMAND",
        "user_id": "k2J9bq0Zr8mXa1TqW3e5Yh7Uo6Ps4Dn0Lc2Vf8Gx1Bs=",
        "extra_data": {}
    })
}

/// Asserts a refusal: its status, the JSON error shape and code, and that nothing was stored.
async fn assert_refused(
    app: &TestApp,
    reply: crate::support::Reply,
    status: StatusCode,
    code: &str,
) {
    assert_eq!(reply.status, status, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert_eq!(
        app.landing_count().await,
        0,
        "a refused request stored a session"
    );
}

fn landing_url(reply: &crate::support::Reply) -> String {
    reply.json()["url"].as_str().expect("url").to_owned()
}

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
    assert_eq!(session.source, kenar::Source::ChatMessageAction);
    assert_eq!(session.api_version, Some(2));
    assert_eq!(session.user_side, Some(UserSide::Supply));
    assert_eq!(session.conversation_id.as_deref(), Some(CONVERSATION));
    assert_eq!(session.post_token.as_deref(), Some("QpR7x2Lm"));
    assert_eq!(session.return_target, "https://divar.ir/");
    assert_eq!(session.private.extra_data["sid"], "shp_7Q2K9");
}

#[tokio::test]
async fn legacy_v1_answers_status_message_and_url() {
    let app = TestApp::new().await;
    // The legacy v1 example, its trailing comma after `demand` removed, no version header.
    let body = json!({
        "callback_url": "https://divar.ir/chat/abc",
        "post_token": "QpR7x2Lm",
        "conversation_id": CONVERSATION,
        "user_id": "e1b2c3d4-1111-4aaa-8bbb-123456789abc",
        "peer_id": "f9e8d7c6-2222-4ccc-9ddd-cba987654321",
        "supplier": {"id": "f9e8d7c6-2222-4ccc-9ddd-cba987654321"},
        "demand": {"id": "e1b2c3d4-1111-4aaa-8bbb-123456789abc"},
        "extra_data": {"location": {"latitude": "35.7219", "longitude": "51.3347"}}
    });
    let reply = app
        .init_with(body.to_string(), &[("authorization", OLD_KEY)])
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
    assert_eq!(session.api_version, Some(1));
    assert_eq!(session.source, kenar::Source::Chat);
    assert_eq!(
        session.user_side,
        Some(UserSide::Demand),
        "the clicking user is the buyer"
    );
    assert_eq!(session.return_target, "https://divar.ir/chat/abc");
    assert_eq!(
        session.private.peer_id.as_deref(),
        Some("f9e8d7c6-2222-4ccc-9ddd-cba987654321")
    );
    assert_eq!(session.private.location, Some((35.7219, 51.3347)));
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
    assert_eq!(session.source, kenar::Source::PostAddon);
    assert_eq!(session.conversation_id, None);
    assert_eq!(
        session.private.user_id.as_deref(),
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
    let reply = app
        .init_with(chat_body().to_string(), &[("authorization", NEW_KEY)])
        .await;
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
    assert_eq!(session.private.extra_data["sid"], "a");

    let mut body = chat_body();
    body["extra_data"] = json!({"provider_data": {"sid": "b"}});
    let session = app.session_for(&app.init(&body).await).await;
    assert_eq!(session.private.extra_data["sid"], "b");
    assert!(session.private.extra_data.get("provider_data").is_none());
}

#[tokio::test]
async fn user_side_in_either_casing() {
    let app = TestApp::new().await;
    for (raw, side) in [
        ("Supply", Some(UserSide::Supply)),
        ("SUPPLY", Some(UserSide::Supply)),
        ("Demand", Some(UserSide::Demand)),
        ("DEMAND", Some(UserSide::Demand)),
        ("Seller", None),
        ("", None),
    ] {
        let mut body = chat_body();
        body["user_side"] = json!(raw);
        let session = app.session_for(&app.init(&body).await).await;
        assert_eq!(session.user_side, side, "{raw}");
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
        assert_eq!(session.return_target, expected, "{field}={url}");
    }
    let session = app.session_for(&app.init(&chat_body()).await).await;
    assert_eq!(
        session.return_target, COMPLETION,
        "no return address → the completion URL"
    );

    let v1 = json!({"callback_url": "https://evil.example/", "user_id": "u"});
    let reply = app
        .init_with(v1.to_string(), &[("authorization", NEW_KEY)])
        .await;
    assert_eq!(app.session_for(&reply).await.return_target, COMPLETION);
}

#[tokio::test]
async fn user_id_is_optional_and_opaque() {
    let app = TestApp::new().await;
    let mut body = chat_body();
    body["user_id"] = Value::Null;
    assert_eq!(
        app.session_for(&app.init(&body).await)
            .await
            .private
            .user_id,
        None
    );
    body["user_id"] = json!("6GqmD76dle5NpJySqnBX8seTpt6uVtzqaNTNJU1ettI=");
    assert!(app
        .session_for(&app.init(&body).await)
        .await
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
        app.session_for(&app.init(&body).await).await.source,
        kenar::Source::PostAddon
    );
}

#[tokio::test]
async fn capitalised_supplier_in_the_legacy_button_payload() {
    let app = TestApp::new().await;
    let body = json!({
        "callback_url": "https://divar.ir/",
        "post_token": "QpR7x2Lm",
        "user_id": "seller-1",
        "peer_id": "buyer-1",
        "Supplier": {"id": "seller-1"},
        "demand": {"id": "buyer-1"},
        "extra_data": {"provider_data": {"sid": "s"}, "location": {"latitude": 35.7, "longitude": 51.3}}
    });
    let reply = app
        .init_with(body.to_string(), &[("authorization", NEW_KEY)])
        .await;
    let session = app.session_for(&reply).await;
    assert_eq!(session.user_side, Some(UserSide::Supply));
    assert_eq!(session.source, kenar::Source::ChatMessageAction);
    assert_eq!(session.private.extra_data["sid"], "s");
}

#[tokio::test]
async fn keys_wrong_missing_prefixed_and_rotated() {
    let app = TestApp::new().await;
    let body = chat_body().to_string();
    for auth in [
        None,
        Some("wrong"),
        Some(""),
        Some(&format!("Bearer {NEW_KEY}")),
        Some(&NEW_KEY[..NEW_KEY.len() - 1]),
    ] {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", *a)).collect();
        let reply = app.init_with(body.clone(), &headers).await;
        assert_refused(&app, reply, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    for key in [OLD_KEY, NEW_KEY] {
        let reply = app.init_with(body.clone(), &[("Authorization", key)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{key}");
    }
}

#[tokio::test]
async fn the_key_is_checked_before_the_body_is_read() {
    let app = TestApp::new().await;
    let reply = app
        .init_with(vec![b'x'; 1 << 20], &[("authorization", "wrong")])
        .await;
    assert_refused(&app, reply, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn every_field_at_its_limit_and_one_past() {
    let app = TestApp::new().await;
    let cases: [(&str, String, String); 6] = [
        ("source", "S".repeat(20), "S".repeat(21)),
        ("post_token", "a".repeat(10), "a".repeat(11)),
        ("conversation_id", "c".repeat(64), "c".repeat(65)),
        ("user_side", "x".repeat(50), "x".repeat(51)),
        ("user_id", "u".repeat(64), "u".repeat(65)),
        (
            "return_url",
            format!("https://divar.ir/{}", "p".repeat(2048 - 17)),
            format!("https://divar.ir/{}", "p".repeat(2048 - 16)),
        ),
    ];
    for (field, at_limit, past) in cases {
        let mut body = chat_body();
        body[field] = json!(at_limit);
        assert_eq!(
            app.init(&body).await.status,
            StatusCode::OK,
            "{field} at its limit"
        );
        let before = app.landing_count().await;
        body[field] = json!(past);
        let reply = app.init(&body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{field} one past its limit"
        );
        let error = reply.json();
        assert_eq!(error["error"]["code"], "invalid_field");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{error}"
        );
        assert_eq!(app.landing_count().await, before);
    }
    // Limits count characters, not bytes: 64 Persian letters are a valid conversation id.
    let mut body = chat_body();
    body["conversation_id"] = json!("گ".repeat(64));
    assert_eq!(app.init(&body).await.status, StatusCode::OK);
    // v1-only fields have the same limits.
    for field in ["peer_id", "user_id"] {
        let v1 = json!({"callback_url": "https://divar.ir/", field: "p".repeat(65)});
        let reply = app
            .init_with(v1.to_string(), &[("authorization", NEW_KEY)])
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}");
    }
}

#[tokio::test]
async fn field_rules_beyond_length() {
    let app = TestApp::new().await;
    for (field, value) in [
        ("post_token", json!("Qp-7x2")),
        ("post_token", json!("آگهی")),
        ("conversation_id", json!("a/b")),
        ("conversation_id", json!("..")),
        ("conversation_id", json!("a\u{0007}b")),
        ("source", json!("CH\nAT")),
    ] {
        let mut body = chat_body();
        body[field] = value.clone();
        let reply = app.init(&body).await;
        assert_refused(&app, reply, StatusCode::BAD_REQUEST, "invalid_field").await;
    }
}

#[tokio::test]
async fn nulls_and_missing_fields() {
    let app = TestApp::new().await;
    let all_null = json!({
        "source": "CHAT", "post_token": null, "conversation_id": null, "user_side": null,
        "user_id": null, "extra_data": null, "return_url": null
    });
    let session = app.session_for(&app.init(&all_null).await).await;
    assert_eq!(
        (
            session.post_token,
            session.conversation_id,
            session.user_side
        ),
        (None, None, None)
    );
    assert!(session.private.extra_data.is_empty());

    let minimal = app.init(&json!({"source": "CHAT"})).await;
    assert_eq!(minimal.status, StatusCode::OK);

    let fresh = TestApp::new().await;
    for body in [
        json!({}),
        json!({"source": null}),
        json!({"post_token": "abc"}),
    ] {
        let reply = fresh.init(&body).await;
        assert_refused(&fresh, reply, StatusCode::BAD_REQUEST, "invalid_field").await;
    }
}

#[tokio::test]
async fn wrong_types_are_400() {
    let app = TestApp::new().await;
    for (field, value) in [
        ("source", json!(7)),
        ("post_token", json!(123)),
        ("conversation_id", json!({"id": "x"})),
        ("user_side", json!(true)),
        ("user_id", json!(["u"])),
        ("extra_data", json!("data")),
        ("extra_data", json!([1, 2])),
        ("provider_data", json!(5)),
        ("return_url", json!(1)),
    ] {
        let mut body = chat_body();
        body[field] = value;
        let reply = app.init(&body).await;
        assert_refused(&app, reply, StatusCode::BAD_REQUEST, "invalid_field").await;
    }
    for v1 in [
        json!({"callback_url": "https://divar.ir/", "supplier": "x"}),
        json!({"callback_url": "https://divar.ir/", "demand": {"id": 5}}),
        json!({"callback_url": "https://divar.ir/", "extra_data": {"location": "تهران"}}),
        json!({"callback_url": "https://divar.ir/", "extra_data": {"location": {"latitude": "شمال", "longitude": 1}}}),
        json!({"callback_url": "https://divar.ir/", "extra_data": {"location": {"latitude": 1}}}),
        json!({"callback_url": 5}),
    ] {
        let reply = app
            .init_with(v1.to_string(), &[("authorization", NEW_KEY)])
            .await;
        assert_refused(&app, reply, StatusCode::BAD_REQUEST, "invalid_field").await;
    }
}

#[tokio::test]
async fn v1_numeric_coordinates() {
    let app = TestApp::new().await;
    let body = json!({"callback_url": "https://divar.ir/", "user_id": "u",
                      "extra_data": {"location": {"latitude": 35.7219, "longitude": 51.3347}}});
    let reply = app
        .init_with(body.to_string(), &[("authorization", NEW_KEY)])
        .await;
    assert_eq!(
        app.session_for(&reply).await.private.location,
        Some((35.7219, 51.3347))
    );
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::new().await;
    let mut big = chat_body();
    big["extra_data"] = json!({"pad": "x".repeat(1 << 20)});
    let big = big.to_string();
    let declared = big.len().to_string();
    let reply = app
        .init_with(
            big.clone(),
            &[("authorization", NEW_KEY), ("content-length", &declared)],
        )
        .await;
    assert_refused(
        &app,
        reply,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    // Without a declared length (chunked), reading stops at the limit.
    let reply = app.init_with(big, &[("authorization", NEW_KEY)]).await;
    assert_refused(
        &app,
        reply,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    // Just under the limit is fine.
    let mut fits = chat_body();
    fits["extra_data"] = json!({"pad": "x".repeat(16 * 1024 - 300)});
    assert_eq!(app.init(&fits).await.status, StatusCode::OK);
}

#[tokio::test]
async fn non_json_is_415_or_400() {
    let app = TestApp::new().await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let reply = app
            .init_with(
                chat_body().to_string(),
                &[("authorization", NEW_KEY), ("content-type", content_type)],
            )
            .await;
        assert_refused(
            &app,
            reply,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
    }
    let reply = app
        .init_with(
            chat_body().to_string(),
            &[("authorization", NEW_KEY), ("content-type", "")],
        )
        .await;
    assert_refused(
        &app,
        reply,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    for raw in [
        "",
        "{",
        "not json",
        "[1,2]",
        "\"CHAT\"",
        "null",
        "{\"source\": \"CHAT\",}",
    ] {
        let reply = app
            .init_with(raw.to_owned(), &[("authorization", NEW_KEY)])
            .await;
        assert_refused(&app, reply, StatusCode::BAD_REQUEST, "invalid_json").await;
    }
    let reply = app
        .init_with(
            chat_body().to_string(),
            &[
                ("authorization", NEW_KEY),
                ("content-type", "Application/JSON; charset=utf-8"),
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "media type parameters and case are fine"
    );
}

#[tokio::test]
async fn persian_text_in_extra_data_round_trips() {
    let app = TestApp::new().await;
    let mut body = chat_body();
    body["extra_data"] =
        json!({"note": "ارسال به اصفهان، پلاک ۱۲", "nested": {"عدد": [1, 2.5, true, null]}});
    let session = app.session_for(&app.init(&body).await).await;
    assert_eq!(
        session.private.extra_data["note"],
        "ارسال به اصفهان، پلاک ۱۲"
    );
    assert_eq!(
        session.private.extra_data["nested"]["عدد"],
        json!([1, 2.5, true, null])
    );
}

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let app = TestApp::new().await;
    let mut body = chat_body();
    body["future_field"] = json!({"anything": [1, 2, 3]});
    body["type"] = json!("TEXT");
    assert_eq!(app.init(&body).await.status, StatusCode::OK);
}

#[tokio::test]
async fn errors_do_not_echo_input() {
    let app = TestApp::new().await;
    let mut body = chat_body();
    body["post_token"] = json!("<script>leak</script>");
    let reply = app.init(&body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(!reply.text().contains("leak"), "{}", reply.text());
}

#[tokio::test]
async fn personal_data_is_sealed_at_rest() {
    let app = TestApp::new().await;
    let mut body = chat_body();
    body["extra_data"] = json!({"note": "plain-marker-1234"});
    assert_eq!(app.init(&body).await.status, StatusCode::OK);
    let stored: Vec<u8> = sqlx::query_scalar("select private_sealed from landing_sessions")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let stored = String::from_utf8_lossy(&stored);
    assert!(!stored.contains("plain-marker-1234"));
    assert!(!stored.contains("k2J9bq0Zr8mXa1TqW3e5Yh7Uo6Ps4Dn0Lc2Vf8Gx1Bs="));
}
