//! Ersal's storage, under every feature: the database ([`db`], SQLite or PostgreSQL, and its
//! migrations), crypto at rest ([`crypto`]), operators' passwords ([`passwords`]), and every SQL
//! statement of the product, one module per table family:
//! * [`sessions`]: landing sessions, browser sessions and the landing ids' hourly keys;
//! * [`drafts`]: one sealed draft per landing session;
//! * [`grants`]: the OAuth tokens users gave Ersal, sealed, per conversation or post;
//! * [`operators`]: console accounts, their sessions, login attempts and the audit trail;
//! * [`api`]: the operator API's tokens, call log, audit and kept answers;
//! * [`shipments`]: shipments with their timelines, the console's list, and the rows the
//!   time-driven jobs expire and purge;
//! * [`support`]: the support bot's conversations and their sealed messages;
//! * [`addons`]: where Ersal's widgets on each post stand;
//! * [`budget`]: the calls to Divar's API, counted for every instance together;
//! * [`posts`]: get-post answers, cached for every instance;
//! * [`events`]: what Divar POSTed to the events URL, kept until processed once;
//! * [`housekeeping`]: deleting what is kept only for a while, in small batches;
//! * [`oauth_states`]: the OAuth `state` values handed out, single use;
//! * [`outbox`]: what Ersal queued for Divar and for webhooks, and the delivery worker's
//!   claims on it;
//! * [`webhooks`]: the shipping company's webhook endpoints, their sealed secrets, the
//!   messages queued for them and the log of attempts;
//! * [`purge`]: deleting every user's data at once, the end-of-contract step;
//! * `inspect` (tests only, the `inspect` feature): raw statements for schema and at-rest checks.
//!
//! It depends on sqlx, [`domain`] and [`kenar`] only: a repository cannot call a feature.
//! Every function answers [`StoreError`] when the database fails or a stored value no longer
//! reads back.

pub mod addons;
pub mod api;
pub mod assistant;
pub mod budget;
pub mod crypto;
pub mod dashboard;
pub mod db;
pub mod drafts;
mod error;
pub mod events;
pub mod grants;
pub mod handover;
pub mod housekeeping;
#[cfg(feature = "inspect")]
pub mod inspect;
pub mod oauth_states;
pub mod operators;
pub mod outbox;
pub mod passwords;
pub mod posts;
pub mod purge;
pub mod sessions;
pub mod shipments;
pub mod support;
pub mod webhooks;

pub use error::{Result, StoreError};
