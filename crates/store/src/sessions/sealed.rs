//! Self-contained landing ids: the context of an init call, with its times, sealed
//! (XChaCha20-Poly1305 under the hour's key, see [`super::link_keys`]) into the id itself, so
//! that answering Divar's init writes nothing. The id is single use all the same:
//! opening it stores the landing session, and a second opening finds it stored
//! ([`super::redeem`]). A context that would make the id longer than [`MAX_LEN`] is stored at
//! init instead ([`super::create_landing`]).

use std::borrow::Cow;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use kenar::{ConversationId, PostToken, Source, UserSide};
use serde::{Deserialize, Serialize};

use super::link_keys::LinkKey;
use super::{Landing, PrivateContext};
use crate::crypto;

/// The longest self-contained id, so that a landing URL stays well within what browsers and
/// Divar's clients carry.
pub const MAX_LEN: usize = 1024;

/// What the seal is bound to: a landing id of this period, not any other sealed value.
const PURPOSE: &[u8] = b"ersal landing id";

/// An id's layout: its key's period (8 bytes, big-endian) ‖ what [`crypto::seal_with`] made.
const PERIOD_LEN: usize = 8;

fn associated(period: [u8; PERIOD_LEN]) -> [u8; PURPOSE.len() + PERIOD_LEN] {
    let mut aad = [0u8; PURPOSE.len() + PERIOD_LEN];
    aad[..PURPOSE.len()].copy_from_slice(PURPOSE);
    aad[PURPOSE.len()..].copy_from_slice(&period);
    aad
}

/// The sealed form, with short names and nothing absent written: every byte lengthens the URL.
/// Sealing borrows the landing's values; opening owns what it reads.
#[derive(Serialize, Deserialize)]
struct Context<'a> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<u8>,
    s: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    c: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    u: Option<Cow<'a, str>>,
    x: Cow<'a, PrivateContext>,
    r: Cow<'a, str>,
    /// created at, expires at (Unix seconds)
    t: (i64, i64),
}

/// What a genuine id carries.
pub struct Opened {
    pub landing: Landing,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The id for `landing` under `key` (period `period`'s), valid from `created_at` until
/// `expires_at`; `None` when it would be longer than [`MAX_LEN`].
pub fn seal(
    (period, key): (i64, &LinkKey),
    landing: &Landing,
    created_at: i64,
    expires_at: i64,
) -> Option<String> {
    let context = Context {
        v: landing.api_version,
        s: landing.source.as_str().into(),
        p: landing.post_token.as_ref().map(|p| p.as_str().into()),
        c: landing.conversation_id.as_ref().map(|c| c.as_str().into()),
        u: landing.user_side.map(|side| side.as_str().into()),
        x: Cow::Borrowed(&landing.private),
        r: landing.return_target.as_str().into(),
        t: (created_at, expires_at),
    };
    // One buffer: the period, then the nonce, the context sealed in place and the tag.
    let period = period.to_be_bytes();
    let mut id = Vec::with_capacity(MAX_LEN * 3 / 4);
    id.extend_from_slice(&period);
    let write = |out: &mut Vec<u8>| {
        serde_json::to_writer(out, &context).expect("a landing context always serialises");
    };
    crypto::seal_onto(key, &mut id, write, &associated(period));
    let id = URL_SAFE_NO_PAD.encode(id);
    (id.len() <= MAX_LEN).then_some(id)
}

/// Whether `id` has the shape of a self-contained id (checked before anything is decrypted);
/// stored ids are shorter ([`crypto::TOKEN_LEN`]).
pub fn is_shaped(id: &str) -> bool {
    (crypto::TOKEN_LEN + 1..=MAX_LEN).contains(&id.len()) && crypto::is_url_safe(id)
}

/// A self-contained id, decoded: the period of the key it names, and what that key sealed.
pub struct SealedId {
    pub period: i64,
    sealed: Vec<u8>,
}

/// Decodes `id`, if it has the shape of a self-contained id.
pub fn parse(id: &str) -> Option<SealedId> {
    if !is_shaped(id) {
        return None;
    }
    let decoded = URL_SAFE_NO_PAD.decode(id).ok()?;
    let period: [u8; PERIOD_LEN] = decoded.get(..PERIOD_LEN)?.try_into().ok()?;
    Some(SealedId {
        period: i64::from_be_bytes(period),
        sealed: decoded[PERIOD_LEN..].to_vec(),
    })
}

impl SealedId {
    /// What the id carries, if it was sealed under `key` (its period's).
    pub fn open(&self, key: &LinkKey) -> Option<Opened> {
        let aad = associated(self.period.to_be_bytes());
        let plain = crypto::open_with(key, &self.sealed, &aad).ok()?;
        let context: Context = serde_json::from_slice(&plain).ok()?;
        let (created_at, expires_at) = context.t;
        Some(Opened {
            landing: Landing {
                api_version: context.v,
                source: Source::from_key(&context.s),
                post_token: match context.p {
                    Some(p) => Some(PostToken::parse(&p).ok()?),
                    None => None,
                },
                conversation_id: match context.c {
                    Some(c) => Some(ConversationId::parse(&c).ok()?),
                    None => None,
                },
                user_side: context.u.as_deref().and_then(UserSide::from_divar),
                private: context.x.into_owned(),
                return_target: context.r.into_owned(),
            },
            created_at,
            expires_at,
        })
    }
}
