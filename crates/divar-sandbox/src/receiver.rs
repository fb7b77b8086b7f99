//! Webhook receivers: named endpoints the app's outgoing webhooks (Standard Webhooks,
//! <https://www.standardwebhooks.com>) can be pointed at, which record what they get and answer
//! as a test asks.
//!
//! * `POST /receiver/{name}` (a name is 1–40 of `a-z`, `0-9` and `-`; a receiver is made on
//!   first use): records the delivery (its `webhook-id`, `webhook-timestamp` and
//!   `webhook-signature` headers, its body up to 64 KiB, larger is refused with 413 unrecorded,
//!   whether it [`verify`]s under the receiver's secrets) and answers in the receiver's mode:
//!   `ok` (200, or 401 when a secret is set and the delivery does not verify), `fail` (its
//!   `status`), `slow` (as `ok`, after `delay_ms`) or `silent` (never), for the next `count`
//!   deliveries or all of them;
//! * `GET /receiver/{name}`: the deliveries, newest first, for people;
//! * `PUT` (or `POST`) `/control/receivers/{name}`: its settings, `{"secret", "secrets", "mode",
//!   "status", "delay_ms", "count"}`, all optional, keeping its deliveries;
//! * `GET /control/receivers/{name}/deliveries`: `{"deliveries": [...]}`, oldest first;
//! * `DELETE /control/receivers/{name}`: forgets the receiver.
//!
//! The control routes are registered behind [`crate::control`]'s origin check; the journal
//! masks the secrets they are given.

use std::fmt::Write;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

use crate::html::{escape, page};
use crate::inbox::{Delivery, Mode, Settings};
use crate::state::Sandbox;

/// The largest body a receiver takes.
const MAX_BODY: usize = 64 * 1024;
/// How far a delivery's timestamp may be from the sandbox's clock.
const TOLERANCE_SECS: u64 = 5 * 60;
const MAX_DELAY_MS: u64 = 60_000;
const SECRET_PREFIX: &str = "whsec_";

/// The receivers themselves and their pages.
pub fn router() -> Router<Sandbox> {
    Router::new().route(
        "/receiver/{name}",
        get(inbox_page)
            .post(receive)
            .layer(DefaultBodyLimit::max(MAX_BODY)),
    )
}

/// The receivers' control routes, for [`crate::control`] to put behind its origin check.
pub fn control_router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/control/receivers/{name}",
            put(configure).post(configure).delete(forget),
        )
        .route("/control/receivers/{name}/deliveries", get(deliveries))
}

fn valid_name(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The HMAC key of a `whsec_` secret: the base64 after the prefix.
fn key(secret: &str) -> Option<Vec<u8>> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    (!key.is_empty()).then_some(key)
}

/// The HMAC-SHA256 of the signed content, `{id}.{timestamp}.{body}`.
fn mac(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    for part in [id.as_bytes(), b".", timestamp.as_bytes(), b".", body] {
        mac.update(part);
    }
    mac
}

