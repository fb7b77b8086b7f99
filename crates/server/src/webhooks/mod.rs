//! Webhooks to the shipping company's own systems (docs/webhooks.md), per the Standard
//! Webhooks specification: endpoints registered by an operator (the console) or a token with
//! `webhooks:manage` (the API), each with the events it wants and a signing secret shown once.
//! A shipment's change queues a message per endpoint in its own transaction
//! ([`store::webhooks::enqueue`]); the delivery worker ([`crate::delivery`]) sends it ([`send`]):
//! in order per shipment and endpoint, at least once, retried for about a day. Where an
//! endpoint may be is [`crate::egress`]'s rule.
//!
//! * [`sign`]: secrets and signatures;
//! * [`send`]: one attempt.

pub mod send;
pub mod sign;

use domain::text::persian_digits;
use domain::webhook::{Event, ENDPOINTS_MAX};
use store::webhooks::{self, NewEndpoint};
pub use store::webhooks::{Attempt, Endpoint};

use crate::egress;
use crate::error::AppError;
use crate::state::AppState;

/// Why an endpoint was refused: said to people, and named by a key in the console's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error(transparent)]
    Url(#[from] egress::Refusal),
    #[error("دست‌کم یک رویداد را انتخاب کنید.")]
    NoEvents,
    #[error("بیش از {} نشانی وب‌هوک نمی‌شود ثبت کرد؛ یکی را حذف کنید.", persian_digits(&ENDPOINTS_MAX.to_string()))]
    TooMany,
}

impl Refused {
    pub fn key(self) -> &'static str {
        match self {
            Self::Url(refusal) => refusal.key(),
            Self::NoEvents => "events",
            Self::TooMany => "many",
        }
    }

    /// The refusal `key` names.
    pub fn from_key(key: &str) -> Option<Self> {
        egress::Refusal::ALL
            .into_iter()
            .map(Self::Url)
            .chain([Self::NoEvents, Self::TooMany])
            .find(|refused| refused.key() == key)
    }
}

/// Why an endpoint was not registered.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<egress::Refusal> for AddError {
    fn from(refusal: egress::Refusal) -> Self {
        Self::Refused(Refused::Url(refusal))
    }
}

/// An endpoint just registered (or its secret just replaced): the secret is shown this once.
pub struct Added {
    pub id: i64,
    pub secret: String,
}

/// Registers an endpoint for `events` at `url`, after checking where the URL leads.
pub async fn add(
    state: &AppState,
    url: &str,
    events: &[Event],
    personal: bool,
    created_by: &str,
) -> Result<Added, AddError> {
    if events.is_empty() {
        return Err(Refused::NoEvents.into());
    }
    let url = egress::check(url, state.config.webhooks.addresses).await?;
    if webhooks::count(&state.db).await.map_err(AppError::from)? >= ENDPOINTS_MAX {
        return Err(Refused::TooMany.into());
    }
    let (secret, bytes) = sign::new_secret();
    let new = NewEndpoint {
        url: url.as_str(),
        events,
        personal,
        created_by,
    };
    let id = webhooks::add(&state.db, &state.keys, &new, &bytes, state.now())
        .await
        .map_err(AppError::from)?;
    tracing::info!(endpoint = id, "webhook endpoint registered");
    Ok(Added { id, secret })
}

/// Gives endpoint `id` a new secret; the old one signs too for a day. `None` when there is no
/// such endpoint.
pub async fn rotate(state: &AppState, id: i64, by: &str) -> Result<Option<Added>, AppError> {
    let (secret, bytes) = sign::new_secret();
    let rotated = webhooks::rotate(&state.db, &state.keys, id, &bytes, state.now()).await?;
    if rotated {
        tracing::info!(endpoint = id, by, "webhook secret rotated");
    }
    Ok(rotated.then_some(Added { id, secret }))
}

/// What an operator or a token can do to an endpoint besides rotating its secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Turn it off: its messages fail without a try until it is turned on.
    Disable,
    /// Turn it on, its failures forgotten.
    Enable,
    /// Queue its failed messages again.
    Replay,
    Delete,
}

/// Does `action` to endpoint `id` for `by` (an operator, a token); `false` when there was
/// nothing to do it to.
pub async fn act(state: &AppState, id: i64, action: Action, by: &str) -> Result<bool, AppError> {
    let db = &state.db;
    tracing::info!(endpoint = id, ?action, by, "webhook endpoint changed");
    Ok(match action {
        Action::Disable => {
            let found = webhooks::get(db, id).await?.is_some();
            webhooks::disable(db, id, "اپراتور خاموش کرد", state.now()).await?;
            found
        }
        Action::Enable => webhooks::enable(db, id).await?,
        Action::Replay => webhooks::replay(db, id, state.now_ms()).await? > 0,
        Action::Delete => webhooks::delete(db, id).await?,
    })
}

/// Every endpoint, oldest first.
pub async fn endpoints(state: &AppState) -> Result<Vec<Endpoint>, AppError> {
    Ok(webhooks::list(&state.db).await?)
}

/// Endpoint `id`'s newest 50 attempts, and how many of its messages wait and failed.
pub async fn log(state: &AppState, id: i64) -> Result<(Vec<Attempt>, (i64, i64)), AppError> {
    let attempts = webhooks::attempts(&state.db, id, 50).await?;
    Ok((attempts, webhooks::counts(&state.db, id).await?))
}
