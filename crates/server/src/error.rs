//! The one boundary error: a failure of Ersal's own (the database, Divar's API, a stored row that
//! no longer opens), never the user's. Its cause is logged once, where it is made; what reaches
//! the user is a generic Persian sentence — through a server function (`ServerFnError` takes any
//! `std::error::Error` and shows its `Display`) or as an axum response.
//!
//! A user's own mistake or a rule of the domain (a forbidden status change, an invalid button)
//! is not an error here: each use case answers it with its own outcome type.

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::page;

/// What the user reads when something of ours failed.
pub const SENTENCE: &str = "کار ناتمام ماند. چند لحظه بعد دوباره تلاش کنید.";

#[derive(thiserror::Error)]
#[error("{}", SENTENCE)]
pub struct AppError {
    back_to: Option<String>,
}

impl AppError {
    /// Logs `cause` (never shown to anyone) and makes the user-facing error.
    #[track_caller]
    pub fn new(cause: impl std::fmt::Display) -> Self {
        let at = std::panic::Location::caller();
        tracing::error!(error = %cause, at = %format_args!("{}:{}", at.file(), at.line()), "internal failure");
        Self { back_to: None }
    }

    /// The way back to Divar offered on the error page.
    #[must_use]
    pub fn back_to(mut self, url: &str) -> Self {
        self.back_to = Some(url.to_owned());
        self
    }
}

impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppError")
    }
}

macro_rules! logged_from {
    ($($source:ty),+ $(,)?) => {$(
        impl From<$source> for AppError {
            #[track_caller]
            fn from(cause: $source) -> Self {
                Self::new(cause)
            }
        }
    )+};
}

logged_from!(
    serde_json::Error,
    crate::oauth::TokenError,
    store::crypto::OpenError,
    store::StoreError,
    kenar::addon::OverLimit,
);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        page::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "خطای موقت",
            SENTENCE,
            self.back_to.as_deref(),
        )
    }
}
