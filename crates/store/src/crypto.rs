//! Keys derived from the configured root secrets, and the few primitives Ersal uses.
//!
//! * Root secrets are versioned ([`RootSecret`]): the current one writes, and previous ones
//!   are still accepted for reading, so a secret can be rotated without losing data or
//!   sessions (docs/security.md, "Rotating the root secret").
//! * Personal data at rest is sealed with XChaCha20-Poly1305 under a key derived by HKDF-SHA256,
//!   prefixed with the id of the secret it was sealed under; each record binds its own id as
//!   associated data, so a sealed value cannot be moved to another row.
//! * Signatures (buttons, tracking links) are made with the current secret and checked against
//!   every accepted one.
//! * Self-contained landing ids are sealed the same way ([`seal_with`]) under keys of their
//!   own ([`crate::sessions::link_keys`]).
//! * Bearer tokens of our own (session cookies, landing ids too large to be self-contained) are
//!   random, URL-safe, 256-bit, and stored only as their SHA-256 digest.
//! * Shared secrets are compared in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const NONCE_LEN: usize = 24;

/// A root secret and the id that names it in what it sealed (`ERSAL_SECRET_KEY_ID`).
#[derive(Debug, Clone)]
pub struct RootSecret {
    pub id: u8,
    pub secret: SecretString,
}

/// The keys derived from one root secret.
#[derive(Clone)]
struct Version {
    id: u8,
    sealing: XChaCha20Poly1305,
    signing: [u8; 32],
}

/// The keys of every accepted root secret; the first is the current one.
#[derive(Clone)]
pub struct Keys {
    versions: Vec<Version>,
}

#[derive(Debug, thiserror::Error)]
#[error("sealed data could not be opened")]
pub struct OpenError;

impl Version {
    fn derive(root: &RootSecret) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"ersal"), root.secret.expose_secret().as_bytes());
        let mut key = [0u8; 32];
        hk.expand(b"ersal/v1/seal-at-rest", &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        let mut signing = [0u8; 32];
        hk.expand(b"ersal/v1/sign", &mut signing)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self {
            id: root.id,
            sealing: XChaCha20Poly1305::new(&key.into()),
            signing,
        }
    }

    fn mac(&self, parts: &[&str]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.signing)
            .expect("HMAC takes any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }
}

impl Keys {
    /// The keys of `current` (which writes) and `previous` (still read).
    pub fn derive(current: &RootSecret, previous: &[RootSecret]) -> Self {
        Self {
            versions: std::iter::once(current)
                .chain(previous)
                .map(Version::derive)
                .collect(),
        }
    }

    fn current(&self) -> &Version {
        &self.versions[0]
    }

    /// A short URL-safe HMAC-SHA256 tag (128 bits) over `parts`, joined unambiguously, made
    /// with the current secret.
    pub fn sign(&self, parts: &[&str]) -> String {
        URL_SAFE_NO_PAD.encode(&self.current().mac(parts)[..16])
    }

    /// Whether `tag` is [`Keys::sign`] of `parts` under any accepted secret, compared in
    /// constant time against each.
    pub fn verify(&self, parts: &[&str], tag: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(tag) else {
            return false;
        };
        let expected: Vec<[u8; 32]> = self.versions.iter().map(|v| v.mac(parts)).collect();
        matches_any(&given, expected.iter().map(|mac| &mac[..16]))
    }

    /// Encrypts `plaintext` bound to `context` (the owning record's id) under the current
    /// secret. Output: secret id ‖ nonce ‖ ciphertext.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let version = self.current();
        [
            &[version.id][..],
            &seal_with(&version.sealing, plaintext, context),
        ]
        .concat()
    }

    /// Opens what [`Keys::seal`] sealed under any accepted secret.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, OpenError> {
        let (&id, rest) = sealed.split_first().ok_or(OpenError)?;
        let version = self.versions.iter().find(|v| v.id == id).ok_or(OpenError)?;
        open_with(&version.sealing, rest, context)
    }
}

/// Encrypts `plaintext` under `key` (XChaCha20-Poly1305), bound to `context`, with a fresh
/// random nonce (from the thread's CSPRNG, seeded by the OS: no system call per seal, which
/// is on Divar's hot path). Output: nonce ‖ ciphertext.
pub fn seal_with(key: &XChaCha20Poly1305, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
    let mut sealed = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    seal_onto(
        key,
        &mut sealed,
        |out| out.extend_from_slice(plaintext),
        context,
    );
    sealed
}

/// [`seal_with`] in place: appends to `out` the nonce, then what `write` appends, encrypted,
/// then the tag. No copy of the plaintext is made.
pub fn seal_onto(
    key: &XChaCha20Poly1305,
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>),
    context: &[u8],
) {
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    out.extend_from_slice(&nonce);
    let start = out.len();
    write(out);
    let tag = key
        .encrypt_in_place_detached(XNonce::from_slice(&nonce), context, &mut out[start..])
        .expect("XChaCha20-Poly1305 encryption does not fail for in-memory buffers");
    out.extend_from_slice(&tag);
}

/// The length of XChaCha20-Poly1305's tag.
const TAG_LEN: usize = 16;

