//! What the rest of Ersal asks of a loaded [`Config`]: derived values, checks and the start-up
//! summary.

use std::net::SocketAddr;

use secrecy::ExposeSecret;

use super::{problem, Config, ConfigError, Mode, DEV_IS_LOCAL};

impl Config {
    /// How long a landing link stays valid, in seconds.
    pub fn landing_ttl_secs(&self) -> i64 {
        i64::try_from(self.landing_ttl.as_secs()).unwrap_or(i64::MAX)
    }

    pub fn is_dev(&self) -> bool {
        self.mode == Mode::Dev
    }

    /// Refuses to listen on anything but loopback in dev (`LEPTOS_SITE_ADDR`, `site-addr`), and
    /// metrics on the site's own port.
    pub fn check_listen_addr(&self, addr: SocketAddr) -> Result<(), ConfigError> {
        if self.is_dev() && !addr.ip().is_loopback() {
            return Err(problem("LEPTOS_SITE_ADDR", DEV_IS_LOCAL));
        }
        if self.metrics_addr.is_some_and(|m| m.port() == addr.port()) {
            return Err(problem(
                "ERSAL_METRICS_ADDR",
                "must not share the site's port: the metrics are never public",
            ));
        }
        Ok(())
    }

    /// The origin browsers name in `Origin` for Ersal's pages (`public_base_url` without its
    /// path).
    pub fn public_origin(&self) -> String {
        self.public_base_url.origin().ascii_serialization()
    }

    /// `public_base_url` joined with an absolute path such as `/l/abc`.
    pub fn public_url(&self, path: &str) -> String {
        format!(
            "{}{path}",
            self.public_base_url.as_str().trim_end_matches('/')
        )
    }

    /// A one-line summary for the start-up log: every non-secret value, and only the count of
    /// identification keys.
    pub fn summary(&self) -> String {
        format!(
            "mode={:?} public_url={} kenar_api={} oauth={} completion={} app_slug={} identification_keys={} landing_ttl={}s session_idle={}s sandbox={:?} tariff={} retention={}d support_retention={}d secret_key_id={} previous_secret_keys={:?} trusted_proxies={} rate_limits={} prefill={}ms support_hours={}-{} listener={:?} metrics={:?}",
            self.mode,
            self.public_base_url,
            self.kenar_api_base_url,
            self.oauth_base_url,
            self.completion_url,
            self.kenar_app_slug,
            self.identification_keys.len(),
            self.landing_ttl.as_secs(),
            self.session_idle.as_secs(),
            self.sandbox_addr,
            self.tariff_file.display(),
            self.retention_days,
            self.support_retention_days,
            self.secret_key.id,
            self.previous_secret_keys.iter().map(|p| p.id).collect::<Vec<_>>(),
            if self.trusted_proxies.is_empty() { "none" } else { "set" },
            self.rate_limits.summary(),
            self.prefill_budget.as_millis(),
            self.contact.hours.from,
            self.contact.hours.to,
            self.listener,
            self.metrics_addr,
        )
    }

    /// The configured identification keys, for the constant-time check in the init handler.
    pub fn identification_keys(&self) -> impl Iterator<Item = &[u8]> {
        self.identification_keys
            .iter()
            .map(|k| k.expose_secret().as_bytes())
    }
}
