//! Ersal's configuration: one typed struct, loaded once at start-up from the environment
//! (and `.env`), checked, and then passed around inside [`crate::AppState`].
//!
//! Production is the default. `dev` must be asked for (`ERSAL_MODE=dev`); then every missing
//! value has a working local default, and Ersal only serves loopback addresses. In `prod` a
//! missing or weak value, or any development value, stops start-up with an error that names
//! the variable. Secrets are held in
//! [`SecretString`], whose `Debug` prints `[REDACTED]`; error messages never include values.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::address::{TrustedProxies, DEFAULT_HEADER};
use crate::limits::RateLimits;
use store::crypto::RootSecret;
use store::db::PoolLimits;

/// Which rules apply to missing and weak values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Dev,
    Prod,
}

#[derive(Debug)]
pub struct Config {
    pub mode: Mode,
    /// The public origin users reach Ersal at (landing URLs are built on it).
    pub public_base_url: Url,
    pub database_url: String,
    /// The database pool's size and how long a request waits for a connection.
    pub db_pool: PoolLimits,
    /// How long an instance's claim on a chat message lasts (`ERSAL_OUTBOX_LEASE_SECS`): at
    /// least one attempt's longest time, [`ATTEMPT_DB_WAITS`] database waits plus
    /// [`ATTEMPT_SECS_BEYOND_DB_WAITS`].
    pub outbox_lease: Duration,
    /// Whether start-up applies pending migrations (`ERSAL_MIGRATE=on-start`, the default) or
    /// leaves them to `ersal migrate` (`manual`; `/readyz` answers 503 until then).
    pub migrate_on_start: bool,
    /// Divar identification keys accepted in `Authorization`; more than one during rotation.
    pub identification_keys: Vec<SecretString>,
    /// The Kenar app slug (OAuth `client_id`).
    pub kenar_app_slug: String,
    pub kenar_api_key: SecretString,
    pub oauth_client_secret: SecretString,
    pub kenar_api_base_url: Url,
    pub oauth_base_url: Url,
    /// Where users go back to Divar when no safe return address was given (docs/kenar.md, “Returning to Divar”).
    pub completion_url: Url,
    /// The root secret for encryption at rest and signing, with its id.
    pub secret_key: RootSecret,
    /// Root secrets replaced by `secret_key` and still accepted for reading, while what they
    /// sealed or signed lives on (`ERSAL_PREVIOUS_SECRET_KEYS`).
    pub previous_secret_keys: Vec<RootSecret>,
    /// How long a landing URL stays valid if it is not opened.
    pub landing_ttl: Duration,
    /// How long a browser session lives without activity.
    pub session_idle: Duration,
    /// Where the dev server runs the Divar sandbox (dev only; always `None` in prod).
    pub sandbox_addr: Option<SocketAddr>,
    /// The tariff file (TOML), read at start-up.
    pub tariff_file: PathBuf,
    /// Days after a terminal status before a shipment's personal data is purged.
    pub retention_days: u32,
    /// Days a closed support conversation is kept (`ERSAL_SUPPORT_RETENTION_DAYS`).
    pub support_retention_days: u32,
    /// The reverse proxies whose client-address header is believed.
    pub trusted_proxies: TrustedProxies,
    /// Per-address requests per minute on the anonymous paths.
    pub rate_limits: RateLimits,
    /// Whether consents carry a PKCE challenge (`KENAR_OAUTH_PKCE=on`; off by default, as
    /// Divar's documents do not say that its OAuth server accepts one).
    pub oauth_pkce: bool,
    /// The longest wait for Divar's get-post answer when prefilling the item
    /// (`ERSAL_PREFILL_MS`): the page waits for it, and Divar counts page load time.
    pub prefill_budget: Duration,
    /// The ceiling under Divar's API quota that every instance spends together, per minute
    /// and per day (`ERSAL_DIVAR_CALLS_PER_MINUTE`, `ERSAL_DIVAR_CALLS_PER_DAY`; `crate::budget`).
    pub divar_calls: (i64, i64),
    /// Support's phone and hours, and the companies that receive users' data.
    pub contact: Contact,
    /// When the seller's shipping assistant answers, and for how long it stays on.
    pub assistant: AssistantLimits,
    /// How webhooks are sent.
    pub webhooks: WebhookLimits,
    /// How the listener treats slow and numerous clients.
    pub listener: ListenerLimits,
    /// Where Prometheus scrapes the metrics (`ERSAL_METRICS_ADDR`; unset: none are recorded).
    /// Never the public address: the metrics have no authentication.
    pub metrics_addr: Option<SocketAddr>,
}

