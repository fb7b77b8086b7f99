//! Self-contained landing ids: the context of an init call, with its times, sealed
//! (XChaCha20-Poly1305 under the root secret, see [`crate::crypto::Keys::seal`]) into the id
//! itself, so that answering Divar's init writes nothing. The id is single use all the same:
//! opening it stores the landing session, and a second opening finds it stored
//! ([`super::redeem`]). A context that would make the id longer than [`MAX_LEN`] is stored at
//! init instead ([`super::LandingWriter`]).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use kenar::{Source, UserSide};
use serde::{Deserialize, Serialize};

use super::{Landing, PrivateContext};
use crate::crypto::{self, Keys};

/// The longest self-contained id, so that a landing URL stays well within what browsers and
/// Divar's clients carry.
pub const MAX_LEN: usize = 1024;

/// What the seal is bound to: a landing id, not any other sealed value.
const PURPOSE: &[u8] = b"ersal landing id";

/// The sealed form, with short names: every byte lengthens the URL.
#[derive(Serialize, Deserialize)]
struct Context {
    v: Option<u8>,
    s: String,
    p: Option<String>,
    c: Option<String>,
    u: Option<String>,
    x: PrivateContext,
    r: String,
    /// created at, expires at (Unix seconds)
    t: (i64, i64),
}

/// What a genuine id carries.
pub struct Opened {
    pub landing: Landing,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The id for `landing`, valid from `created_at` until `expires_at`; `None` when it would be
/// longer than [`MAX_LEN`].
pub fn seal(keys: &Keys, landing: &Landing, created_at: i64, expires_at: i64) -> Option<String> {
    let context = Context {
        v: landing.api_version,
        s: landing.source.as_str().to_owned(),
        p: landing.post_token.clone(),
        c: landing.conversation_id.clone(),
        u: landing.user_side.map(|side| side.as_str().to_owned()),
        x: landing.private.clone(),
        r: landing.return_target.clone(),
        t: (created_at, expires_at),
    };
    let plain = serde_json::to_vec(&context).expect("a landing context always serialises");
    let id = URL_SAFE_NO_PAD.encode(keys.seal(&plain, PURPOSE));
    (id.len() <= MAX_LEN).then_some(id)
}

/// Whether `id` has the shape of a self-contained id (checked before anything is decrypted);
/// stored ids are shorter ([`crypto::is_token_shaped`]).
pub fn is_shaped(id: &str) -> bool {
    id.len() > 43
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What `id` carries, if this deployment sealed it (under any accepted root secret).
pub fn open(keys: &Keys, id: &str) -> Option<Opened> {
    if !is_shaped(id) || crypto::is_token_shaped(id) {
        return None;
    }
    let sealed = URL_SAFE_NO_PAD.decode(id).ok()?;
    let context: Context = serde_json::from_slice(&keys.open(&sealed, PURPOSE).ok()?).ok()?;
    let (created_at, expires_at) = context.t;
    Some(Opened {
        landing: Landing {
            api_version: context.v,
            source: Source::from_key(&context.s),
            post_token: context.p,
            conversation_id: context.c,
            user_side: context.u.as_deref().and_then(UserSide::from_divar),
            private: context.x,
            return_target: context.r,
        },
        created_at,
        expires_at,
    })
}
