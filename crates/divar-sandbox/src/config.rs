//! What the sandbox is configured with: the app it stands in front of, the app's credentials,
//! and the refusals of a configuration it never runs with.

use std::net::SocketAddr;

use kenar::dev;

/// What the sandbox needs to know about the app it stands in front of.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The sandbox's own origin, e.g. `http://127.0.0.1:3100`.
    pub origin: String,
    /// The app's Session Initialization URL.
    pub init_url: String,
    /// The app's events URL (the support bot's messages, users' revocations).
    pub events_url: String,
    /// The app's Fallback URL (the `MY_POST` entry opens it with `post_token`).
    pub fallback_url: String,
    /// The app's dynamic-action URL (the bot's `get_dynamic_action` buttons).
    pub dynamic_action_url: String,
    /// The Divar identification key sent in `Authorization` on init calls.
    pub identification_key: String,
    pub app_slug: String,
    pub api_key: String,
    pub client_secret: String,
    /// The OAuth redirect URIs registered for the app.
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the Divar sandbox never runs with ERSAL_MODE=prod")]
    Production,
    #[error("the sandbox address must be a loopback address")]
    NotLoopback,
}

/// The app's credentials, as Divar's panel holds them.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub identification_key: String,
    pub app_slug: String,
    pub api_key: String,
    pub client_secret: String,
}

impl Credentials {
    /// The development app's.
    pub fn dev() -> Self {
        Self {
            identification_key: dev::IDENTIFICATION_KEY.to_owned(),
            app_slug: dev::APP_SLUG.to_owned(),
            api_key: dev::API_KEY.to_owned(),
            client_secret: dev::CLIENT_SECRET.to_owned(),
        }
    }
}

impl SandboxConfig {
    /// The sandbox on `origin` in front of the app at `app_url` (its init URL and OAuth
    /// callback are the app's registered ones).
    pub fn for_app(origin: &str, app_url: &str, credentials: Credentials) -> Self {
        let app = app_url.trim_end_matches('/');
        Self {
            origin: origin.trim_end_matches('/').to_owned(),
            init_url: format!("{app}/divar/init"),
            events_url: format!("{app}/divar/events"),
            dynamic_action_url: format!("{app}/divar/action"),
            fallback_url: format!("{app}/divar/fallback"),
            identification_key: credentials.identification_key,
            app_slug: credentials.app_slug,
            api_key: credentials.api_key,
            client_secret: credentials.client_secret,
            redirect_uris: vec![format!("{app}/oauth/callback")],
        }
    }

    /// From the environment, with the development defaults. It reads the variables the app
    /// reads (so one environment configures both): `DIVAR_SANDBOX_ADDR`, `ERSAL_PUBLIC_URL`,
    /// the first of `DIVAR_IDENTIFICATION_KEYS`, `KENAR_APP_SLUG`, `KENAR_API_KEY` and
    /// `KENAR_OAUTH_CLIENT_SECRET`. Refuses `ERSAL_MODE=prod` and a non-loopback address.
    pub fn from_env() -> Result<(Self, SocketAddr), SandboxError> {
        let get = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        // Anything but development (unset or `dev`) is refused, whatever its spelling.
        if get("ERSAL_MODE").is_some_and(|mode| mode != "dev") {
            return Err(SandboxError::Production);
        }
        let addr: SocketAddr = get("DIVAR_SANDBOX_ADDR")
            .as_deref()
            .unwrap_or(dev::SANDBOX_ADDR)
            .parse()
            .map_err(|_| SandboxError::NotLoopback)?;
        let app_url = get("ERSAL_PUBLIC_URL").unwrap_or_else(|| dev::APP_URL.to_owned());
        let mut credentials = Credentials::dev();
        if let Some(keys) = get("DIVAR_IDENTIFICATION_KEYS") {
            credentials.identification_key =
                keys.split(',').next().unwrap_or_default().trim().to_owned();
        }
        for (name, field) in [
            ("KENAR_APP_SLUG", &mut credentials.app_slug),
            ("KENAR_API_KEY", &mut credentials.api_key),
            ("KENAR_OAUTH_CLIENT_SECRET", &mut credentials.client_secret),
        ] {
            if let Some(value) = get(name) {
                *field = value;
            }
        }
        let config = Self::for_app(&format!("http://{addr}"), &app_url, credentials);
        Ok((config, addr))
    }
}
