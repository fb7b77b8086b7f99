//! What is refused and why (the key first, then the media type, the size and the fields), each
//! limit at its edge, and what a valid call stores.

use http::StatusCode;
use serde_json::json;

use super::{assert_refused, chat_body};
use crate::support::{scalar, TestApp, NEW_KEY, OLD_KEY};

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
        let reply = app.init_without_version(&v1).await;
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
            session.landing.post_token,
            session.landing.conversation_id,
            session.landing.user_side
        ),
        (None, None, None)
    );
    assert!(session.landing.private.extra_data.is_empty());

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
        let reply = app.init_without_version(&v1).await;
        assert_refused(&app, reply, StatusCode::BAD_REQUEST, "invalid_field").await;
    }
}

#[tokio::test]
async fn v1_numeric_coordinates() {
    let app = TestApp::new().await;
    let body = json!({"callback_url": "https://divar.ir/", "user_id": "u",
                      "extra_data": {"location": {"latitude": 35.7219, "longitude": 51.3347}}});
    let reply = app.init_without_version(&body).await;
    assert_eq!(
        app.session_for(&reply).await.landing.private.location,
        Some((35.7219, 51.3347))
    );
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::new().await;
    let mut big = chat_body();
    big["extra_data"] = json!({"pad": "x".repeat(1 << 20)});
    let big = big.to_string();
    let length = big.len().to_string();
    let declared = [("authorization", NEW_KEY), ("content-length", &length)];
    // Without a declared length (chunked), reading stops at the limit.
    let chunked = [("authorization", NEW_KEY)];
    for headers in [&declared[..], &chunked] {
        let reply = app.init_with(big.clone(), headers).await;
        assert_refused(
            &app,
            reply,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        )
        .await;
    }
    // Just under the limit is fine.
    let mut fits = chat_body();
    fits["extra_data"] = json!({"pad": "x".repeat(16 * 1024 - 300)});
    assert_eq!(app.init(&fits).await.status, StatusCode::OK);
}

#[tokio::test]
async fn non_json_is_415_or_400() {
    let app = TestApp::new().await;
    let body = chat_body().to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
    ] {
        let reply = app
            .init_with(
                body.clone(),
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
            body,
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
        session.landing.private.extra_data["note"],
        "ارسال به اصفهان، پلاک ۱۲"
    );
    assert_eq!(
        session.landing.private.extra_data["nested"]["عدد"],
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
    let reply = app.init(&body).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        !reply.text().contains("plain-marker-1234"),
        "the landing URL carries the context sealed"
    );
    app.session_for(&reply).await;
    let stored: Vec<u8> =
        scalar(&app.state.db, "select private_sealed from landing_sessions").await;
    let stored = String::from_utf8_lossy(&stored);
    assert!(!stored.contains("plain-marker-1234"));
    assert!(!stored.contains("k2J9bq0Zr8mXa1TqW3e5Yh7Uo6Ps4Dn0Lc2Vf8Gx1Bs="));
}
