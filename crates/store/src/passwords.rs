//! Operators' passwords (Argon2id), checked off the async workers: on Tokio's blocking pool,
//! at most [`CONCURRENT_CHECKS`] at a time, so a burst of logins never stalls Divar's calls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::Semaphore;

use crate::StoreError;

/// Password checks that may run at once; the rest wait their turn.
pub const CONCURRENT_CHECKS: usize = 2;

/// Hashes a new password (the `ersal operator` command).
pub fn hash(password: &str) -> Option<String> {
    Argon2::default()
        .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
        .ok()
        .map(|hash| hash.to_string())
}

/// A hash no password matches, so an unknown name costs the same check as a real one.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash(&crate::crypto::random_token()).expect("Argon2 hashes"))
}

/// The checker shared by every request, with the number of checks it has run.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    checks: Arc<AtomicU64>,
}

impl Default for Passwords {
    fn default() -> Self {
        Self {
            permits: Arc::new(Semaphore::new(CONCURRENT_CHECKS)),
            checks: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Passwords {
    /// Whether `password` matches `hash`; without a hash, a decoy is checked and it never does.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, StoreError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Broken("the password checker is closed"))?;
        self.checks.fetch_add(1, Ordering::Relaxed);
        let password = password.to_owned();
        let known = hash.is_some();
        let matched = tokio::task::spawn_blocking(move || {
            // The decoy is made here too, on the blocking pool, the first time it is needed.
            let hash = match &hash {
                Some(hash) => hash.as_str(),
                None => decoy(),
            };
            PasswordHash::new(hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
        .map_err(|_| StoreError::Broken("a password check panicked"))?;
        Ok(known && matched)
    }

    /// How many passwords have really been checked (Argon2 run) since start.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }
}
