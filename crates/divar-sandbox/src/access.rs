//! How Divar checks an open-platform call's credentials: the app's API key, and for a call made
//! for a user, the user's live access token and its scopes. A refusal is Divar's error body.

use axum::response::Response;
use http::{header, HeaderMap, StatusCode};

use crate::errors::rpc_error;
use crate::state::{AccessToken, Sandbox};

pub(crate) fn api_key_ok(sandbox: &Sandbox, headers: &HeaderMap) -> bool {
    headers.get("x-api-key").and_then(|v| v.to_str().ok()) == Some(sandbox.config.api_key.as_str())
}

/// The live access token in `Authorization: Bearer …`.
fn bearer(sandbox: &Sandbox, headers: &HeaderMap) -> Option<AccessToken> {
    let token = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    let now = sandbox.now();
    sandbox
        .world()
        .access
        .get(token)
        .filter(|t| t.expires_at > now)
        .cloned()
}

/// A call made for a user: Divar wants both the app's API key and the user's live token. The
/// error is the message of the 401.
pub(crate) fn user_call(
    sandbox: &Sandbox,
    headers: &HeaderMap,
) -> Result<AccessToken, &'static str> {
    if !api_key_ok(sandbox, headers) {
        return Err("invalid or missing api key");
    }
    bearer(sandbox, headers).ok_or("invalid or expired access token")
}

/// A user call whose token grants one of `scopes`: Divar's 401 without the key or a live
/// token, 403 (naming `what` is not granted) without the scope.
pub(crate) fn granted_call(
    sandbox: &Sandbox,
    headers: &HeaderMap,
    scopes: &[&str],
    what: &str,
) -> Result<AccessToken, Box<Response>> {
    let token = user_call(sandbox, headers)
        .map_err(|m| Box::new(rpc_error(StatusCode::UNAUTHORIZED, 16, m)))?;
    if !token.scopes.iter().any(|s| scopes.contains(&s.as_str())) {
        let message = format!("the access token does not grant this {what}");
        return Err(Box::new(rpc_error(StatusCode::FORBIDDEN, 7, &message)));
    }
    Ok(token)
}
