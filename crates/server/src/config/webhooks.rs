//! How Ersal sends webhooks (docs/webhooks.md): how long it waits for an endpoint, and which
//! addresses an endpoint may have.

use std::time::Duration;

use super::{problem, whole_number, ConfigError};

/// Which addresses webhook endpoints may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addresses {
    /// `https` URLs whose names resolve only to public addresses, at registration and at every
    /// send (`ERSAL_WEBHOOK_ADDRESSES=public`; prod's only choice).
    Public,
    /// Any `http` or `https` URL, loopback and private networks included (`any`; dev only, for
    /// the sandbox's receiver).
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookLimits {
    /// How long one attempt may take, name resolution and connection included
    /// (`ERSAL_WEBHOOK_TIMEOUT_SECS`, 10 by default, at most 15 so an attempt fits in the
    /// outbox's lease).
    pub timeout: Duration,
    pub addresses: Addresses,
}

/// The waits for a database connection a webhook's try may have once its claim is renewed: the
/// endpoint, its secrets, the shipment, the log, the endpoint's health, turning it off.
pub const WEBHOOK_DB_WAITS: u64 = 6;

impl WebhookLimits {
    /// The longest a try may take with `acquire` the longest wait for a connection: the
    /// outbox's lease must outlast it.
    pub fn longest_try_secs(&self, acquire: Duration) -> u64 {
        WEBHOOK_DB_WAITS * acquire.as_secs() + self.timeout.as_secs() + 5
    }

    pub(super) fn parse(
        get: &impl Fn(&str) -> Option<String>,
        dev: bool,
    ) -> Result<Self, ConfigError> {
        let var = "ERSAL_WEBHOOK_ADDRESSES";
        let addresses = match get(var).as_deref() {
            None if dev => Addresses::Any,
            None | Some("public") => Addresses::Public,
            Some("any") if dev => Addresses::Any,
            Some("any") => return Err(problem(var, "may be `any` in dev only")),
            Some(_) => return Err(problem(var, "must be `public` or `any`")),
        };
        Ok(Self {
            timeout: Duration::from_secs(whole_number(
                get,
                "ERSAL_WEBHOOK_TIMEOUT_SECS",
                10,
                1..=15,
                " of seconds",
            )?),
            addresses,
        })
    }
}
