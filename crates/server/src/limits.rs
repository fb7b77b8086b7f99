//! Per-address rate limits on the anonymous paths, counted by `governor` (GCRA, one bucket per
//! client address and class of path). Divar's own calls (`/divar/init`) and the health checks
//! never reach this layer (they have a stack of their own, [`crate::http::layered`]): Divar's servers
//! share few addresses, and starving them would take Ersal down for everyone. Nor are the hashed
//! assets limited. A request whose client address is unknown
//! ([`crate::address`]) passes. The counts live in this process: with several instances each
//! one counts on its own.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::{header, HeaderValue, StatusCode};

use crate::address::ClientAddress;

/// The kinds of path that share a budget: the route table's ([`domain::routes`]).
pub use domain::routes::Budget as Class;

const CLASSES: [(Class, &str, u32); 6] = [
    (Class::Fallback, "fallback", 30),
    (Class::Landing, "landing", 120),
    (Class::Login, "login", 10),
    (Class::Functions, "functions", 300),
    (Class::Pages, "pages", 600),
    (Class::Api, "api", 600),
];

/// The class of `path`, or `None` where no per-address limit applies.
pub fn class_of(path: &str) -> Option<Class> {
    if path == "/favicon.ico" || path.starts_with("/pkg/") || path.starts_with("/fonts/") {
        return None;
    }
    domain::routes::budget_of(path)
}

/// Requests per minute and address for each class (`ERSAL_RATE_LIMITS`); a full minute's
/// worth may come at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits([NonZeroU32; CLASSES.len()]);

impl Default for RateLimits {
    fn default() -> Self {
        Self(CLASSES.map(|(_, _, per_minute)| NonZeroU32::new(per_minute).expect("non-zero")))
    }
}

impl RateLimits {
    /// Reads `class=per_minute` pairs (`fallback=30,login=10`) over the defaults.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut limits = Self::default();
        for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` is not class=per_minute"))?;
            let index = CLASSES
                .iter()
                .position(|(_, known, _)| *known == name.trim())
                .ok_or_else(|| {
                    let known: Vec<_> = CLASSES.iter().map(|(_, known, _)| *known).collect();
                    format!("`{}` is not one of {}", name.trim(), known.join(", "))
                })?;
            limits.0[index] = value
                .trim()
                .parse()
                .ok()
                .filter(|n: &NonZeroU32| n.get() <= 1_000_000)
                .ok_or_else(|| format!("`{pair}` needs a whole number from 1 to 1000000"))?;
        }
        Ok(limits)
    }

    /// `fallback=30,landing=120,…`, for the start-up summary.
    pub fn summary(&self) -> String {
        CLASSES
            .iter()
            .zip(self.0)
            .map(|((_, name, _), n)| format!("{name}={n}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// One keyed limiter per class, and one per API token (the `api` budget again, so that one
/// company system cannot spend what the others need, whatever its addresses).
pub struct Limiters {
    limiters: Vec<DefaultKeyedRateLimiter<IpAddr>>,
    tokens: DefaultKeyedRateLimiter<i64>,
}

impl Limiters {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limiters: limits
                .0
                .iter()
                .map(|&per_minute| RateLimiter::dashmap(Quota::per_minute(per_minute)))
                .collect(),
            tokens: RateLimiter::dashmap(Quota::per_minute(limits.0[Class::Api as usize])),
        }
    }

    /// `Err(wait)` when the API token `token` has used up its budget.
    pub fn check_token(&self, token: i64) -> Result<(), std::time::Duration> {
        self.tokens
            .check_key(&token)
            .map_err(|not_until| not_until.wait_time_from(self.tokens.clock().now()))
    }

    /// `Err(wait)` when `client` has used up `class`'s budget.
    pub fn check(&self, class: Class, client: IpAddr) -> Result<(), std::time::Duration> {
        // `CLASSES` lists the classes in their declaration order.
        let limiter = &self.limiters[class as usize];
        limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }

    /// Forgets the addresses whose budget is full again, so the tables hold only recent
    /// clients (housekeeping calls this).
    pub fn forget_idle(&self) {
        for limiter in &self.limiters {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.tokens.retain_recent();
        self.tokens.shrink_to_fit();
    }
}

/// Answers 429, with `Retry-After`, a request whose address has used up its class's budget.
pub async fn limit(
    State(limiters): State<std::sync::Arc<Limiters>>,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ClientAddress>()
        .and_then(|ClientAddress(address)| *address);
    let Some((class, client)) = class_of(request.uri().path()).zip(client) else {
        return next.run(request).await;
    };
    match limiters.check(class, client) {
        Ok(()) => next.run(request).await,
        Err(wait) if class == Class::Api => crate::problem::Problem::too_many(wait).into_response(),
        Err(wait) => too_many(wait),
    }
}

fn too_many(wait: std::time::Duration) -> Response {
    let seconds = crate::problem::retry_after_secs(wait);
    let mut response = crate::page::message(
        StatusCode::TOO_MANY_REQUESTS,
        "درخواست‌ها بیش از اندازه است",
        &format!(
            "از این نشانی در چند لحظهٔ گذشته درخواست‌های زیادی رسید. {} ثانیهٔ دیگر دوباره امتحان کنید؛ چیزی از دست نرفته است.",
            domain::text::persian_digits(&seconds.to_string())
        ),
        None,
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classes_are_listed_in_their_order() {
        for (index, (class, _, _)) in CLASSES.iter().enumerate() {
            assert_eq!(*class as usize, index);
        }
    }

    #[test]
    fn paths_fall_into_their_classes() {
        assert_eq!(class_of("/favicon.ico"), None);
        assert_eq!(class_of("/pkg/ersal.abc.wasm"), None);
        assert_eq!(class_of("/divar/fallback"), Some(Class::Fallback));
        assert_eq!(class_of("/offer/add"), Some(Class::Fallback));
        assert_eq!(class_of("/l/abc"), Some(Class::Landing));
        assert_eq!(class_of("/api/console/login"), Some(Class::Login));
        assert_eq!(class_of("/api/flow/quote"), Some(Class::Functions));
        assert_eq!(class_of("/request"), Some(Class::Pages));
    }

    #[test]
    fn limits_are_read_over_the_defaults_and_bad_ones_named() {
        let limits = RateLimits::parse("login=3, pages=1000").unwrap();
        assert_eq!(
            limits.summary(),
            "fallback=30,landing=120,login=3,functions=300,pages=1000,api=600"
        );
        assert!(RateLimits::parse("login=0").is_err());
        assert!(RateLimits::parse("logins=3").is_err());
        assert!(RateLimits::parse("login").is_err());
    }

    #[test]
    fn each_address_has_its_own_budget_per_class() {
        let limiters = Limiters::new(RateLimits::parse("login=2").unwrap());
        let (a, b) = (
            "198.51.100.1".parse().unwrap(),
            "198.51.100.2".parse().unwrap(),
        );
        assert!(limiters.check(Class::Login, a).is_ok());
        assert!(limiters.check(Class::Login, a).is_ok());
        let wait = limiters.check(Class::Login, a).unwrap_err();
        assert!(wait.as_secs() <= 30, "one more login within half a minute");
        assert!(limiters.check(Class::Login, b).is_ok(), "another address");
        assert!(limiters.check(Class::Pages, a).is_ok(), "another class");
    }
}
