//! Every request's id, latency and log line, in one layer (Divar's init is the hot path: one
//! layer rather than four saves a future and a boxed route per request, and an id is written
//! once, on the answer).
//!
//! * **Request ids.** Each request gets a fresh random id, sent back as `x-request-id`. A
//!   caller's `x-request-id` is never taken as ours: it is removed from the request and logged
//!   beside ours ([`MAX_CALLER_ID`] printable ASCII characters at most).
//! * **The log.** One line for each answer an operator needs to see (every server error, every
//!   refusal, every slow answer), each with both ids, the route and the latency; nothing for a
//!   quick success, whose count and latency Prometheus has already. At the default level it
//!   formats nothing and opens no span. With `RUST_LOG=debug` each request runs inside a span
//!   carrying the same fields, so that the handlers' own lines carry the request id too.
//! * **Latency.** Where metrics are served, each answer's latency is recorded
//!   ([`crate::telemetry::latency`]).
//!
//! Only the matched route is logged (`/l/{id}`, never the id), or an unmatched path's first
//! segment; never a query string, header or body, so tokens and personal data stay out.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::response::Response;
use http::{HeaderName, HeaderValue, Method};
use tracing::instrument::{Instrument, Instrumented};

/// The header of request ids, ours on the answer and the caller's on the request.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest caller's request id that is logged (longer ones are cut).
pub const MAX_CALLER_ID: usize = 64;

/// An answer this slow is logged even when it succeeded.
pub const SLOW: Duration = Duration::from_millis(500);

/// A request id: 128 random bits in hex.
#[derive(Clone, Copy)]
struct RequestId([u8; 32]);

impl RequestId {
    fn fresh() -> Self {
        let mut id = [0u8; 32];
        // 16 bytes always fit 32 hex digits.
        let _ = hex::encode_to_slice(rand::random::<[u8; 16]>(), &mut id);
        Self(id)
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("-")
    }

    fn header(&self) -> Option<HeaderValue> {
        HeaderValue::from_bytes(&self.0).ok()
    }
}

/// The first [`MAX_CALLER_ID`] bytes of a caller's id, anything but printable ASCII as `?`.
fn caller_id(value: &HeaderValue) -> String {
    value
        .as_bytes()
        .iter()
        .take(MAX_CALLER_ID)
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect()
}

/// What the answer needs of the request, kept without formatting anything.
pub struct Seen {
    method: Method,
    route: Route,
    id: RequestId,
    /// The caller's own id, as sent (read only for a line).
    caller: Option<HeaderValue>,
}

impl Seen {
    /// What the answer needs of `request`, whose caller's id is taken out of its headers.
    fn of(request: &mut Request) -> Self {
        Self {
            method: request.method().clone(),
            route: match request.extensions().get::<MatchedPath>() {
                Some(matched) => Route::Matched(matched.clone()),
                None => Route::Unmatched(redact_path(request.uri().path())),
            },
            id: RequestId::fresh(),
            caller: request.headers_mut().remove(REQUEST_ID),
        }
    }

    fn route(&self) -> &str {
        match &self.route {
            Route::Matched(matched) => matched.as_str(),
            Route::Unmatched(redacted) => redacted,
        }
    }

    fn caller(&self) -> String {
        self.caller
            .as_ref()
            .map(caller_id)
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| "-".to_owned())
    }

    fn span(&self) -> tracing::Span {
        tracing::debug_span!(
            "http",
            method = %self.method,
            route = %self.route(),
            request_id = %self.id.as_str(),
            caller_request_id = %self.caller(),
        )
    }
}

/// The route a request took: matched (every route of ours), or a redacted path (static files,
/// 404s), made at once since it is rare.
enum Route {
    Matched(MatchedPath),
    Unmatched(String),
}

/// The layer. A plain tower service rather than a middleware function, which would box each
/// request's future.
#[derive(Clone, Copy)]
pub struct RequestLogLayer {
    /// Record each answer's latency (where metrics are served; nothing is recorded otherwise).
    pub timed: bool,
}

impl<S> tower::Layer<S> for RequestLogLayer {
    type Service = RequestLog<S>;

