//! The store's one error: the database failed, or a stored value no longer reads back. Never
//! the user's doing; the server turns it into its boundary error, which logs it once.

use crate::crypto::OpenError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Open(#[from] OpenError),
    /// A stored value that no longer reads back, or a step of the store's own that failed.
    #[error("{0}")]
    Broken(&'static str),
    /// A stored key names no case Ersal knows (a status, a size…).
    #[error("a stored {0} is not one Ersal knows")]
    Unknown(&'static str),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A stored post token read back as its type (it was checked before it was stored).
pub(crate) fn post(stored: Option<String>) -> Result<Option<kenar::PostToken>> {
    stored
        .map(|raw| kenar::PostToken::parse(&raw))
        .transpose()
        .map_err(|_| StoreError::Broken("a stored post token no longer reads back"))
}

/// A stored conversation id read back as its type (it was checked before it was stored).
pub(crate) fn conversation(stored: Option<String>) -> Result<Option<kenar::ConversationId>> {
    stored
        .map(|raw| kenar::ConversationId::parse(&raw))
        .transpose()
        .map_err(|_| StoreError::Broken("a stored conversation id no longer reads back"))
}