/// The listener's limits: a client that has not sent a request's headers within
/// `header_read` is dropped, a request not answered within `request` gets 503, and at most
/// `connections` connections are served at once (more wait in the kernel's backlog).
#[derive(Debug, Clone, Copy)]
pub struct ListenerLimits {
    pub header_read: Duration,
    pub request: Duration,
    pub connections: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration: {var} {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

fn problem(var: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        problem: problem.into(),
    }
}

/// The dev-only root secret. Production refuses it.
const DEV_SECRET_KEY: &str = "ersal-dev-secret-key-for-local-use-only-0000";
// In dev, Divar is played by the sandbox (crates/divar-sandbox) with the same credentials.
use kenar::dev::{IDENTIFICATION_KEY as DEV_IDENTIFICATION_KEY, SANDBOX_ADDR as DEV_SANDBOX_ADDR};
const MIN_SECRET_KEY_BYTES: usize = 32;
const DEV_IS_LOCAL: &str =
    "must be a loopback address in dev (dev secrets are public; set ERSAL_MODE=prod to serve users)";

/// A loopback address, `localhost`, or a name reserved to never resolve on the Internet
/// (`*.localhost`, `*.test`, RFC 6761).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => {
            name == "localhost" || name.ends_with(".localhost") || name.ends_with(".test")
        }
        None => false,
    }
}
const MIN_CREDENTIAL_BYTES: usize = 16;

/// A loopback or private address (RFC 1918, IPv6 unique local): never all interfaces, never a
/// public one.
fn is_internal(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(ip) => ip.is_loopback() || ip.is_private(),
        std::net::IpAddr::V6(ip) => ip.is_loopback() || (ip.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// The waits for a database connection a chat message's attempt may have once its claim is
/// renewed: the renewal itself, the token's read, a refreshed token's write, the outcome's record.
pub const ATTEMPT_DB_WAITS: u64 = 4;

/// What an attempt may take besides those waits: a token refresh (10 s, `oauth`), a send (the
/// Kenar client's 5 s, `state`), SQLite's busy wait (5 s) and 5 s to spare.
pub const ATTEMPT_SECS_BEYOND_DB_WAITS: u64 = 25;

/// Whether a secret is too weak for prod: shorter than `min` bytes, or the public dev value.
fn is_weak(value: &str, dev_default: &str, min: usize) -> bool {
    value.len() < min || value == dev_default
}

/// Variable `name` as a whole number in `range` (of `unit`, for the message), or `default`
/// when unset.
fn whole_number<T>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
    unit: &str,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    let Some(raw) = get(name) else {
        return Ok(default);
    };
    raw.parse()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            let (low, high) = (range.start(), range.end());
            problem(
                name,
                format!("must be a whole number{unit} from {low} to {high}"),
            )
        })
}

fn secret_id(raw: &str) -> Option<u8> {
    raw.trim().parse().ok().filter(|id| *id >= 1)
}

