//! The sandbox against Divar's contract: send-message validation agrees with the official
//! schema (read from `docs/kenar/openapi-v3.json`), and OAuth answers as docs/kenar.md, “OAuth”, says.

use std::path::PathBuf;
use std::sync::OnceLock;

use axum::body::Body;
use axum::Router;
use divar_sandbox::message;
use divar_sandbox::{Sandbox, SandboxConfig};
use http::{Request, StatusCode};
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

const SLUG: &str = "ersal-test";
const SECRET: &str = "test-client-secret-0001";
const API_KEY: &str = "test-api-key-0001";
const REDIRECT: &str = "http://127.0.0.1:3000/oauth/callback";
const CONVERSATION: &str = "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10";
/// The buyer of CONVERSATION.
const BUYER: &str = "bA7kQ2wE9rT4yU1iO8pL3sD6fG0hJ5kZ2xC7vB4nM=";

fn openapi() -> &'static Value {
    static OPENAPI: OnceLock<Value> = OnceLock::new();
    OPENAPI.get_or_init(|| {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/kenar/openapi-v3.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).expect("the OpenAPI file is JSON")
    })
}

fn schema_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let root = json!({
            "$ref": "#/components/schemas/ChatAPIConversationSendMessageBody",
            "components": openapi()["components"],
        });
        jsonschema::draft202012::new(&root).expect("the schema compiles")
    })
}

// ---- the data files agree with the OAS ---------------------------------------------------

#[test]
fn icons_and_scopes_are_the_oas_lists() {
    let icons: Vec<&str> = openapi()["components"]["schemas"]["DivarIconsIconName"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(message::ICONS.lines().collect::<Vec<_>>(), icons);
    let mut scopes: Vec<&str> = openapi()["components"]["securitySchemes"]["OAuth"]["flows"]
        ["authorizationCode"]["scopes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    scopes.sort_unstable();
    assert_eq!(
        divar_sandbox::oauth::SCOPES.lines().collect::<Vec<_>>(),
        scopes
    );
}

// ---- send-message validation against the schema -------------------------------------------

fn icon() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["LOCAL_SHIPPING", "CANCEL", "INFO_OUTLINE", "MOPED", "CHECK_CIRCLE"]).prop_map(str::to_owned),
        1 => prop::sample::select(vec!["REAL_STATE", "ERROR", "SEARCH", "", "local_shipping"]).prop_map(str::to_owned),
    ]
}

fn data() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::collection::btree_map("[a-z]{1,4}", "[a-zA-Z0-9]{0,8}", 0..3).prop_map(|m| json!(m)),
        Just(json!("not an object")),
        Just(json!([1])),
    ]
}

fn action() -> impl Strategy<Value = Value> {
    prop_oneof![
        data().prop_map(|d| json!({"open_server_link": {"data": d}})),
        Just(json!({"open_server_link": {}})),
        Just(json!({"open_direct_link": "https://ersal.example.ir/t/1"})),
        Just(json!({"open_direct_link": {"url": "https://x.ir"}})),
        Just(json!({"open_post_page": {"post_token": "QpR7x2Lm"}})),
        Just(json!({"open_post_page": {}})),
        data().prop_map(|d| json!({"get_dynamic_action": {"data": d}})),
        Just(json!({"open_server_link": {"data": {}}, "open_direct_link": "https://a.ir"})),
        Just(json!({})),
        Just(json!("open_server_link")),
    ]
}

fn button() -> impl Strategy<Value = Value> {
    (
        action(),
        prop::option::of(icon()),
        prop_oneof![Just(json!("پیگیری")), Just(json!(5)), Just(Value::Null)],
    )
        .prop_map(|(action, icon, caption)| {
            let mut b = json!({"action": action});
            if let Some(icon) = icon {
                b["icon"] = json!(icon);
            }
            if !caption.is_null() {
                b["caption"] = caption;
            }
            b
        })
}

fn grid() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => prop::collection::vec(prop::collection::vec(button(), 0..5).prop_map(|b| json!({"buttons": b})), 0..5)
            .prop_map(|rows| json!({"rows": rows})),
        1 => Just(json!({"rows": "x"})),
        1 => Just(json!([])),
    ]
}

