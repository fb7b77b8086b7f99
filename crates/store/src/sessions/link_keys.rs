//! The keys self-contained landing ids are sealed under: a random key per hour, shared by the
//! instances through the database (sealed there under the root secret), cached in memory, and
//! deleted by housekeeping once every id it sealed has expired. From then on a landing URL kept
//! in anyone's logs opens for nobody, whoever holds the root secret. A key is used only within
//! the window its ids can be valid in, from memory as from the database, so a swept key opens
//! nothing anywhere, and an id naming any other hour costs no database query. Init reads the
//! database about once an hour per instance (one task fetches a missing key; the others wait
//! for it), and the first instance to need an hour's key writes it.

use std::sync::{Arc, Mutex};

use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use rand::RngCore;

use crate::crypto::Keys;
use crate::db::Db;
use crate::on_db;
use crate::StoreError;

/// The length of a key's period: ids made within one hour share its key.
pub const PERIOD_SECS: i64 = 3600;

/// A period's key, ready to seal and open.
pub type LinkKey = Arc<XChaCha20Poly1305>;

/// The database's keys with an in-memory cache; cheap to clone.
#[derive(Clone)]
pub struct LinkKeys {
    db: Db,
    /// How long a landing id lives (`landing_ttl`).
    ttl_secs: i64,
    cache: Arc<Mutex<Vec<(i64, LinkKey)>>>,
    /// Held by the one task fetching or making a key that is not cached.
    fetching: Arc<tokio::sync::Mutex<()>>,
}

/// The period `now` falls in.
pub fn period_of(now: i64) -> i64 {
    now.div_euclid(PERIOD_SECS)
}

/// The oldest period whose ids may still be valid at `now`, when ids live `ttl_secs`: they
/// expire at most `ttl_secs` after their hour ends. Older keys are never used, and
/// housekeeping deletes them.
pub fn oldest_usable(now: i64, ttl_secs: i64) -> i64 {
    period_of(now - ttl_secs)
}

/// What the root secret's seal of a period's key is bound to.
fn context(period: i64) -> String {
    format!("landing key {period}")
}

impl LinkKeys {
    pub fn new(db: Db, ttl_secs: i64) -> Self {
        Self {
            db,
            ttl_secs,
            cache: Arc::default(),
            fetching: Arc::default(),
        }
    }

    /// Whether ids sealed in `period` may still be valid at `now`.
    fn in_window(&self, period: i64, now: i64) -> bool {
        (oldest_usable(now, self.ttl_secs)..=period_of(now)).contains(&period)
    }

    fn cached(&self, period: i64) -> Option<LinkKey> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .iter()
            .find(|(p, _)| *p == period)
            .map(|(_, k)| k.clone())
    }

    fn remember(&self, period: i64, key: LinkKey, now: i64) -> LinkKey {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|(p, _)| *p != period && self.in_window(*p, now));
        cache.push((period, key.clone()));
        key
    }

    /// The key of the period `now` falls in, made now if no instance has made it yet.
    pub async fn current(&self, keys: &Keys, now: i64) -> Result<(i64, LinkKey), StoreError> {
        let period = period_of(now);
        if let Some(key) = self.of(keys, period, now).await? {
            return Ok((period, key));
        }
        let _one_at_a_time = self.fetching.lock().await;
        if let Some(key) = self.cached(period) {
            return Ok((period, key));
        }
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let sealed = keys.seal(&raw, context(period).as_bytes());
        // Another instance may make the same period's key at the same moment: the first stays.
        on_db!(&self.db, pool => {
            sqlx::query(
                "insert into landing_keys (period, key_sealed) values ($1, $2)
                 on conflict (period) do nothing",
            )
            .bind(period)
            .bind(&sealed)
            .execute(pool)
            .await?;
        });
        let key = self
            .stored(keys, period, now)
            .await?
            .ok_or_else(|| StoreError::Broken("a landing key just stored cannot be read back"))?;
        Ok((period, key))
    }

    /// The key of `period`, if ids of it may still be valid at `now` and it exists (never
    /// made here).
    pub async fn of(
        &self,
        keys: &Keys,
        period: i64,
        now: i64,
    ) -> Result<Option<LinkKey>, StoreError> {
        if !self.in_window(period, now) {
            return Ok(None);
        }
        if let Some(key) = self.cached(period) {
            return Ok(Some(key));
        }
        let _one_at_a_time = self.fetching.lock().await;
        if let Some(key) = self.cached(period) {
            return Ok(Some(key));
        }
        self.stored(keys, period, now).await
    }

    /// `period`'s key as the database holds it, cached.
    async fn stored(
        &self,
        keys: &Keys,
        period: i64,
        now: i64,
    ) -> Result<Option<LinkKey>, StoreError> {
        let sealed: Option<Vec<u8>> = on_db!(&self.db, pool => {
            sqlx::query_scalar("select key_sealed from landing_keys where period = $1")
                .bind(period)
                .fetch_optional(pool)
                .await?
        });
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let raw = keys.open(&sealed, context(period).as_bytes())?;
        let cipher = XChaCha20Poly1305::new_from_slice(&raw)
            .map_err(|_| StoreError::Broken("a landing key has the wrong length"))?;
        Ok(Some(self.remember(period, Arc::new(cipher), now)))
    }
}
