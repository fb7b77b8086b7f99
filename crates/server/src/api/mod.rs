//! The operator API's use cases (docs/api.md): who a Bearer token is and what it may do, the
//! shipments list by cursor, one shipment, a move with an `Idempotency-Key`, and the status
//! catalogue; webhook endpoints ([`webhooks`]). Every answer is a [`views`] type or a [`Problem`]; the HTTP side
//! (`http::api`) only extracts, calls these and serializes.

mod moves;
mod shipments;
pub mod tokens;
pub mod views;
pub mod webhooks;

use domain::api::{looks_like_token, Scope};
use store::api::Token;

use crate::error::AppError;
use crate::problem::{Kind, Problem};
use crate::state::AppState;

pub use moves::move_shipment;
pub use shipments::{list, read, statuses, ListQuery};

/// A failure of Ersal's own is a 500 problem; its cause was logged where it was made.
impl From<AppError> for Problem {
    fn from(_: AppError) -> Self {
        Problem::new(Kind::Internal, crate::error::SENTENCE)
    }
}

impl From<store::StoreError> for Problem {
    #[track_caller]
    fn from(cause: store::StoreError) -> Self {
        AppError::new(cause).into()
    }
}

/// The live token an `Authorization: Bearer …` header presents, within its rate limit.
pub async fn authenticate(state: &AppState, authorization: Option<&str>) -> Result<Token, Problem> {
    let unauthorized = || {
        Problem::new(
            Kind::Unauthorized,
            "سرآیند Authorization باید «Bearer» و توکنی زنده باشد که کنسول یا فرمان ersal api-token ساخته است.",
        )
    };
    // The scheme's name is case-insensitive (RFC 9110).
    let presented = authorization
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, raw)| raw.trim())
        .filter(|raw| looks_like_token(raw))
        .ok_or_else(unauthorized)?;
    let digest = store::crypto::token_digest(presented);
    let token = store::api::authenticate(&state.db, &digest, state.now())
        .await?
        .ok_or_else(unauthorized)?;
    state
        .limits
        .check_token(token.id)
        .map_err(Problem::too_many)?;
    Ok(token)
}

/// `Ok` when `token` holds `scope`.
pub fn require(token: &Token, scope: Scope) -> Result<(), Problem> {
    if token.may(scope) {
        Ok(())
    } else {
        Err(Problem::new(
            Kind::Forbidden,
            format!("این کار دامنهٔ «{}» را می‌خواهد.", scope.key()),
        ))
    }
}

/// Logs a call a token made (its route, as the route table names it, and the answer's status).
pub async fn log_call(state: &AppState, token: &Token, method: &str, route: &str, status: u16) {
    let logged = store::api::log_call(&state.db, token.id, method, route, status, state.now());
    if let Err(cause) = logged.await {
        // The answer stands; the log line of the failure says which call went unlogged.
        AppError::new(format_args!(
            "api call of token {} not logged: {cause}",
            token.id
        ));
    }
}
