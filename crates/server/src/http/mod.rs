//! The plain axum side of Ersal: the endpoints other parties call (Divar's init, the direct
//! link, the landing entry, the OAuth redirects, health, the operator API) and the layers every
//! response passes through.
//!
//! Each module has its own `router()`. Two stacks of layers:
//! * [`machines`]: what Divar's servers and load balancers call (`POST /divar/init`,
//!   `POST /divar/events`, the probes):
//!   JSON answers only, behind a lean stack (fixed headers; each handler bounds its own waits by
//!   the request timeout, which costs nothing when nothing waits). It has no per-address limits,
//!   no cookies, no pages, and is on Divar's hot path.
//! * [`routes`] and the Leptos pages, which [`layered`] wraps with everything a browser's request
//!   needs: request ids, tracing, the client's address, rate limits, the cross-site rule, the
//!   headers ([`headers`]: the Content-Security-Policy with its per-response nonce, HSTS, …),
//!   caching rules and compression.

pub mod api;
mod api_webhooks;
mod error;
mod events;
pub mod headers;
mod health;
mod init;
mod landing;
mod oauth;
mod offer;
mod request_log;

use axum::Router;
use http::{header, HeaderValue, StatusCode};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

pub use headers::CspNonce;
pub use init::MAX_BODY_BYTES;

use crate::state::AppState;

/// The plain routes browsers open, with their state applied.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .merge(landing::router())
        .merge(oauth::router())
        .merge(offer::router())
        .merge(api::router())
        .with_state(state)
}

/// The routes machines call (Divar's init, the probes), with their state applied and no layers.
pub fn machines(state: AppState) -> Router {
    Router::new()
        .merge(init::router())
        .merge(events::router())
        .merge(health::router())
        .with_state(state)
}

/// The whole app: [`machines`] behind their lean stack, `router` (the plain routes and the
/// pages) behind the browsers' stack, and around both one layer for request ids, the request
/// log and the latency metric ([`request_log`]).
pub fn layered(router: Router, state: &AppState) -> Router {
    let config = &state.config;
    // No timeout layer for machines: it would arm a timer per request. Init and the probes
    // bound their own waits (the body, the database) by the request timeout instead.
    let machine_stack = ServiceBuilder::new().map_response(headers::for_machines(!config.is_dev()));
    let browser_stack = ServiceBuilder::new()
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(headers::Policy::new(config)),
            headers::security_headers,
        ))
        .layer(axum::middleware::from_fn(cache_policy))
        // Inside the headers and caching layers, so that their answers (503, 429) get both.
        // 503, not 408: browsers may resend a request answered 408 on their own.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.listener.request,
        ))
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(config.trusted_proxies.clone()),
            crate::address::mark_client,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.limits.clone(),
            crate::limits::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::<str>::from(config.public_origin()),
            crate::origin::refuse_cross_site,
        ))
        // Pages and answers are compressed on the fly; precompressed assets pass untouched.
        .layer(CompressionLayer::new());
    machines(state.clone())
        .layer(machine_stack)
        .merge(router.layer(browser_stack))
        .layer(request_log::RequestLogLayer {
            timed: config.metrics_addr.is_some(),
        })
}

/// Caching: hashed assets (`/pkg/ersal.<hash>.*`) and versioned fonts are kept forever; a
/// route's response as the route table says ([`domain::routes::Cache`]: only public pages may
/// be kept, and revalidated); every other response is `no-store` unless its handler says
/// otherwise. So a page that shows a session or a person's data is never stored, even when
/// nobody thought about it.
async fn cache_policy(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let value = if response.status().is_success()
        && (is_hashed_asset(&path) || path.starts_with("/fonts/"))
    {
        "public, max-age=31536000, immutable"
    } else {
        domain::routes::Route::matching(&path).map_or("no-store", |route| route.cache().header())
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// `/pkg/ersal.C-J7roihDYQvDijjIyb4FA.wasm`: a file name with a content hash (cargo-leptos
/// writes it in URL-safe base64) before its extension(s).
fn is_hashed_asset(path: &str) -> bool {
    path.strip_prefix("/pkg/").is_some_and(|file| {
        file.split('.')
            .nth(1)
            .is_some_and(|hash| hash.len() >= 8 && store::crypto::is_url_safe(hash))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashed_assets_are_recognised() {
        assert!(super::is_hashed_asset("/pkg/ersal.3f9a8c1d2e4b5a6c.wasm"));
        assert!(super::is_hashed_asset("/pkg/ersal.3f9a8c1d2e4b5a6c.css.br"));
        // As cargo-leptos names them.
        assert!(super::is_hashed_asset(
            "/pkg/ersal.C-J7roihDYQvDijjIyb4FA.wasm"
        ));
        assert!(super::is_hashed_asset(
            "/pkg/ersal.uoRDjcaorsMlysjsxuw_Rw.js"
        ));
        assert!(!super::is_hashed_asset("/pkg/ersal.css"));
        assert!(!super::is_hashed_asset("/pkg/ersal.js"));
        assert!(!super::is_hashed_asset("/fonts/x.3f9a8c1d2e.woff2"));
    }
}
