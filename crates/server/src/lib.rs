//! Ersal's server side, without Leptos: everything but the pages.
//!
//! A tour:
//! * [`config`]: the typed configuration, loaded once;
//! * [`catalog`]: the tariff and Iran's provinces and cities;
//! * [`state`]: the one [`AppState`] handed to handlers and server functions;
//! * [`error`]: the one boundary error ([`AppError`]), logged where it happens;
//! * the use cases the pages call: [`flow`] (the landing flow), [`tracking`], [`console`];
//! * [`chat`]: the messages Ersal writes, their signed buttons, the tokens and the outbox;
//! * [`support`]: Divar's events and the support bot that answers them;
//! * [`addons`]: Ersal's widgets on a seller's post, and the price a buyer who taps them sees;
//! * [`db`] and the repositories ([`sessions`], [`drafts`], [`shipments`], [`operators`], and
//!   for the chat [`chat::tokens`], [`chat::outbox`], and [`oauth`]'s states): all SQL lives
//!   there, none in the use cases or the pages;
//! * [`crypto`]: sealing personal data at rest, bearer tokens, signatures, constant-time comparison;
//! * [`oauth`]: Divar's OAuth (consent URL, code exchange, refresh) and its `state` values;
//! * [`http`]: the endpoints Divar and browsers call directly, and the common layers;
//! * [`jobs`]: background work (expiring unanswered shipments, the retention purge);
//! * [`telemetry`]: the metrics Prometheus scrapes from their own address.

pub mod addons;
pub mod catalog;
pub mod chat;
pub mod config;
pub mod console;
pub mod delivery;
pub mod error;
pub mod flow;
pub mod housekeeping;
pub mod http;
pub mod jobs;
pub mod oauth;
pub mod retention;
pub mod state;
pub mod support;
pub mod telemetry;
pub mod tracking;

pub use config::Config;
pub use error::AppError;
pub use state::AppState;
/// The stored records and checks the pages name; the pages reach the store through this crate.
pub use store::crypto::is_url_safe;
pub use store::operators::Operator;
pub use store::sessions::LandingSession;
pub use store::shipments::Order;
