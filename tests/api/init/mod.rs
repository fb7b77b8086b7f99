//! `POST /divar/init` as docs/kenar.md, “Session initialization”, describes it:
//!
//! * [`examples`]: the documented examples (their typos fixed) and every tolerated discrepancy;
//! * [`checks`]: the key check, every field limit, the refusals, and what is stored.

mod checks;
mod examples;

use http::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;

pub(super) const CONVERSATION: &str = "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10";

pub(super) fn chat_body() -> Value {
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
pub(super) async fn assert_refused(
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

pub(super) fn landing_url(reply: &crate::support::Reply) -> String {
    reply.json()["url"].as_str().expect("url").to_owned()
}
