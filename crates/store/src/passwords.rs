//! Operators' passwords (Argon2id), checked off the async workers: on Tokio's blocking pool,
//! at most [`CONCURRENT_CHECKS`] at a time, so a burst of logins never stalls Divar's calls,
//! and at most [`MAX_WAITING`] more in line, so a flood is turned away at once rather than
//! pushing every login (operators' own among them) past the request timeout.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::Semaphore;

use crate::StoreError;

/// Password checks that may run at once; the rest wait their turn.
pub const CONCURRENT_CHECKS: usize = 2;

/// Logins that may wait for a check; one more is told to try again shortly. About a second of
/// Argon2 work at two checks at a time.
pub const MAX_WAITING: usize = 32;

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
    /// Logins holding a [`Turn`]: checking, or waiting to.
    in_line: Arc<AtomicUsize>,
    checks: Arc<AtomicU64>,
    guesses: Arc<AtomicU64>,
}

impl Default for Passwords {
    fn default() -> Self {
        Self {
            permits: Arc::new(Semaphore::new(CONCURRENT_CHECKS)),
            in_line: Arc::new(AtomicUsize::new(0)),
            checks: Arc::new(AtomicU64::new(0)),
            guesses: Arc::new(AtomicU64::new(0)),
        }
    }
}

/// A login's place in line for one password check, taken before the login changes anything
/// (so that a login turned away changes nothing) and given back when dropped.
pub struct Turn {
    in_line: Arc<AtomicUsize>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.in_line.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Passwords {
    /// A place in line, or `None` when [`MAX_WAITING`] logins wait already.
    pub fn turn(&self) -> Option<Turn> {
        let limit = CONCURRENT_CHECKS + MAX_WAITING;
        let taken = self
            .in_line
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < limit).then_some(n + 1)
            });
        taken.ok().map(|_| Turn {
            in_line: self.in_line.clone(),
        })
    }

    /// Whether `password` matches `hash`, on `turn`; without a hash, a decoy is checked and
    /// it never does.
    pub async fn verify(
        &self,
        turn: Turn,
        password: &str,
        hash: Option<String>,
    ) -> Result<bool, StoreError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Broken("the password checker is closed"))?;
        self.checks.fetch_add(1, Ordering::Relaxed);
        let password = password.to_owned();
        let known = hash.is_some();
        if known {
            self.guesses.fetch_add(1, Ordering::Relaxed);
        }
        // The permit and the place in line go with the check: a login whose request is dropped
        // meanwhile frees neither until its Argon2 work is done.
        let matched = tokio::task::spawn_blocking(move || {
            let _held = (permit, turn);
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

    /// How many passwords have really been checked (Argon2 run) since start, decoys included.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    /// How many of those checks were against an operator's real hash: the guesses an
    /// attacker got.
    pub fn guesses(&self) -> u64 {
        self.guesses.load(Ordering::Relaxed)
    }
}
