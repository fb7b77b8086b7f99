//! Ersal's server side, without Leptos.
//!
//! A tour:
//! * [`config`]: the typed configuration, loaded once;
//! * [`catalog`]: the tariff and Iran's provinces and cities;
//! * [`state`]: the one [`AppState`] handed to handlers and server functions;
//! * [`db`] and the repositories ([`sessions`], [`drafts`], [`shipments`], [`operators`]): all
//!   SQL lives there;
//! * [`crypto`]: sealing personal data at rest, bearer tokens, signatures, constant-time comparison;
//! * [`oauth`]: Divar's OAuth (consent URL, code exchange, refresh) and its `state` values;
//! * [`chat`]: chat tokens, the messages and their signed buttons, and the outbox worker;
//! * [`http`]: the endpoints Divar and browsers call directly, and the common layers;
//! * [`jobs`]: background work (expiring unanswered shipments, the retention purge).

pub mod catalog;
pub mod chat;
pub mod config;
pub mod crypto;
pub mod db;
pub mod drafts;
pub mod http;
pub mod jobs;
pub mod oauth;
pub mod operators;
pub mod sessions;
pub mod shipments;
pub mod state;

pub use config::Config;
pub use state::AppState;
