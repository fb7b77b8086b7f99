//! Posting in the Divar chat (docs/kenar.md, “Chat messages”):
//!
//! * [`texts`]: every message Ersal writes, and the rule that they name the item and cities only;
//! * [`buttons`]: the signed data of our message buttons, checked when Divar echoes it back;
//! * [`tokens`]: the permission to post (sealed at rest, refreshed before it expires, rotated,
//!   dropped when the chat has nothing more to hear);
//! * [`outbox`]: messages queued in the same transaction as the change they announce, and the
//!   worker that sends them with retries.

pub mod buttons;
pub mod outbox;
pub mod texts;
pub mod tokens;

pub use buttons::{verify_button, Op};

/// Keys for the unit tests of the chat's signatures.
#[cfg(test)]
pub(crate) fn test_keys() -> store::crypto::Keys {
    let root = store::crypto::RootSecret {
        id: 1,
        secret: "a secret that is long enough for tests".to_owned().into(),
    };
    store::crypto::Keys::derive(&root, &[])
}