/// `id:secret` pairs, comma-separated: each id from 1 to 255, different from `current` and
/// from each other; in prod each secret as strong as the current one must be.
fn previous_secrets(raw: &str, current: u8, dev: bool) -> Result<Vec<RootSecret>, String> {
    let mut previous: Vec<RootSecret> = Vec::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (id, secret) = pair
            .split_once(':')
            .ok_or("must be `id:secret` pairs separated by commas")?;
        let id = secret_id(id).ok_or("ids must be whole numbers from 1 to 255")?;
        let secret = secret.trim();
        if id == current || previous.iter().any(|p| p.id == id) {
            return Err(format!("repeats the id {id}; each secret needs its own"));
        }
        if !dev && is_weak(secret, DEV_SECRET_KEY, MIN_SECRET_KEY_BYTES) {
            return Err(format!(
                "secret {id} must be at least {MIN_SECRET_KEY_BYTES} bytes and not the dev default"
            ));
        }
        previous.push(RootSecret {
            id,
            secret: SecretString::from(secret.to_owned()),
        });
    }
    Ok(previous)
}

impl Config {
    /// Loads `.env` (if present; real environment variables win) and then the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is reported by the values it leaves unset.
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable lookup (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mode = match get("ERSAL_MODE").as_deref() {
            Some("dev") => Mode::Dev,
            None | Some("prod") => Mode::Prod,
            Some(_) => return Err(problem("ERSAL_MODE", "must be `dev` or `prod`")),
        };
        let dev = mode == Mode::Dev;
        // In dev a missing value takes its default; in prod it is an error.
        let required = |name: &'static str, dev_default: &str| -> Result<String, ConfigError> {
            match get(name) {
                Some(v) => Ok(v),
                None if dev => Ok(dev_default.to_owned()),
                None => Err(problem(name, "is required in prod")),
            }
        };
        let secret = |name: &'static str,
                      dev_default: &str,
                      min: usize|
         -> Result<SecretString, ConfigError> {
            let value = required(name, dev_default)?;
            if !dev && is_weak(&value, dev_default, min) {
                return Err(problem(
                    name,
                    format!("must be at least {min} bytes and not the dev default"),
                ));
            }
            Ok(SecretString::from(value))
        };
        let sandbox_addr = match (dev, get("DIVAR_SANDBOX_ADDR")) {
            (true, raw) => Some(
                raw.as_deref()
                    .unwrap_or(DEV_SANDBOX_ADDR)
                    .parse::<SocketAddr>()
                    .map_err(|_| {
                        problem(
                            "DIVAR_SANDBOX_ADDR",
                            "must be an address such as 127.0.0.1:3100",
                        )
                    })?,
            ),
            (false, None) => None,
            (false, Some(_)) => {
                return Err(problem("DIVAR_SANDBOX_ADDR", "must not be set in prod"))
            }
        };
        let metrics_addr = get("ERSAL_METRICS_ADDR")
            .map(|raw| {
                raw.parse::<SocketAddr>().map_err(|_| {
                    problem(
                        "ERSAL_METRICS_ADDR",
                        "must be an address such as 127.0.0.1:9464",
                    )
                })
            })
            .transpose()?;
        if dev && metrics_addr.is_some_and(|addr| !addr.ip().is_loopback()) {
            return Err(problem("ERSAL_METRICS_ADDR", DEV_IS_LOCAL));
        }
        if metrics_addr.is_some_and(|addr| !is_internal(addr.ip())) {
            return Err(problem(
                "ERSAL_METRICS_ADDR",
                "must be a loopback or private address (the metrics have no authentication)",
            ));
        }
        let sandbox_origin = sandbox_addr.map(|addr| format!("http://{addr}"));
        // Divar's real endpoints in prod; the sandbox's in dev.
        let divar = |real: &str, sandbox_path: &str| match &sandbox_origin {
            Some(origin) => format!("{origin}{sandbox_path}"),
            None => real.to_owned(),
        };
        let url = |name: &'static str, default: &str| -> Result<Url, ConfigError> {
            let raw = get(name).unwrap_or_else(|| default.to_owned());
            let url = Url::parse(&raw).map_err(|_| problem(name, "must be an absolute URL"))?;
            if !dev && url.scheme() != "https" {
                return Err(problem(name, "must be https in prod"));
            }
            Ok(url)
        };
        let seconds = |name, default, range| {
            whole_number(&get, name, default, range, " of seconds").map(Duration::from_secs)
        };
        let db_pool = PoolLimits {
            max_connections: whole_number(&get, "ERSAL_DB_MAX_CONNECTIONS", 10, 1..=1000, "")?,
            acquire_timeout: seconds("ERSAL_DB_ACQUIRE_TIMEOUT_SECS", 5, 1..=60)?,
        };
        let outbox_lease = seconds("ERSAL_OUTBOX_LEASE_SECS", 120, 1..=3600)?;
        let webhooks = WebhookLimits::parse(&get, dev)?;
        let shortest = (ATTEMPT_DB_WAITS * db_pool.acquire_timeout.as_secs()
            + ATTEMPT_SECS_BEYOND_DB_WAITS)
            .max(webhooks.longest_try_secs(db_pool.acquire_timeout));
        if outbox_lease.as_secs() < shortest {
            return Err(problem(
                "ERSAL_OUTBOX_LEASE_SECS",
                format!("must be at least {shortest}: a chat message's try may wait {ATTEMPT_DB_WAITS} times ERSAL_DB_ACQUIRE_TIMEOUT_SECS for the database, plus {ATTEMPT_SECS_BEYOND_DB_WAITS} s; a webhook's {WEBHOOK_DB_WAITS} times, plus ERSAL_WEBHOOK_TIMEOUT_SECS and 5 s"),
            ));
        }

        let public_base_url = match get("ERSAL_PUBLIC_URL") {
            Some(_) => url("ERSAL_PUBLIC_URL", "")?,
            None if dev => Url::parse(kenar::dev::APP_URL).expect("valid literal"),
            None => return Err(problem("ERSAL_PUBLIC_URL", "is required in prod")),
        };
        if public_base_url.cannot_be_a_base() || public_base_url.query().is_some() {
            return Err(problem(
                "ERSAL_PUBLIC_URL",
                "must be an origin, optionally with a path",
            ));
        }
        if dev && !is_loopback(&public_base_url) {
            return Err(problem("ERSAL_PUBLIC_URL", DEV_IS_LOCAL));
        }

        let identification_keys = required("DIVAR_IDENTIFICATION_KEYS", DEV_IDENTIFICATION_KEY)?
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| {
                if !dev && is_weak(k, DEV_IDENTIFICATION_KEY, MIN_CREDENTIAL_BYTES) {
                    Err(problem(
                        "DIVAR_IDENTIFICATION_KEYS",
                        format!("each key must be at least {MIN_CREDENTIAL_BYTES} bytes and not the dev default"),
                    ))
                } else {
                    Ok(SecretString::from(k.to_owned()))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if identification_keys.is_empty() {
            return Err(problem(
                "DIVAR_IDENTIFICATION_KEYS",
                "needs at least one key",
            ));
        }

        let secret_key = RootSecret {
            id: whole_number(&get, "ERSAL_SECRET_KEY_ID", 1, 1..=255, "")?,
            secret: secret("ERSAL_SECRET_KEY", DEV_SECRET_KEY, MIN_SECRET_KEY_BYTES)?,
        };
        let previous_secret_keys = previous_secrets(
            &get("ERSAL_PREVIOUS_SECRET_KEYS").unwrap_or_default(),
            secret_key.id,
            dev,
        )
        .map_err(|p| problem("ERSAL_PREVIOUS_SECRET_KEYS", p))?;

        Ok(Self {
            mode,
            public_base_url,
            database_url: get("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/ersal.db".to_owned()),
            db_pool,
            outbox_lease,
            migrate_on_start: match get("ERSAL_MIGRATE").as_deref() {
                None | Some("on-start") => true,
                Some("manual") => false,
                Some(_) => return Err(problem("ERSAL_MIGRATE", "must be `on-start` or `manual`")),
            },
            identification_keys,
            kenar_app_slug: match required("KENAR_APP_SLUG", kenar::dev::APP_SLUG)? {
                slug if !dev && slug == kenar::dev::APP_SLUG => {
                    return Err(problem("KENAR_APP_SLUG", "must not be the dev app's slug"))
                }
                slug => slug,
            },
            kenar_api_key: secret("KENAR_API_KEY", kenar::dev::API_KEY, MIN_CREDENTIAL_BYTES)?,
            oauth_client_secret: secret(
                "KENAR_OAUTH_CLIENT_SECRET",
                kenar::dev::CLIENT_SECRET,
                MIN_CREDENTIAL_BYTES,
            )?,
            kenar_api_base_url: url(
                "KENAR_API_BASE_URL",
                &divar("https://open-api.divar.ir", ""),
            )?,
            oauth_base_url: url("KENAR_OAUTH_BASE_URL", &divar("https://oauth.divar.ir", ""))?,
            completion_url: url(
                "DIVAR_COMPLETION_URL",
                &divar(kenar::ret::DIVAR_COMPLETION_URL, "/completion"),
            )?,
            secret_key,
            previous_secret_keys,
            landing_ttl: seconds("ERSAL_LANDING_TTL_SECS", 30 * 60, 60..=24 * 3600)?,
            session_idle: seconds("ERSAL_SESSION_IDLE_SECS", 15 * 60, 60..=24 * 3600)?,
            sandbox_addr,
            tariff_file: PathBuf::from(
                get("ERSAL_TARIFF_FILE").unwrap_or_else(|| "config/tariff.toml".to_owned()),
            ),
            retention_days: whole_number(&get, "ERSAL_RETENTION_DAYS", 30, 1..=3650, " of days")?,
            support_retention_days: whole_number(
                &get,
                "ERSAL_SUPPORT_RETENTION_DAYS",
                30,
                1..=3650,
                " of days",
            )?,
            trusted_proxies: TrustedProxies::parse(
                &get("ERSAL_TRUSTED_PROXIES").unwrap_or_default(),
                &get("ERSAL_CLIENT_ADDRESS_HEADER").unwrap_or_else(|| DEFAULT_HEADER.to_owned()),
            )
            .map_err(|p| problem("ERSAL_TRUSTED_PROXIES or ERSAL_CLIENT_ADDRESS_HEADER", p))?,
            oauth_pkce: match get("KENAR_OAUTH_PKCE").as_deref() {
                None | Some("off") => false,
                Some("on") => true,
                Some(_) => return Err(problem("KENAR_OAUTH_PKCE", "must be `on` or `off`")),
            },
            prefill_budget: Duration::from_millis(whole_number(
                &get,
                "ERSAL_PREFILL_MS",
                300,
                50..=5000,
                " of milliseconds",
            )?),
            divar_calls: (
                whole_number(
                    &get,
                    "ERSAL_DIVAR_CALLS_PER_MINUTE",
                    300,
                    10..=1_000_000,
                    "",
                )?,
                whole_number(
                    &get,
                    "ERSAL_DIVAR_CALLS_PER_DAY",
                    20_000,
                    100..=100_000_000,
                    "",
                )?,
            ),
            contact: Contact::parse(&get, &required)?,
            assistant: AssistantLimits::parse(&get)?,
            webhooks,
            rate_limits: RateLimits::parse(&get("ERSAL_RATE_LIMITS").unwrap_or_default())
                .map_err(|p| problem("ERSAL_RATE_LIMITS", p))?,
            listener: ListenerLimits {
                header_read: seconds("ERSAL_HEADER_READ_SECS", 10, 1..=300)?,
                request: seconds("ERSAL_REQUEST_TIMEOUT_SECS", 30, 1..=600)?,
                connections: whole_number(&get, "ERSAL_MAX_CONNECTIONS", 1024, 1..=100_000, "")?,
            },
            metrics_addr,
        })
    }
}

mod accessors;
mod assistant;
mod contact;
mod webhooks;

pub use assistant::AssistantLimits;
pub use contact::{Contact, Processor, SupportHours};
pub use webhooks::{Addresses, WebhookLimits, WEBHOOK_DB_WAITS};
#[cfg(test)]
mod tests;
