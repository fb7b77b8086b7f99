//! Divar's Kenar contract, as Ersal speaks it.
//!
//! This crate knows Divar's side of the wire and nothing of Ersal's storage or UI:
//!
//! * [`init`] parses and validates the session-initialization request Divar POSTs when a user
//!   opens the add-on (v2 and the legacy v1 body, with every discrepancy between Divar's doc
//!   versions that docs/kenar.md, “Discrepancies Ersal tolerates”, lists);
//! * [`ids`] holds the validated identifiers that arrive in those requests;
//! * [`grant`] names what a user lets Ersal do through OAuth, and its resource scope;
//! * [`ret`] decides where a user may be sent back to at the end (docs/kenar.md, “Returning to
//!   Divar”);
//! * [`addon`] is the post add-on body (the widgets on a post);
//! * [`message`] is the send-message body with its buttons (docs/kenar.md, “Chat messages”),
//!   and the support bot's answer;
//! * [`events`] parses what Divar POSTs to the events URL (the support bot's messages, users'
//!   revocations), [`action`] what it POSTs to the dynamic-action URL (a tapped quick reply);
//! * [`dev`] holds the local development app's credentials, shared with the sandbox;
//! * `client` (feature `client`, server only) calls Divar's open-platform API.
//!
//! Without `client` it has no I/O, so the browser and the server can both use it.

pub mod action;
pub mod addon;
#[cfg(feature = "client")]
pub mod client;
pub mod dev;
pub mod events;
pub mod grant;
pub mod ids;
pub mod init;
pub mod message;
pub mod ret;

pub use grant::Grant;
pub use ids::{ConversationId, DivarUserId, PostToken, Source, UserSide};
pub use init::{parse_init, ApiVersion, InitError, InitRequest, Location, Problem};
pub use ret::ReturnPolicy;