/// The `webhook-signature` value `secret` gives a delivery: `v1,` and the base64 of its
/// HMAC-SHA256; `None` when `secret` is not `whsec_` and base64.
pub fn sign(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> Option<String> {
    let tag = mac(&key(secret)?, id, timestamp, body)
        .finalize()
        .into_bytes();
    Some(format!("v1,{}", STANDARD.encode(tag)))
}

/// Whether a delivery is authentic: its timestamp (decimal Unix seconds) no more than five
/// minutes from `now`, and one of the space-separated `v1` signatures of `signature_header`
/// made with one of `secrets` (compared in constant time).
pub fn verify(
    secrets: &[String],
    id: &str,
    timestamp: &str,
    body: &[u8],
    signature_header: &str,
    now: i64,
) -> bool {
    let fresh = !timestamp.is_empty()
        && timestamp.bytes().all(|b| b.is_ascii_digit())
        && timestamp
            .parse::<i64>()
            .is_ok_and(|at| at.abs_diff(now) <= TOLERANCE_SECS);
    let signatures: Vec<Vec<u8>> = signature_header
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .collect();
    fresh
        && secrets.iter().filter_map(|s| key(s)).any(|key| {
            signatures
                .iter()
                .any(|sig| mac(&key, id, timestamp, body).verify_slice(sig).is_ok())
        })
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such receiver").into_response()
}

/// What `ok` answers: 401 for a delivery that did not verify.
fn ok_status(verified: Option<bool>) -> StatusCode {
    if verified == Some(false) {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    }
}

async fn receive(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !valid_name(&name) {
        return not_found();
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let sent = [
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    ];
    let (now, at_ms) = (sandbox.now(), sandbox.now_ms());
    let (key, mode, verified, status, delay_ms) = {
        let mut world = sandbox.world();
        let inbox = world.inboxes.entry(name.clone()).or_default();
        let secrets = &inbox.settings.secrets;
        let verified = (!secrets.is_empty()).then(|| {
            let [id, timestamp, signature] = sent.clone().map(Option::unwrap_or_default);
            verify(secrets, &id, &timestamp, &body, &signature, now)
        });
        let mode = inbox.take_mode();
        let text = String::from_utf8_lossy(&body).into_owned();
        let key = inbox.record(Delivery::new(sent, text, verified, at_ms));
        let settings = &inbox.settings;
        (key, mode, verified, settings.status, settings.delay_ms)
    };
    let status = match mode {
        Mode::Ok => ok_status(verified),
        Mode::Fail => StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
        Mode::Slow => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            ok_status(verified)
        }
        Mode::Silent => return std::future::pending().await,
    };
    if let Some(inbox) = sandbox.world().inboxes.get_mut(&name) {
        inbox.answered(key, status.as_u16());
    }
    (status, Json(json!({"ok": status.is_success()}))).into_response()
}

/// A receiver's new settings; what is left out takes its default.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSettings {
    secret: Option<String>,
    #[serde(default)]
    secrets: Vec<String>,
    #[serde(default)]
    mode: Mode,
    status: Option<u16>,
    delay_ms: Option<u64>,
    count: Option<u32>,
}

impl NewSettings {
    fn settings(self) -> Result<Settings, &'static str> {
        let defaults = Settings::default();
        let secrets: Vec<String> = self.secret.into_iter().chain(self.secrets).collect();
        if secrets.iter().any(|s| key(s).is_none()) {
            return Err("a secret is `whsec_` followed by base64");
        }
        let status = self.status.unwrap_or(defaults.status);
        if !(400..=599).contains(&status) {
            return Err("status is 400 to 599");
        }
        if self.count == Some(0) {
            return Err("count is at least 1");
        }
        Ok(Settings {
            secrets,
            mode: self.mode,
            status,
            delay_ms: self
                .delay_ms
                .map_or(defaults.delay_ms, |d| d.min(MAX_DELAY_MS)),
            count: self.count,
        })
    }
}

async fn configure(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    Json(new): Json<NewSettings>,
) -> Response {
    if !valid_name(&name) {
        return not_found();
    }
    match new.settings() {
        Ok(settings) => {
            sandbox.world().inboxes.entry(name).or_default().settings = settings;
            Json(json!({"ok": true})).into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, Json(json!({"error": error}))).into_response(),
    }
}

async fn deliveries(State(sandbox): State<Sandbox>, Path(name): Path<String>) -> Response {
    if !valid_name(&name) {
        return not_found();
    }
    let world = sandbox.world();
    let deliveries: Vec<_> = world
        .inboxes
        .get(&name)
        .map(|inbox| inbox.deliveries.iter().collect())
        .unwrap_or_default();
    Json(json!({"deliveries": deliveries})).into_response()
}

async fn forget(State(sandbox): State<Sandbox>, Path(name): Path<String>) -> Response {
    if !valid_name(&name) {
        return not_found();
    }
    sandbox.world().inboxes.remove(&name);
    Json(json!({"ok": true})).into_response()
}

