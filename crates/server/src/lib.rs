//! Ersal's server side, without Leptos and without SQL: the configuration, the use cases and
//! the handlers Divar and browsers call. Every statement lives in the `store` crate, which this
//! crate calls and which calls nothing of it. The modules sit in four layers, each importing
//! only its own or lower ones (docs/architecture.md, "Layers of the server", checked by
//! `scripts/check-layers.py`):
//!
//! 0. the foundation: [`config`], [`catalog`] (the tariff, provinces and cities), [`state`] (the
//!    one [`AppState`], handles only), [`error`] (the one boundary error, [`AppError`]),
//!    [`oauth`] (Divar's OAuth client), [`page`] (the page for answers made outside Leptos),
//!    [`origin`], [`address`], [`limits`], [`listener`] and [`telemetry`];
//! 1. [`chat`]: the messages Ersal writes, their signed buttons, a grant's access token, and
//!    how chat and bot rows are sent;
//! 2. the use cases: [`flow`] (the landing flow), [`tracking`], [`console`], [`consent`] (an
//!    OAuth `state` in flight), [`retention`], [`addons`] (widgets on a seller's post and the
//!    buyer's price) and [`support`] (Divar's events and the support bot);
//! 3. the edges: [`http`] (the plain endpoints and the common layers), [`delivery`] (the
//!    outbox's worker), [`jobs`] and [`housekeeping`] (time-driven work).

pub mod addons;
pub mod address;
pub mod api;
pub mod assistant;
pub mod budget;
pub mod catalog;
pub mod chat;
pub mod config;
pub mod consent;
pub mod console;
pub mod dashboard;
pub mod delivery;
pub mod egress;
pub mod error;
pub mod flow;
pub mod handover;
pub mod housekeeping;
pub mod http;
pub mod jobs;
pub mod labels;
pub mod limits;
pub mod listener;
pub mod oauth;
pub mod origin;
pub mod page;
pub mod posts;
pub mod problem;
pub mod retention;
pub mod shown_once;
pub mod state;
pub mod support;
pub mod telemetry;
pub mod tracking;
pub mod webhooks;

pub use config::Config;
pub use error::AppError;
pub use state::AppState;
/// The stored records and checks the pages name; the pages reach the store through this crate.
pub use store::crypto::is_url_safe;
pub use store::operators::Operator;
pub use store::sessions::LandingSession;
pub use store::shipments::{Order, Shipment};