fn body() -> impl Strategy<Value = Value> {
    (
        prop_oneof![8 => Just(json!("درخواست ارسال ثبت شد")), 1 => Just(json!(7)), 1 => Just(Value::Null)],
        prop::option::of(grid()),
        prop::option::of(grid()),
        any::<bool>(),
    )
        .prop_map(|(message, sender, receiver, typed)| {
            let mut b = json!({});
            if !message.is_null() {
                b["message"] = message;
            }
            if let Some(g) = sender {
                b["sender_buttons"] = g;
            }
            if let Some(g) = receiver {
                b["receiver_buttons"] = g;
            }
            if typed {
                b["type"] = json!("TEXT");
            }
            b
        })
}

fn breaks_3x3(body: &Value) -> bool {
    ["sender_buttons", "receiver_buttons"].iter().any(|side| {
        body[side]["rows"].as_array().is_some_and(|rows| {
            rows.len() > 3
                || rows
                    .iter()
                    .any(|r| r["buttons"].as_array().is_some_and(|b| b.len() > 3))
        })
    })
}

#[test]
fn the_spec_example_is_valid_both_ways() {
    let example = json!({
        "message": "درخواست ارسال کالا ثبت شد. مبدأ: تهران، مقصد: اصفهان.",
        "sender_buttons": {"rows": [{"buttons": [
            {"action": {"open_server_link": {"data": {"sid": "shp_7Q2K9", "op": "track", "sig": "x"}}}, "icon": "LOCAL_SHIPPING", "caption": "پیگیری ارسال"},
            {"action": {"open_server_link": {"data": {"sid": "shp_7Q2K9", "op": "cancel", "sig": "x"}}}, "icon": "CANCEL", "caption": "لغو درخواست"}
        ]}]},
        "receiver_buttons": {"rows": [{"buttons": [
            {"action": {"open_server_link": {"data": {"sid": "shp_7Q2K9", "op": "view", "sig": "x"}}}, "icon": "INFO_OUTLINE", "caption": "جزئیات ارسال"}
        ]}]}
    });
    assert!(schema_validator().is_valid(&example));
    assert_eq!(message::validate(&example), Ok(()));
    let mut typo = example.clone();
    typo["sender_buttons"]["rows"][0]["buttons"][0]["icon"] = json!("REAL_STATE");
    assert!(!schema_validator().is_valid(&typo) && message::validate(&typo).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Every body the sandbox accepts is valid under Divar's schema; every body the schema
    /// refuses, or that breaks the 3×3 limit, the sandbox refuses too.
    #[test]
    fn validation_agrees_with_the_official_schema(body in body()) {
        let accepted = message::validate(&body).is_ok();
        let schema_ok = schema_validator().is_valid(&body);
        if accepted {
            prop_assert!(schema_ok, "accepted but invalid per OAS: {body}");
        }
        if !schema_ok || breaks_3x3(&body) {
            prop_assert!(!accepted, "should have been refused: {body}");
        }
    }
}

// ---- the HTTP surface: OAuth and the open-platform API -------------------------------------

fn app() -> Router {
    divar_sandbox::router(Sandbox::new(SandboxConfig {
        origin: "http://127.0.0.1:3100".into(),
        init_url: "http://127.0.0.1:9/divar/init".into(),
        identification_key: "test-identification-key".into(),
        app_slug: SLUG.into(),
        api_key: API_KEY.into(),
        client_secret: SECRET.into(),
        redirect_uris: vec![REDIRECT.into()],
    }))
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    fn query(&self, key: &str) -> Option<String> {
        let location = url::Url::parse(self.location.as_deref()?).ok()?;
        location
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        location,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn post_form(app: &Router, path: &str, pairs: &[(&str, &str)]) -> Reply {
    let request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("sandbox_user={BUYER}"))
        .body(Body::from(form(pairs)))
        .unwrap();
    send(app, request).await
}

async fn post_json(app: &Router, path: &str, body: Value, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::post(path).header("content-type", "application/json");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    send(app, request.body(Body::from(body.to_string())).unwrap()).await
}

fn authorize_url(scope: &str, redirect: &str) -> String {
    format!(
        "/oauth2/auth?{}",
        form(&[
            ("response_type", "code"),
            ("client_id", SLUG),
            ("redirect_uri", redirect),
            ("scope", scope),
            ("state", "state-123456")
        ])
    )
}

/// The consent screen for `scope`, then the user's `decision`: the redirect back.
async fn consent(app: &Router, scope: &str, decision: &str) -> Reply {
    let page = send(
        app,
        Request::get(authorize_url(scope, REDIRECT))
            .header("cookie", format!("sandbox_user={BUYER}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let challenge = page
        .body
        .split("name=\"challenge\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    post_form(
        app,
        "/oauth2/auth",
        &[("challenge", &challenge), ("decision", decision)],
    )
    .await
}

fn chat_scope() -> String {
    format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION} offline_access")
}

async fn exchange(app: &Router, code: &str, secret: &str, redirect: &str) -> Reply {
    post_form(
        app,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", SLUG),
            ("client_secret", secret),
            ("redirect_uri", redirect),
        ],
    )
    .await
}

async fn code(app: &Router) -> String {
    let back = consent(app, &chat_scope(), "approve").await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert!(back.location.as_deref().unwrap().starts_with(REDIRECT));
    assert_eq!(back.query("state").as_deref(), Some("state-123456"));
    back.query("code").unwrap()
}

#[tokio::test]
async fn code_flow_issues_divar_shaped_tokens() {
    let app = app();
    let code = code(&app).await;
    let tokens = exchange(&app, &code, SECRET, REDIRECT).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    let tokens = tokens.json();
    assert!(tokens["access_token"]
        .as_str()
        .unwrap()
        .starts_with("ory_at_"));
    assert!(tokens["refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("ory_rt_"));
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["scope"], chat_scope());
}

#[tokio::test]
async fn without_offline_access_there_is_no_refresh_token() {
    let app = app();
    let back = consent(
        &app,
        &format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}"),
        "approve",
    )
    .await;
    let tokens = exchange(&app, &back.query("code").unwrap(), SECRET, REDIRECT)
        .await
        .json();
    assert!(tokens.get("refresh_token").is_none());
}

#[tokio::test]
async fn a_code_works_once_and_its_replay_revokes_the_tokens() {
    let app = app();
    let code = code(&app).await;
    let first = exchange(&app, &code, SECRET, REDIRECT).await.json();
    let again = exchange(&app, &code, SECRET, REDIRECT).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.json()["error"], "invalid_grant");
    let access = first["access_token"].as_str().unwrap();
    let send = post_json(
        &app,
        &format!("/v2/open-platform/conversations/{CONVERSATION}/messages"),
        json!({"message": "m"}),
        &[
            ("x-api-key", API_KEY),
            ("authorization", &format!("Bearer {access}")),
        ],
    )
    .await;
    assert_eq!(
        send.status,
        StatusCode::UNAUTHORIZED,
        "tokens from a replayed code are revoked"
    );
}

#[tokio::test]
async fn wrong_secret_and_wrong_redirect_uri_are_refused() {
    let app = app();
    let code = code(&app).await;
    let wrong_secret = exchange(&app, &code, "not-the-secret", REDIRECT).await;
    assert_eq!(wrong_secret.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_secret.json()["error"], "invalid_client");
    let wrong_redirect = exchange(&app, &code, SECRET, "http://127.0.0.1:3000/other").await;
    assert_eq!(wrong_redirect.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_redirect.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let app = app();
    let code = code(&app).await;
    post_json(&app, "/control/clock", json!({"advance_secs": 601}), &[]).await;
    let late = exchange(&app, &code, SECRET, REDIRECT).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(late.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn denial_returns_access_denied_with_the_state() {
    let app = app();
    let back = consent(&app, &chat_scope(), "deny").await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(back.query("error").as_deref(), Some("access_denied"));
    assert_eq!(back.query("state").as_deref(), Some("state-123456"));
    assert!(back.query("code").is_none());
}

#[tokio::test]
async fn the_authorize_request_is_checked() {
    let app = app();
    let get = |uri: String| {
        let app = app.clone();
        async move {
            send(
                &app,
                Request::get(uri)
                    .header("cookie", format!("sandbox_user={BUYER}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    // Unknown client or unregistered redirect: an error page, never a redirect.
    let foreign = get(authorize_url(&chat_scope(), "https://evil.example/cb")).await;
    assert_eq!(
        (foreign.status, foreign.location),
        (StatusCode::BAD_REQUEST, None)
    );
    let unknown = get(authorize_url(&chat_scope(), REDIRECT).replace(SLUG, "someone-else")).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    // Registered redirect: errors go back to it.
    for (scope, error) in [
        ("CONVERSATION_SEND_MESSAGE", "invalid_scope"),
        ("NOT_A_SCOPE", "invalid_scope"),
        ("CONVERSATION_SEND_MESSAGE.a/../b", "invalid_scope"),
    ] {
        let back = get(authorize_url(scope, REDIRECT)).await;
        assert_eq!(back.query("error").as_deref(), Some(error), "{scope}");
    }
    let token_type =
        get(authorize_url(&chat_scope(), REDIRECT)
            .replace("response_type=code", "response_type=token"))
        .await;
    assert_eq!(
        token_type.query("error").as_deref(),
        Some("unsupported_response_type")
    );
}

#[tokio::test]
async fn refresh_rotates_and_the_old_pair_works_for_two_minutes() {
    let app = app();
    let code = code(&app).await;
    let first = exchange(&app, &code, SECRET, REDIRECT).await.json();
    let refresh = |token: String| {
        let app = app.clone();
        async move {
            post_form(
                &app,
                "/oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", SLUG),
                    ("client_secret", SECRET),
                ],
            )
            .await
        }
    };
    let old_refresh = first["refresh_token"].as_str().unwrap().to_owned();
    let second = refresh(old_refresh.clone()).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let second = second.json();
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);

    let send_with = |access: String| {
        let app = app.clone();
        async move {
            post_json(
                &app,
                &format!("/v2/open-platform/conversations/{CONVERSATION}/messages"),
                json!({"message": "سلام"}),
                &[
                    ("x-api-key", API_KEY),
                    ("authorization", &format!("Bearer {access}")),
                ],
            )
            .await
            .status
        }
    };
    let old_access = first["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        send_with(old_access.clone()).await,
        StatusCode::OK,
        "old access token within the grace period"
    );
    assert_eq!(
        refresh(old_refresh.clone()).await.status,
        StatusCode::OK,
        "old refresh token within the grace period"
    );
    post_json(&app, "/control/clock", json!({"advance_secs": 121}), &[]).await;
    assert_eq!(send_with(old_access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(old_refresh).await.json()["error"], "invalid_grant");
    assert_eq!(
        send_with(second["access_token"].as_str().unwrap().to_owned()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn send_message_checks_key_scope_body_and_injects_faults() {
    let app = app();
    let code = code(&app).await;
    let access = exchange(&app, &code, SECRET, REDIRECT).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {access}");
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
    let forbidden = post_json(
        &app,
        other,
        good.clone(),
        &[("x-api-key", API_KEY), ("authorization", &bearer)],
    )
    .await;
    assert_eq!(
        (forbidden.status, forbidden.json()["code"].clone()),
        (StatusCode::FORBIDDEN, json!(7))
    );
    let bad = post_json(
        &app,
        &path,
        json!({"text": "x"}),
        &[("x-api-key", API_KEY), ("authorization", &bearer)],
    )
    .await;
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
    let restricted = post_json(
        &app,
        &path,
        good.clone(),
        &[("x-api-key", API_KEY), ("authorization", &bearer)],
    )
    .await;
    assert_eq!(restricted.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(restricted.json()["code"], 9);
    let sent = post_json(
        &app,
        &path,
        good,
        &[("x-api-key", API_KEY), ("authorization", &bearer)],
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert_eq!(sent.json(), json!({"status": 200, "message": "success"}));

    let messages = send(
        &app,
        Request::get("/control/messages")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .json();
    assert_eq!(
        messages["messages"].as_array().unwrap().len(),
        1,
        "refused sends store nothing"
    );
    assert_eq!(
        messages["messages"][0]["sender"], BUYER,
        "sent as the consenting user"
    );

    let journal = send(
        &app,
        Request::get("/control/journal")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .body;
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
    let post = send(
        &app,
        Request::get("/v1/open-platform/finder/post/QpR7x2Lm")
            .header("x-api-key", API_KEY)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(post.status, StatusCode::OK);
    assert_eq!(post.json()["data"]["title"], "گوشی سامسونگ A54 در حد نو");
    assert_eq!(post.json()["city"], "tehran");
    let missing = send(
        &app,
        Request::get("/v1/open-platform/finder/post/NoSuch1")
            .header("x-api-key", API_KEY)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let no_key = send(
        &app,
        Request::get("/v1/open-platform/finder/post/QpR7x2Lm")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);

    let back = consent(&app, "USER_PHONE", "approve").await;
    let access = exchange(&app, &back.query("code").unwrap(), SECRET, REDIRECT)
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = send(
        &app,
        Request::get("/v1/open-platform/users")
            .header("x-api-key", API_KEY)
            .header("authorization", format!("Bearer {access}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(user.json(), json!({"phone_number": "09351234567"}));
}
