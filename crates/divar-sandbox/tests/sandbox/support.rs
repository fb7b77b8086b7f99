//! The sandbox's router and helpers to call it as the app and a browser do.

use axum::body::Body;
use axum::Router;
use divar_sandbox::{Sandbox, SandboxConfig};
use http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use super::{API_KEY, BUYER, CONVERSATION, REDIRECT, SECRET, SLUG};

pub(super) fn app() -> Router {
    divar_sandbox::router(Sandbox::new(SandboxConfig {
        origin: "http://127.0.0.1:3100".into(),
        init_url: "http://127.0.0.1:9/divar/init".into(),
        events_url: "http://127.0.0.1:9/divar/events".into(),
        dynamic_action_url: "http://127.0.0.1:9/divar/action".into(),
        fallback_url: "http://127.0.0.1:9/divar/fallback".into(),
        identification_key: "test-identification-key".into(),
        app_slug: SLUG.into(),
        api_key: API_KEY.into(),
        client_secret: SECRET.into(),
        redirect_uris: vec![REDIRECT.into()],
    }))
}

pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) location: Option<String>,
    pub(super) body: String,
}

impl Reply {
    pub(super) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    pub(super) fn query(&self, key: &str) -> Option<String> {
        let location = url::Url::parse(self.location.as_deref()?).ok()?;
        location
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}

pub(super) async fn send(app: &Router, request: Request<Body>) -> Reply {
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

/// GETs `path` with `headers`.
pub(super) async fn get(app: &Router, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::get(path);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

/// GETs `path` in the buyer's browser (signed in to the sandbox as the buyer).
pub(super) async fn browse(app: &Router, path: &str) -> Reply {
    get(app, path, &[("cookie", &format!("sandbox_user={BUYER}"))]).await
}

pub(super) fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

pub(super) async fn post_form(app: &Router, path: &str, pairs: &[(&str, &str)]) -> Reply {
    let request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("sandbox_user={BUYER}"))
        .body(Body::from(form(pairs)))
        .unwrap();
    send(app, request).await
}

pub(super) async fn post_json(
    app: &Router,
    path: &str,
    body: Value,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = Request::post(path).header("content-type", "application/json");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    send(app, request.body(Body::from(body.to_string())).unwrap()).await
}

pub(super) fn authorize_url(scope: &str, redirect: &str) -> String {
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
pub(super) async fn consent(app: &Router, scope: &str, decision: &str) -> Reply {
    consent_at(app, &authorize_url(scope, REDIRECT), decision).await
}

/// The consent screen at `url` (an authorization request), then the user's `decision`.
pub(super) async fn consent_at(app: &Router, url: &str, decision: &str) -> Reply {
    let page = browse(app, url).await;
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

pub(super) fn chat_scope() -> String {
    format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION} offline_access")
}

pub(super) async fn exchange(app: &Router, code: &str, secret: &str, redirect: &str) -> Reply {
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

pub(super) async fn code(app: &Router) -> String {
    let back = consent(app, &chat_scope(), "approve").await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert!(back.location.as_deref().unwrap().starts_with(REDIRECT));
    assert_eq!(back.query("state").as_deref(), Some("state-123456"));
    back.query("code").unwrap()
}
