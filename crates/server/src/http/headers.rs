//! The headers of Divar's security checklist on every response.
//!
//! * **Content-Security-Policy.** Each request gets a fresh random nonce ([`CspNonce`], in the
//!   request's extensions). An HTML response is sent with [`Policy::for_page`]: scripts only from
//!   our origin or carrying that nonce (the Leptos shells read it from the request and give it to
//!   Leptos, which writes it on the hydration script and every inline data script), WebAssembly
//!   allowed to compile, no inline script or `eval`; forms may only go to Ersal and to Divar
//!   (its OAuth consent page, the completion page and `*.divar.ir` return addresses, because
//!   browsers apply `form-action` to the redirects after a form is posted too); no framing, no
//!   plugins, no `<base>`. Any other response gets [`NOT_A_PAGE`], which allows nothing.
//! * `Strict-Transport-Security` in production only (dev serves plain HTTP on loopback);
//!   `Referrer-Policy: no-referrer`, `X-Content-Type-Options: nosniff` and
//!   `X-Frame-Options: DENY` everywhere.
//!
//! Request ids are [`super::request_log`]'s.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use http::{header, HeaderValue};
use sha2::{Digest, Sha256};

use crate::config::Config;

/// The CSP of every response that is not an HTML page (JSON answers, redirects, assets): nothing
/// may load, run or frame it.
pub const NOT_A_PAGE: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Where the nonce goes in the page policy while it is built (never in a policy itself).
const NONCE: &str = "\u{0}";

/// Divar's own sites, where a form's redirect may lead (the return addresses Ersal accepts are
/// `https` on `divar.ir` or a subdomain; see `kenar::ret`).
const DIVAR_SITES: [&str; 2] = ["https://divar.ir", "https://*.divar.ir"];

/// This response's CSP nonce: 128 random bits, base64url.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspNonce(Arc<str>);

impl CspNonce {
    fn random() -> Self {
        Self(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()).into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The policy of one deployment (its Divar origins and its mode).
#[derive(Clone, Debug)]
pub struct Policy {
    /// The CSP of an HTML page, built once and cut where each response's nonce goes.
    page: Vec<String>,
    hsts: bool,
}

impl Policy {
    pub fn new(config: &Config) -> Self {
        let divar = [&config.oauth_base_url, &config.completion_url]
            .into_iter()
            .map(|url| url.origin())
            .filter(url::Origin::is_tuple)
            .map(|origin| origin.ascii_serialization())
            .chain(DIVAR_SITES.map(str::to_owned));
        let mut form_action = String::new();
        for source in divar {
            if !form_action.split(' ').any(|s| s == source) {
                form_action.push(' ');
                form_action.push_str(&source);
            }
        }
        // `cargo leptos watch` reloads the page over a WebSocket on its own port.
        let connect = if config.is_dev() {
            "'self' ws://127.0.0.1:* ws://localhost:*"
        } else {
            "'self'"
        };
        let page = format!(
            "default-src 'self'; \
             script-src 'self' 'nonce-{NONCE}' 'wasm-unsafe-eval'; \
             style-src 'self' 'nonce-{NONCE}' '{page_style}'; \
             img-src 'self' data:; \
             font-src 'self'; \
             connect-src {connect}; \
             form-action 'self'{form_action}; \
             frame-ancestors 'none'; \
             object-src 'none'; \
             base-uri 'none'",
            page_style = dead_end_style(),
        );
        Self {
            page: page.split(NONCE).map(str::to_owned).collect(),
            hsts: !config.is_dev(),
        }
    }

    /// The CSP of an HTML page whose scripts carry `nonce`.
    pub fn for_page(&self, nonce: &CspNonce) -> String {
        self.page.join(nonce.as_str())
    }
}

/// The hash source of the inline `<style>` of the plain handlers' dead-end pages
/// ([`crate::page`]), which cannot carry the nonce.
fn dead_end_style() -> String {
    format!(
        "sha256-{}",
        STANDARD.encode(Sha256::digest(crate::page::STYLE.as_bytes()))
    )
}

/// The middleware: a nonce for the request, the security headers on the response.
pub async fn security_headers(
    State(policy): State<Arc<Policy>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = CspNonce::random();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("text/html"));
    let csp = if is_page {
        HeaderValue::from_str(&policy.for_page(&nonce)).expect("the policy is ASCII")
    } else {
        HeaderValue::from_static(NOT_A_PAGE)
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    fixed_headers(headers, policy.hsts);
    response
}

/// The headers of every answer to a machine (Divar's servers, probes): JSON or nothing, never
/// a page, never stored; `hsts` in production.
pub fn for_machines(hsts: bool) -> impl Fn(Response) -> Response + Clone {
    move |mut response| {
        let headers = response.headers_mut();
        // Room for all of them (and the request id) at once, rather than growing step by step.
        headers.reserve(10);
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NOT_A_PAGE),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        fixed_headers(headers, hsts);
        response
    }
}

/// The headers every response carries whatever it is.
fn fixed_headers(headers: &mut http::HeaderMap, hsts: bool) {
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Config {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .expect("config")
    }

    #[test]
    fn the_dead_end_pages_style_is_the_one_allowed() {
        let page = crate::page::message(http::StatusCode::GONE, "t", "b", None);
        let html = futures_body(page);
        let style = html
            .split("<style>")
            .nth(1)
            .and_then(|rest| rest.split("</style>").next())
            .expect("an inline style");
        let hash = STANDARD.encode(Sha256::digest(style.as_bytes()));
        assert_eq!(dead_end_style(), format!("sha256-{hash}"));
    }

    fn futures_body(response: Response) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = runtime
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn pages_allow_scripts_by_nonce_and_forms_to_divar_only() {
        let policy = Policy::new(&config(&[("ERSAL_MODE", "dev")]));
        let nonce = CspNonce::random();
        let csp = policy.for_page(&nonce);
        assert!(csp.contains(&format!(
            "script-src 'self' 'nonce-{}' 'wasm-unsafe-eval';",
            nonce.as_str()
        )));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
        // The sandbox's OAuth and completion pages share one origin in dev.
        assert!(csp.contains(
            "form-action 'self' http://127.0.0.1:3100 https://divar.ir https://*.divar.ir;"
        ));
        for directive in [
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{directive}");
        }
        assert_ne!(CspNonce::random(), nonce);
        assert_eq!(nonce.as_str().len(), 22);
    }
}
