//! Issuing and revoking API tokens (the command line `ersal api-token`, and the console):
//! a token is `ersal_` and 256 random bits, shown once and stored as its SHA-256 digest.

use domain::api::{valid_name, Scope, NAME_MAX, TOKEN_PREFIX};
use store::api::{AddError, Listed};
use store::db::Db;
use store::operators::Operator;
use store::StoreError;

use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("a token's name is 1 to {NAME_MAX} letters, digits, '-', '_' or '.'")]
    BadName,
    #[error("a token needs one or more scopes")]
    NoScope,
    #[error("a token named {0:?} exists already")]
    NameTaken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AddError> for IssueError {
    fn from(error: AddError) -> Self {
        match error {
            AddError::NameTaken(name) => Self::NameTaken(name),
            AddError::Store(cause) => Self::Store(cause),
        }
    }
}

/// Issues a token named `name` with `scopes`; the token itself is returned once, here.
pub async fn issue(
    db: &Db,
    name: &str,
    scopes: &[Scope],
    created_by: &str,
    now: i64,
) -> Result<String, IssueError> {
    if !valid_name(name) {
        return Err(IssueError::BadName);
    }
    if scopes.is_empty() {
        return Err(IssueError::NoScope);
    }
    let token = format!("{TOKEN_PREFIX}{}", store::crypto::random_token());
    let digest = store::crypto::token_digest(&token);
    store::api::add(db, name, scopes, &digest, created_by, now).await?;
    Ok(token)
}

/// Revokes the live token named `name`; its next call is refused. `false` when none is.
pub async fn revoke(db: &Db, name: &str, now: i64) -> Result<bool, StoreError> {
    store::api::revoke(db, name, now).await
}

/// Every token, live ones first.
pub async fn list(db: &Db) -> Result<Vec<Listed>, StoreError> {
    store::api::list(db).await
}

/// Issues a token from the console: its creator is the operator. Returns the `Set-Cookie`
/// that hands it to the tokens page ([`crate::shown_once::API_TOKEN`]).
pub async fn issue_in_console(
    state: &AppState,
    operator: &Operator,
    name: &str,
    scopes: &[Scope],
) -> Result<String, IssueError> {
    let token = issue(&state.db, name, scopes, &operator.username, state.now()).await?;
    tracing::info!(token = name, operator = %operator.username, "api token issued");
    Ok(crate::shown_once::API_TOKEN.carry(state, &token))
}

/// Revokes a token from the console.
pub async fn revoke_in_console(
    state: &AppState,
    operator: &Operator,
    name: &str,
) -> Result<bool, StoreError> {
    let revoked = revoke(&state.db, name, state.now()).await?;
    if revoked {
        tracing::info!(token = name, operator = %operator.username, "api token revoked");
    }
    Ok(revoked)
}