/// Opens what [`seal_with`] sealed under `key` for `context`.
pub fn open_with(
    key: &XChaCha20Poly1305,
    sealed: &[u8],
    context: &[u8],
) -> Result<Vec<u8>, OpenError> {
    if sealed.len() < NONCE_LEN {
        return Err(OpenError);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let payload = Payload {
        msg: ciphertext,
        aad: context,
    };
    key.decrypt(XNonce::from_slice(nonce), payload)
        .map_err(|_| OpenError)
}

/// The length of a [`random_token`].
pub const TOKEN_LEN: usize = 43;

/// A fresh bearer token: 256 random bits, base64url without padding ([`TOKEN_LEN`] characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `raw` has the shape of a [`random_token`]; anything else is rejected before a lookup.
pub fn is_token_shaped(raw: &str) -> bool {
    raw.len() == TOKEN_LEN && is_url_safe(raw)
}

/// Whether `raw` is made of base64url characters only (no padding).
pub fn is_url_safe(raw: &str) -> bool {
    raw.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The stored form of a bearer token.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `presented` equals any of `accepted`, in time independent of where they differ:
/// both sides are hashed to a fixed length first, and every candidate is compared.
pub fn matches_any<'a>(presented: &[u8], accepted: impl Iterator<Item = &'a [u8]>) -> bool {
    Accepted::new(accepted).admits(presented)
}

/// Accepted secrets as [`matches_any`] compares them (their SHA-256 digests), computed once for
/// secrets checked on every request (Divar's identification keys).
pub struct Accepted(Vec<[u8; 32]>);

impl Accepted {
    pub fn new<'a>(accepted: impl Iterator<Item = &'a [u8]>) -> Self {
        Self(
            accepted
                .map(|secret| Sha256::digest(secret).into())
                .collect(),
        )
    }

    /// Whether `presented` is one of the accepted secrets, in time independent of which one,
    /// of where it differs, and of its length.
    pub fn admits(&self, presented: &[u8]) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented).into();
        self.0
            .iter()
            .fold(subtle::Choice::from(0), |found, digest| {
                found | digest.ct_eq(&presented)
            })
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(id: u8, secret: &str) -> RootSecret {
        RootSecret {
            id,
            secret: SecretString::from(secret.to_owned()),
        }
    }

    fn keys_from(secret: &str) -> Keys {
        Keys::derive(&root(1, secret), &[])
    }

    #[test]
    fn seal_round_trips_and_binds_context() {
        let k = keys_from("a secret that is long enough for tests");
        let sealed = k.seal("نشانی: تهران".as_bytes(), b"row-1");
        assert_eq!(
            k.open(&sealed, b"row-1").unwrap(),
            "نشانی: تهران".as_bytes()
        );
        assert!(k.open(&sealed, b"row-2").is_err());
        assert!(keys_from("another secret entirely, also long")
            .open(&sealed, b"row-1")
            .is_err());
        assert!(k.open(&sealed[..10], b"row-1").is_err());
        assert_ne!(
            k.seal(b"x", b"c"),
            k.seal(b"x", b"c"),
            "fresh nonce each time"
        );
    }

    #[test]
    fn signatures_bind_every_part() {
        let k = keys_from("a secret that is long enough for tests");
        let tag = k.sign(&["track", "ABC"]);
        assert!(k.verify(&["track", "ABC"], &tag));
        assert!(!k.verify(&["track", "ABD"], &tag));
        assert!(
            !k.verify(&["trackA", "BC"], &tag),
            "parts are length-prefixed"
        );
        assert!(!k.verify(&["track", "ABC"], "not-a-tag"));
        assert!(!keys_from("another secret entirely, also long").verify(&["track", "ABC"], &tag));
    }

    #[test]
    fn a_rotated_secret_still_reads_and_verifies_what_the_old_one_wrote() {
        let (old, new) = (
            root(1, "the old secret, long enough for tests"),
            root(2, "the new secret, also long enough for tests"),
        );
        let before = Keys::derive(&old, &[]);
        let (sealed, tag) = (
            before.seal(b"09351234567", b"row"),
            before.sign(&["t", "A"]),
        );

        let rotating = Keys::derive(&new, std::slice::from_ref(&old));
        assert_eq!(rotating.open(&sealed, b"row").unwrap(), b"09351234567");
        assert!(rotating.verify(&["t", "A"], &tag));
        let written = rotating.seal(b"x", b"row");
        assert_eq!(written[0], 2, "the new secret writes");
        assert!(before.open(&written, b"row").is_err());
        assert!(!before.verify(&["t", "A"], &rotating.sign(&["t", "A"])));

        let after = Keys::derive(&new, &[]);
        assert!(
            after.open(&sealed, b"row").is_err(),
            "the old secret is gone"
        );
        assert!(!after.verify(&["t", "A"], &tag));
        assert!(after.open(&written, b"row").is_ok());
    }

    #[test]
    fn tokens_are_long_random_and_recognisable() {
        let a = random_token();
        assert!(is_token_shaped(&a));
        assert_ne!(a, random_token());
        assert!(!is_token_shaped("short"));
        assert!(!is_token_shaped(&format!("{}!", &a[..42])));
        assert_eq!(token_digest(&a).len(), 64);
    }

    #[test]
    fn matches_any_checks_every_key() {
        let keys = [b"old-key".as_slice(), b"new-key".as_slice()];
        assert!(matches_any(b"old-key", keys.iter().copied()));
        assert!(matches_any(b"new-key", keys.iter().copied()));
        assert!(!matches_any(b"new-ke", keys.iter().copied()));
        assert!(!matches_any(b"", keys.iter().copied()));
    }
}
