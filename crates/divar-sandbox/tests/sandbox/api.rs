//! The open-platform API: send a message (key, scope, body, faults), get a post, get the user,
//! post add-ons (key, owner-only scope).

use http::StatusCode;
use serde_json::json;

use super::support::*;
use super::{API_KEY, BUYER, CONVERSATION, REDIRECT, SECRET};

#[tokio::test]
async fn send_message_checks_key_scope_body_and_injects_faults() {
    let app = app();
    let code = code(&app).await;
    let access = exchange(&app, &code, SECRET, REDIRECT).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {access}");
    let key_and_token = [("x-api-key", API_KEY), ("authorization", bearer.as_str())];
    let path = format!("/v2/open-platform/conversations/{CONVERSATION}/messages");
    let good = json!({"message": "ثبت شد", "sender_buttons": {"rows": [{"buttons": [
        {"action": {"open_server_link": {"data": {"sid": "1"}}}, "icon": "LOCAL_SHIPPING", "caption": "پیگیری"}]}]}});

    assert_eq!(
        post_json(&app, &path, good.clone(), &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let other = "/v2/open-platform/conversations/7a1c9e52-3b6d-4f80-a2c4-5e9b1d7f3a60/messages";
    let forbidden = post_json(&app, other, good.clone(), &key_and_token).await;
    assert_eq!(
        (forbidden.status, forbidden.json()["code"].clone()),
        (StatusCode::FORBIDDEN, json!(7))
    );
    let bad = post_json(&app, &path, json!({"text": "x"}), &key_and_token).await;
    assert_eq!(
        (bad.status, bad.json()["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(3))
    );

    post_json(
        &app,
        "/control/faults",
        json!({"target": "send_message", "kind": "restricted", "count": 1}),
        &[],
    )
    .await;
    let restricted = post_json(&app, &path, good.clone(), &key_and_token).await;
    assert_eq!(restricted.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(restricted.json()["code"], 9);
    let sent = post_json(&app, &path, good, &key_and_token).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert_eq!(sent.json(), json!({"status": 200, "message": "success"}));

    let messages = get(&app, "/control/messages", &[]).await.json();
    assert_eq!(
        messages["messages"].as_array().unwrap().len(),
        1,
        "refused sends store nothing"
    );
    assert_eq!(
        messages["messages"][0]["sender"], BUYER,
        "sent as the consenting user"
    );

    let journal = get(&app, "/control/journal", &[]).await.body;
    assert!(
        !journal.contains(&access),
        "tokens are masked in the journal"
    );
    assert!(
        !journal.contains(SECRET) && !journal.contains(API_KEY),
        "secrets are masked in the journal"
    );
    assert!(!journal.contains(&code), "codes are masked in the journal");
}

#[tokio::test]
async fn posts_and_users() {
    let app = app();
    let finder = |token: &str| format!("/v1/open-platform/finder/post/{token}");
    let post = get(&app, &finder("QpR7x2Lm"), &[("x-api-key", API_KEY)]).await;
    assert_eq!(post.status, StatusCode::OK);
    assert_eq!(post.json()["data"]["title"], "گوشی سامسونگ A54 در حد نو");
    assert_eq!(post.json()["city"], "tehran");
    let missing = get(&app, &finder("NoSuch1"), &[("x-api-key", API_KEY)]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let no_key = get(&app, &finder("QpR7x2Lm"), &[]).await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);

    let back = consent(&app, "USER_PHONE", "approve").await;
    let access = exchange(&app, &back.query("code").unwrap(), SECRET, REDIRECT)
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = get(
        &app,
        "/v1/open-platform/users",
        &[
            ("x-api-key", API_KEY),
            ("authorization", &format!("Bearer {access}")),
        ],
    )
    .await;
    assert_eq!(user.json(), json!({"phone_number": "09351234567"}));
}

#[tokio::test]
async fn post_addons_check_the_key_and_grant_only_the_posts_owner() {
    let app = app();
    // The buyer asks to put widgets on a post that is not theirs: the scope is not granted.
    let back = consent(&app, "POST_ADDON_CREATE.QpR7x2Lm offline_access", "approve").await;
    let granted = back.query("scope").unwrap_or_default();
    assert!(!granted.contains("POST_ADDON_CREATE"), "{granted}");
    let code = back.query("code").unwrap();
    let access = exchange(&app, &code, SECRET, REDIRECT).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {access}");
    let path = "/v2/open-platform/addons/post/QpR7x2Lm";
    let body = json!({"widgets": [{"title_row": {"text": "ارسال"}}]});
    let no_key = post_json(&app, path, body.clone(), &[("authorization", &bearer)]).await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);
    let key_and_token = [("x-api-key", API_KEY), ("authorization", bearer.as_str())];
    let refused = post_json(&app, path, body, &key_and_token).await;
    assert_eq!(
        (refused.status, refused.json()["code"].clone()),
        (StatusCode::FORBIDDEN, json!(7))
    );

    let delete = |key: Option<&'static str>| {
        let mut request = http::Request::delete("/v1/open-platform/addons/post/QpR7x2Lm");
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        request.body(axum::body::Body::empty()).unwrap()
    };
    assert_eq!(
        send(&app, delete(None)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, delete(Some(API_KEY))).await.status,
        StatusCode::OK
    );
}
