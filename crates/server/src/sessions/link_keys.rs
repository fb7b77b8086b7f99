//! The keys self-contained landing ids are sealed under: a random key per hour, shared by the
//! instances through the database (sealed there under the root secret), cached in memory, and
//! deleted by housekeeping once every id it sealed has expired. From then on a landing URL kept
//! in anyone's logs opens for nobody, whoever holds the root secret. Init reads the database
//! once an hour per instance, and writes to it once an hour in all.

use std::sync::{Arc, Mutex};

use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use rand::RngCore;

use crate::crypto::Keys;
use crate::db::Db;
use crate::error::AppError;
use crate::on_db;

/// The length of a key's period: ids made within one hour share its key.
pub const PERIOD_SECS: i64 = 3600;

/// Periods whose keys stay cached (the current one and those whose ids may still be opened).
const CACHED: usize = 32;

/// A period's key, ready to seal and open.
pub type LinkKey = Arc<XChaCha20Poly1305>;

/// The database's keys with an in-memory cache; cheap to clone.
#[derive(Clone)]
pub struct LinkKeys {
    db: Db,
    cache: Arc<Mutex<Vec<(i64, LinkKey)>>>,
}

/// The period `now` falls in.
pub fn period_of(now: i64) -> i64 {
    now.div_euclid(PERIOD_SECS)
}

/// What the root secret's seal of a period's key is bound to.
fn context(period: i64) -> String {
    format!("landing key {period}")
}

impl LinkKeys {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            cache: Arc::default(),
        }
    }

    fn cached(&self, period: i64) -> Option<LinkKey> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .iter()
            .find(|(p, _)| *p == period)
            .map(|(_, k)| k.clone())
    }

    fn remember(&self, period: i64, key: LinkKey) -> LinkKey {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|(p, _)| *p != period);
        cache.push((period, key.clone()));
        cache.sort_by_key(|(p, _)| std::cmp::Reverse(*p));
        cache.truncate(CACHED);
        key
    }

    /// The key of the period `now` falls in, made now if no instance has made it yet.
    pub async fn current(&self, keys: &Keys, now: i64) -> Result<(i64, LinkKey), AppError> {
        let period = period_of(now);
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
            .of(keys, period)
            .await?
            .ok_or_else(|| AppError::new("a landing key just stored cannot be read back"))?;
        Ok((period, key))
    }

    /// The key of `period`, if it still exists (never made here).
    pub async fn of(&self, keys: &Keys, period: i64) -> Result<Option<LinkKey>, AppError> {
        if let Some(key) = self.cached(period) {
            return Ok(Some(key));
        }
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
            .map_err(|_| AppError::new("a landing key has the wrong length"))?;
        Ok(Some(self.remember(period, Arc::new(cipher))))
    }
}
