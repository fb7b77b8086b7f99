//! Divar's calls to the app's URLs with the identification key, each journaled: the
//! session-initialization request (from the chat's add-ons menu and buttons, [`crate::chat`],
//! and from a post's add-on, [`crate::addons`]), events (a user's message to the bot,
//! [`crate::bot`], and a user's revocation of the app's access) and the bot buttons' dynamic
//! actions.

use http::{header, HeaderMap, HeaderValue};
use serde_json::{json, Value};

use crate::journal;
use crate::state::{JournalEntry, Sandbox};

/// The scopes a grant must include for Divar to tell the app of its revocation.
const REVOCATION_SCOPES: [&str; 2] = ["NOTIFICATION_ACCESS_REVOCATION", "USER_ID"];

/// POSTs an event to the app's events URL with the identification key, journaled.
pub async fn deliver(sandbox: &Sandbox, event: &Value) {
    call_app(sandbox, &sandbox.config.events_url, event).await;
}

/// POSTs `body` to one of the app's URLs with the identification key, journaled; the app's
/// status and JSON answer, if it answered.
pub async fn call_app(sandbox: &Sandbox, url: &str, body: &Value) -> Option<(u16, Value)> {
    let answer = sandbox
        .http
        .post(url)
        .header(header::AUTHORIZATION, &sandbox.config.identification_key)
        .json(body)
        .send()
        .await;
    let answered = match answer {
        Ok(reply) => {
            let status = reply.status().as_u16();
            Some((status, reply.json().await.unwrap_or(Value::Null)))
        }
        Err(_) => None,
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::AUTHORIZATION, HeaderValue::from_static("key"));
    let mut recorded = body.clone();
    journal::mask_json(&mut recorded);
    let at = sandbox.now();
    sandbox.world().record(JournalEntry {
        id: 0,
        at,
        direction: "out",
        method: "POST".into(),
        path: url.to_owned(),
        status: answered.as_ref().map(|(status, _)| *status),
        headers: journal::mask_headers(&headers),
        body: recorded,
        response: answered.as_ref().map_or(Value::Null, |(_, v)| v.clone()),
    });
    answered
}

/// POSTs a session-initialization request to the app, journaled; the answered URL or why not.
pub async fn send_init(
    sandbox: &Sandbox,
    body: &Value,
    version_header: Option<&str>,
) -> Result<String, String> {
    let mut request = sandbox
        .http
        .post(&sandbox.config.init_url)
        .header(header::AUTHORIZATION, &sandbox.config.identification_key)
        .json(body);
    if let Some(name) = version_header {
        request = request.header(name, "2");
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::AUTHORIZATION, HeaderValue::from_static("key"));
    if let Some(name) = version_header {
        headers.insert(
            http::HeaderName::from_bytes(name.as_bytes()).expect("valid name"),
            HeaderValue::from_static("2"),
        );
    }
    let result = request.send().await;
    let (status, answer) = match result {
        Ok(response) => {
            let status = response.status().as_u16();
            (
                Some(status),
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
        Err(_) => (None, Value::Null),
    };
    let at = sandbox.now();
    let mut recorded = body.clone();
    journal::mask_json(&mut recorded);
    sandbox.world().record(JournalEntry {
        id: 0,
        at,
        direction: "out",
        method: "POST".into(),
        path: sandbox.config.init_url.clone(),
        status,
        headers: journal::mask_headers(&headers),
        body: recorded,
        response: answer.clone(),
    });
    match (status, answer.get("url").and_then(Value::as_str)) {
        (Some(200), Some(url)) => Ok(url.to_owned()),
        (Some(status), _) => Err(format!("پاسخ {status}")),
        (None, _) => Err("افزونه در دسترس نیست".to_owned()),
    }
}

/// What a revocation did.
#[derive(Debug, serde::Serialize)]
pub struct Revoked {
    /// Access and refresh tokens that stopped working.
    pub tokens: usize,
    /// Whether the app was sent `USER_ACCESS_REVOCATION` (a revoked grant had both
    /// [`REVOCATION_SCOPES`]).
    pub notified: bool,
}

/// The user revokes the app's access in Divar's settings: every token they granted stops
/// working at once, and the app hears of it if it asked to.
pub async fn revoke(sandbox: &Sandbox, user: &str) -> Revoked {
    let (tokens, notified) = {
        let mut world = sandbox.world();
        let wants_notice = |scopes: &[String]| {
            REVOCATION_SCOPES
                .iter()
                .all(|s| scopes.iter().any(|g| g == s))
        };
        let mut notified = world
            .access
            .values()
            .any(|t| t.user == user && wants_notice(&t.scopes))
            || world
                .refresh
                .values()
                .any(|t| t.user == user && wants_notice(&t.scopes));
        let before = world.access.len() + world.refresh.len();
        world.access.retain(|_, t| t.user != user);
        world.refresh.retain(|_, t| t.user != user);
        let tokens = before - world.access.len() - world.refresh.len();
        notified &= tokens > 0;
        (tokens, notified)
    };
    if notified {
        let event = json!({
            "type": "USER_ACCESS_REVOCATION",
            "user_access_revocation": {"user_id": user},
        });
        deliver(sandbox, &event).await;
    }
    Revoked { tokens, notified }
}
