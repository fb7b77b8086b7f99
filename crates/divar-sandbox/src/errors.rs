//! Divar's error bodies, in its two dialects: the open-platform API's `googleRpcStatus`
//! (`{code, message, details}`) and the OAuth token endpoint's `{error, error_description}`.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::json;

/// A gRPC-gateway style error.
pub(crate) fn rpc_error(status: StatusCode, code: i32, message: &str) -> Response {
    (
        status,
        Json(json!({"code": code, "message": message, "details": []})),
    )
        .into_response()
}

/// An OAuth error from the token endpoint.
pub(crate) fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}