async fn inbox_page(State(sandbox): State<Sandbox>, Path(name): Path<String>) -> Response {
    if !valid_name(&name) {
        return not_found();
    }
    let now_ms = sandbox.now_ms();
    let world = sandbox.world();
    let inbox = world.inboxes.get(&name);
    let mut body = format!(
        r#"<h1>گیرندهٔ وب‌هوک <code dir="ltr">{}</code></h1>"#,
        escape(&name)
    );
    if let Some(settings) = inbox.map(|i| &i.settings) {
        let _ = write!(
            body,
            r#"<p>حالت: <code dir="ltr">{}</code> · رمز امضا: {}</p>"#,
            escape(json!(settings.mode).as_str().unwrap_or_default()),
            if settings.secrets.is_empty() {
                "ندارد"
            } else {
                "دارد"
            },
        );
    }
    let deliveries = inbox.map(|i| &i.deliveries).into_iter().flatten().rev();
    let mut empty = true;
    for delivery in deliveries {
        empty = false;
        let _ = write!(
            body,
            r#"<section class="box msg"><p>#{seq} <code dir="ltr">{id}</code> · امضا: {verified} · پاسخ: {answered} · {ago} ثانیه پیش</p><details><summary>بدنه</summary><pre>{text}</pre></details></section>"#,
            seq = delivery.seq,
            id = escape(delivery.id.as_deref().unwrap_or("—")),
            verified = match delivery.verified {
                Some(true) => "درست",
                Some(false) => "نادرست",
                None => "بی‌رمز",
            },
            answered = delivery
                .answered
                .map_or_else(|| "نداد".to_owned(), |s| s.to_string()),
            ago = (now_ms - delivery.at_ms) / 1000,
            text = escape(&delivery.body),
        );
    }
    if empty {
        body.push_str(r#"<p class="box">هنوز چیزی نرسیده.</p>"#);
    }
    page(&format!("گیرندهٔ {name}"), &body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const AT: &str = "1614265330";
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    /// The Standard Webhooks reference libraries' test vector.
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signs_and_verifies_the_reference_vector() {
        assert_eq!(sign(SECRET, ID, AT, BODY).as_deref(), Some(SIGNATURE));
        let now = 1_614_265_330;
        assert!(verify(&[SECRET.into()], ID, AT, BODY, SIGNATURE, now));
        // During a rotation: two secrets, two signatures, any one match is enough.
        let other = "whsec_c2VjcmV0LW9mLXRoZS1uZXh0LWtleQ==".to_owned();
        let rotated = format!("v1,AAAA {SIGNATURE}");
        assert!(verify(
            &[other.clone(), SECRET.into()],
            ID,
            AT,
            BODY,
            &rotated,
            now
        ));
        assert!(!verify(&[other], ID, AT, BODY, SIGNATURE, now));
    }

    #[test]
    fn refuses_what_was_changed_or_is_stale() {
        let secrets = [SECRET.to_owned()];
        let now = 1_614_265_330;
        assert!(!verify(&secrets, ID, AT, b"{\"test\": 1}", SIGNATURE, now));
        assert!(!verify(&secrets, "msg_other", AT, BODY, SIGNATURE, now));
        assert!(!verify(&secrets, ID, AT, BODY, "v2,g0hM9SsE", now));
        assert!(!verify(&secrets, ID, AT, BODY, "", now));
        assert!(verify(&secrets, ID, AT, BODY, SIGNATURE, now + 300));
        assert!(!verify(&secrets, ID, AT, BODY, SIGNATURE, now + 301));
        assert!(!verify(&secrets, ID, AT, BODY, SIGNATURE, now - 301));
        let signed = sign(SECRET, ID, "+1614265330", BODY).unwrap();
        assert!(!verify(&secrets, ID, "+1614265330", BODY, &signed, now));
        assert_eq!(sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ID, AT, BODY), None);
    }

    #[test]
    fn names_are_short_lowercase_words() {
        assert!(valid_name("ersal-test-1"));
        for name in ["", "Ersal", "a_b", "a/b", &"a".repeat(41)] {
            assert!(!valid_name(name), "{name}");
        }
    }
}
