//! The operator API's errors, all in one shape: RFC 9457 problem details
//! (`application/problem+json`) with a stable `type` per kind of problem, a Persian `title`
//! and `detail` for the developer reading it, and `Retry-After` where waiting helps.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

/// Every kind of problem the API answers: its `type` suffix, status and title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No token, a malformed one, or one revoked or unknown.
    Unauthorized,
    /// The token lacks the scope the call needs.
    Forbidden,
    NotFound,
    /// A parameter or the body does not hold what the call needs.
    Invalid,
    /// The status machine does not allow the move now.
    Conflict,
    /// The same `Idempotency-Key` with another request, or while the first is still running.
    Idempotency,
    TooManyRequests,
    /// The body is larger than the call allows.
    TooLarge,
    /// The path exists, the method does not.
    MethodNotAllowed,
    /// A failure of Ersal's own.
    Internal,
}

impl Kind {
    pub const ALL: [Self; 10] = [
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::Invalid,
        Self::Conflict,
        Self::Idempotency,
        Self::TooManyRequests,
        Self::TooLarge,
        Self::MethodNotAllowed,
        Self::Internal,
    ];

    /// The kind an HTTP status stands for, where a response of some other layer (the body
    /// limit, the router) has to be told as a problem; the conflict of a status machine where
    /// nothing more is known.
    pub fn of_status(status: StatusCode) -> Self {
        Self::ALL
            .into_iter()
            .find(|kind| kind.status() == status)
            .unwrap_or(if status.is_client_error() {
                Self::Invalid
            } else {
                Self::Internal
            })
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict | Self::Idempotency => StatusCode::CONFLICT,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem's `type`: a URN that names it for good (docs/api.md lists them).
    pub fn type_uri(self) -> &'static str {
        match self {
            Self::Unauthorized => "urn:ersal:problem:unauthorized",
            Self::Forbidden => "urn:ersal:problem:forbidden",
            Self::NotFound => "urn:ersal:problem:not-found",
            Self::Invalid => "urn:ersal:problem:invalid",
            Self::Conflict => "urn:ersal:problem:conflict",
            Self::Idempotency => "urn:ersal:problem:idempotency",
            Self::TooManyRequests => "urn:ersal:problem:too-many-requests",
            Self::TooLarge => "urn:ersal:problem:too-large",
            Self::MethodNotAllowed => "urn:ersal:problem:method-not-allowed",
            Self::Internal => "urn:ersal:problem:internal",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Unauthorized => "توکن معتبر نیست",
            Self::Forbidden => "این توکن اجازهٔ این کار را ندارد",
            Self::NotFound => "پیدا نشد",
            Self::Invalid => "درخواست نادرست است",
            Self::Conflict => "این تغییر اکنون مجاز نیست",
            Self::Idempotency => "کلید یکتایی با درخواست دیگری به کار رفته است",
            Self::TooManyRequests => "درخواست‌ها بیش از اندازه است",
            Self::TooLarge => "بدنهٔ درخواست بزرگ‌تر از اندازهٔ مجاز است",
            Self::MethodNotAllowed => "این روش برای این نشانی نیست",
            Self::Internal => "خطای سامانه",
        }
    }
}

/// One problem, as the API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        Self {
            type_uri: kind.type_uri(),
            title: kind.title(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn too_many(wait: Duration) -> Self {
        let seconds = retry_after_secs(wait);
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                Kind::TooManyRequests,
                format!("{seconds} ثانیهٔ دیگر دوباره امتحان کنید؛ چیزی تغییر نکرد."),
            )
        }
    }
}

/// Whole seconds to wait, rounded up: never `0`, which would invite an immediate retry.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + 1
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ersal\""),
            );
        }
        response
    }
}
