//! Errors of the JSON contract endpoints: `{"error":{"code":"…","message":"…"}}`.
//!
//! Internal failures are logged with their cause and answered with a generic message; the
//! caller never sees an internal error text.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the Authorization header does not carry a valid Divar identification key")]
    Unauthorized,
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the request was not answered within the request timeout")]
    Unavailable,
    #[error(transparent)]
    BadRequest(#[from] kenar::InitError),
    #[error("internal error")]
    Internal(#[from] crate::error::AppError),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::BadRequest(kenar::InitError::InvalidJson | kenar::InitError::NotAnObject) => {
                (StatusCode::BAD_REQUEST, "invalid_json")
            }
            Self::BadRequest(kenar::InitError::Field { .. }) => {
                (StatusCode::BAD_REQUEST, "invalid_field")
            }
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        // An internal failure was logged where it happened.
        if !matches!(self, Self::Internal(_)) {
            tracing::info!(code, reason = %self, "request refused");
        }
        let body = json!({"error": {"code": code, "message": self.to_string()}});
        (status, Json(body)).into_response()
    }
}
