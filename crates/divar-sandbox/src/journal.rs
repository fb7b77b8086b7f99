//! The journal: every request the sandbox received (this middleware) or sent (the calls to the
//! app in [`crate::events`]), with credentials masked, kept in memory for tests and people to
//! read.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{HeaderMap, CONTENT_TYPE};
use serde_json::Value;

use crate::state::{JournalEntry, Sandbox};

const MASK: &str = "***";
/// Fields whose values are credentials, wherever they appear (JSON, forms, queries).
const SECRET_FIELDS: [&str; 8] = [
    "access_token",
    "refresh_token",
    "client_secret",
    "code",
    "password",
    "sig",
    "secret",
    "secrets",
];
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "x-api-key",
    "cookie",
    "set-cookie",
    "api-key",
];
const MAX_RECORDED_BODY: usize = 64 * 1024;

/// Records each inbound request and its answer. Reading the journal itself is not recorded.
pub async fn record_inbound(
    State(sandbox): State<Sandbox>,
    request: Request,
    next: Next,
) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map_or_else(String::new, |p| p.as_str().to_owned());
    if path.starts_with("/journal") || path.starts_with("/control/journal") {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let headers = mask_headers(request.headers());
    let content_type = content_type(request.headers());
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_RECORDED_BODY).await else {
        return http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let body = mask_body(&bytes, &content_type);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;

    let status = response.status().as_u16();
    let (response, answer) = if content_type_of(&response).starts_with("application/json") {
        let (parts, body) = response.into_parts();
        // The sandbox's own answer: passed on whole, recorded only up to the limit.
        match to_bytes(body, usize::MAX).await {
            Ok(bytes) => {
                let answer = if bytes.len() > MAX_RECORDED_BODY {
                    Value::String(format!("<{} bytes, not recorded>", bytes.len()))
                } else {
                    mask_body(&bytes, "application/json")
                };
                (Response::from_parts(parts, Body::from(bytes)), answer)
            }
            Err(_) => (Response::from_parts(parts, Body::empty()), Value::Null),
        }
    } else {
        (response, Value::Null)
    };
    let at = sandbox.now();
    sandbox.world().record(JournalEntry {
        id: 0,
        at,
        direction: "in",
        method,
        path: mask_query(&path),
        status: Some(status),
        headers,
        body,
        response: answer,
    });
    response
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn content_type_of(response: &Response) -> String {
    content_type(response.headers())
}

pub fn mask_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_owned();
            let value = if SECRET_HEADERS.contains(&name.as_str()) {
                match value.to_str().ok().and_then(|v| v.split_once(' ')) {
                    Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => {
                        format!("{scheme} {MASK}")
                    }
                    _ => MASK.to_owned(),
                }
            } else {
                value.to_str().unwrap_or("<binary>").to_owned()
            };
            (name, value)
        })
        .collect()
}

/// A body as JSON for the journal: JSON stays JSON, forms become objects, both masked.
pub fn mask_body(bytes: &[u8], content_type: &str) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let fields = url::form_urlencoded::parse(bytes)
            .map(|(k, v)| {
                let v = if SECRET_FIELDS.contains(&k.as_ref()) {
                    MASK.to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), Value::String(v))
            })
            .collect();
        return Value::Object(fields);
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut value) => {
            mask_json(&mut value);
            value
        }
        Err(_) => Value::String(format!("<{} bytes, not JSON>", bytes.len())),
    }
}

pub fn mask_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) {
                    *inner = Value::String(MASK.to_owned());
                } else {
                    mask_json(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

/// A path with its secret query values (an OAuth `code`) masked.
pub fn mask_query(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_owned();
    };
    let masked: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| {
            let v = if SECRET_FIELDS.contains(&k.as_ref()) {
                MASK.into()
            } else {
                v
            };
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair(&k, &v)
                .finish()
        })
        .collect();
    format!("{path}?{}", masked.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_everywhere() {
        let mut body = json!({"refresh_token": "ory_rt_x", "nested": [{"access_token": "ory_at_y"}], "scope": "s"});
        mask_json(&mut body);
        assert_eq!(
            body,
            json!({"refresh_token": MASK, "nested": [{"access_token": MASK}], "scope": "s"})
        );
        let form = mask_body(
            b"grant_type=authorization_code&code=abc&client_secret=s3",
            "application/x-www-form-urlencoded",
        );
        assert_eq!(form["code"], MASK);
        assert_eq!(form["client_secret"], MASK);
        assert_eq!(form["grant_type"], "authorization_code");
        assert_eq!(
            mask_query("/cb?code=abc&state=xyz"),
            "/cb?code=***&state=xyz"
        );
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer ory_at_z".parse().unwrap());
        headers.insert("x-api-key", "key".parse().unwrap());
        let masked = mask_headers(&headers);
        assert!(masked.contains(&("authorization".into(), format!("Bearer {MASK}"))));
        assert!(masked.contains(&("x-api-key".into(), MASK.into())));
    }
}