    fn layer(&self, inner: S) -> RequestLog<S> {
        RequestLog {
            inner,
            timed: self.timed,
        }
    }
}

#[derive(Clone)]
pub struct RequestLog<S> {
    inner: S,
    timed: bool,
}

impl<S> tower::Service<Request> for RequestLog<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Logged<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let started = Instant::now();
        let seen = Seen::of(&mut request);
        let span = if tracing::enabled!(tracing::Level::DEBUG) {
            seen.span()
        } else {
            tracing::Span::none()
        };
        Logged {
            answer: self.inner.call(request).instrument(span),
            seen,
            started,
            timed: self.timed,
        }
    }
}

pin_project_lite::pin_project! {
    /// An answer on its way, with what its id, latency and line need.
    pub struct Logged<F> {
        #[pin]
        answer: Instrumented<F>,
        seen: Seen,
        started: Instant,
        timed: bool,
    }
}

impl<F, E> Future for Logged<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut answer = ready!(this.answer.poll(cx));
        if let Ok(response) = &mut answer {
            let latency = this.started.elapsed();
            if let Some(id) = this.seen.id.header() {
                response.headers_mut().insert(REQUEST_ID, id);
            }
            if *this.timed {
                let route = match &this.seen.route {
                    Route::Matched(matched) => Some(matched.as_str()),
                    Route::Unmatched(_) => None,
                };
                crate::telemetry::record_latency(route, response.status(), latency);
            }
            answer_line(this.seen, response.status(), latency);
        }
        Poll::Ready(answer)
    }
}

/// Server errors as warnings, refusals and slow answers as information, else nothing.
fn answer_line(seen: &Seen, status: http::StatusCode, latency: Duration) {
    let kind = if status.is_server_error() {
        Kind::Error
    } else if status.is_client_error() {
        Kind::Refused
    } else if latency >= SLOW {
        Kind::Slow
    } else {
        return;
    };
    let status = status.as_u16();
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    let (method, route) = (seen.method.as_str(), seen.route());
    let (request_id, caller_request_id) = (seen.id.as_str(), seen.caller());
    match kind {
        Kind::Error => tracing::warn!(
            %method,
            %route,
            status,
            latency_ms,
            %request_id,
            %caller_request_id,
            "answered with an error"
        ),
        Kind::Refused => tracing::info!(
            %method,
            %route,
            status,
            latency_ms,
            %request_id,
            %caller_request_id,
            "refused"
        ),
        Kind::Slow => tracing::info!(
            %method,
            %route,
            status,
            latency_ms,
            %request_id,
            %caller_request_id,
            "slow answer"
        ),
    }
}

enum Kind {
    Error,
    Refused,
    Slow,
}

/// Unmatched paths (static files, 404s) are logged by their first segment only.
fn redact_path(path: &str) -> String {
    match path.trim_start_matches('/').split_once('/') {
        Some((first, _)) => format!("/{first}/…"),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callers_request_id_is_bounded_printable_and_taken_out() {
        let long = "a".repeat(500);
        assert_eq!(
            caller_id(&HeaderValue::from_str(&long).unwrap()).len(),
            MAX_CALLER_ID
        );
        let odd = HeaderValue::from_bytes(b"abc def\t\xffx").unwrap();
        assert_eq!(caller_id(&odd), "abc?def??x");

        let mut request = Request::get("/")
            .header("x-request-id", "theirs")
            .body(axum::body::Body::empty())
            .unwrap();
        let seen = Seen::of(&mut request);
        assert!(request.headers().get("x-request-id").is_none());
        assert_eq!(seen.caller(), "theirs");
        assert_ne!(seen.id.as_str(), Seen::of(&mut request).id.as_str());
        assert_eq!(Seen::of(&mut request).caller(), "-");
    }

    #[test]
    fn unmatched_paths_keep_only_their_first_segment() {
        assert_eq!(super::redact_path("/pkg/ersal.wasm"), "/pkg/…");
        assert_eq!(super::redact_path("/l/secret/more"), "/l/…");
        assert_eq!(super::redact_path("/favicon.ico"), "/favicon.ico");
    }
}
