//! The one application state, shared by the axum handlers and (through Leptos context) the
//! server functions.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use kenar::ReturnPolicy;

use std::time::Duration;

use kenar::client::KenarClient;

use crate::catalog::{Catalog, CatalogError};
use crate::config::Config;
use crate::error::AppError;
use crate::limits::Limiters;
use crate::oauth::DivarOAuth;
use store::crypto::Keys;
use store::db::{self, Db, DbError};
use store::passwords::Passwords;
use store::sessions::link_keys::LinkKeys;
use store::sessions::{self, Landing, LandingSession};

/// The application state: one allocation shared by every request (axum clones the state for
/// each one, so it is a single `Arc`).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Shared {
    pub config: Arc<Config>,
    pub catalog: Catalog,
    pub kenar: KenarClient,
    pub oauth: DivarOAuth,
    pub db: Db,
    /// This process's name among the instances sharing the database (claims in the outbox).
    pub instance: Arc<str>,
    /// The hourly keys of self-contained landing ids.
    pub link_keys: LinkKeys,
    pub keys: Keys,
    pub return_policy: ReturnPolicy,
    pub passwords: Passwords,
    /// The per-address rate limits' counts (this process's only).
    pub limits: Arc<Limiters>,
    /// Divar's identification keys, as init checks them.
    pub identification: store::crypto::Accepted,
    /// The HTTP client webhooks are sent with ([`crate::egress::client`]).
    pub webhooks: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("KENAR_OAUTH_BASE_URL or ERSAL_PUBLIC_URL do not make valid OAuth URLs")]
    OAuthUrls(#[from] url::ParseError),
}

impl AppState {
    /// Loads the tariff and city list and connects to (and, unless `ERSAL_MIGRATE=manual`,
    /// migrates) the configured database.
    pub async fn connect(config: Config) -> Result<Self, StartError> {
        let catalog = Catalog::load(&config.tariff_file)?;
        let db = db::connect(
            &config.database_url,
            config.db_pool,
            config.migrate_on_start,
        )
        .await?;
        let kenar = KenarClient::new(
            config.kenar_api_base_url.clone(),
            secrecy::ExposeSecret::expose_secret(&config.kenar_api_key).to_owned(),
            Duration::from_secs(5),
        );
        let oauth = DivarOAuth::new(&config)?;
        Ok(Self(Arc::new(Shared {
            catalog,
            kenar,
            oauth,
            link_keys: LinkKeys::new(db.clone(), config.landing_ttl_secs()),
            instance: store::crypto::random_token().into(),
            keys: Keys::derive(&config.secret_key, &config.previous_secret_keys),
            return_policy: ReturnPolicy::new(config.completion_url.clone()),
            passwords: Passwords::default(),
            limits: Arc::new(Limiters::new(config.rate_limits)),
            identification: store::crypto::Accepted::new(config.identification_keys()),
            webhooks: crate::egress::client(&config.webhooks),
            config: Arc::new(config),
            db,
        })))
    }

    /// Seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
    }

    /// The outbox's lease, in milliseconds.
    pub fn outbox_lease_ms(&self) -> i64 {
        i64::try_from(self.config.outbox_lease.as_millis()).unwrap_or(i64::MAX)
    }

    /// Milliseconds since the Unix epoch (for the outbox's retry schedule).
    pub fn now_ms(&self) -> i64 {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
    }

    /// The name of the browser-session cookie: `__Host-` prefixed (so it is `Secure`, host-only
    /// and path `/`) everywhere but dev over plain http.
    pub fn cookie_name(&self) -> &'static str {
        if self.config.is_dev() {
            "ersal_session"
        } else {
            "__Host-ersal_session"
        }
    }

    /// The browser-session token in a request's cookies, if it has the right shape.
    pub fn cookie_token(&self, headers: &HeaderMap) -> Option<String> {
        token_cookie(headers, self.cookie_name())
    }

    /// The landing session of the browser that sent `headers`, if its session is alive.
    pub async fn current_session(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<LandingSession>, AppError> {
        let Some(token) = self.cookie_token(headers) else {
            return Ok(None);
        };
        Ok(sessions::current(&self.db, &self.keys, &token, self.now(), self.idle_secs()).await?)
    }

    pub fn idle_secs(&self) -> i64 {
        i64::try_from(self.config.session_idle.as_secs()).unwrap_or(i64::MAX)
    }

    /// The one-time landing id to hand out for `landing`.
    pub async fn create_landing(&self, landing: &Landing) -> Result<String, AppError> {
        Ok(sessions::create_landing(
            &self.db,
            &self.link_keys,
            &self.keys,
            landing,
            self.now(),
            self.landing_ttl_secs(),
        )
        .await?)
    }

    /// A city's name for people, or "—" when it is unknown or missing.
    pub fn city_name(&self, id: Option<&str>) -> String {
        id.and_then(|id| self.catalog.places.find(id))
            .map_or_else(|| "—".to_owned(), |p| p.city.name.clone())
    }

    pub fn landing_ttl_secs(&self) -> i64 {
        self.config.landing_ttl_secs()
    }
}

/// The value of cookie `name`, if it has the shape of one of our tokens.
pub fn token_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    cookie_value(headers, name, store::crypto::is_token_shaped)
}

/// The value of cookie `name`, if `shaped` accepts it.
pub fn cookie_value(
    headers: &HeaderMap,
    name: &str,
    shaped: impl Fn(&str) -> bool,
) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && shaped(c.value()))
        .map(|c| c.value().to_owned())
}
