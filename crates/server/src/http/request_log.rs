//! The request log: one line for each answer an operator needs to see (every server error,
//! every refusal, every slow answer), each with its request id, route and latency; nothing
//! for a quick success, whose count and latency Prometheus has already. Divar's init is the
//! hot path: at the default level it formats nothing and opens no span.
//!
//! Each request runs inside a `debug` span carrying the same fields, so that with
//! `RUST_LOG=debug` the handlers' own lines carry the request id too.
//!
//! Only the matched route is logged (`/l/{id}`, never the id), or an unmatched path's first
//! segment; never a query string, header or body, so tokens and personal data stay out.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::response::Response;
use http::Method;
use tracing::instrument::{Instrument, Instrumented};

use super::headers::{CallerRequestId, REQUEST_ID};

/// An answer this slow is logged even when it succeeded.
pub const SLOW: Duration = Duration::from_millis(500);

/// What the answer line needs of the request, kept without formatting anything.
pub struct Seen {
    method: Method,
    route: Route,
    request_id: Option<http::HeaderValue>,
    caller: Option<CallerRequestId>,
}

impl Seen {
    /// What the line needs of `request`; the caller's request id is taken out of its
    /// extensions (nothing else reads it), not copied.
    fn of(request: &mut Request) -> Self {
        Self {
            method: request.method().clone(),
            route: match request.extensions().get::<MatchedPath>() {
                Some(matched) => Route::Matched(matched.clone()),
                None => Route::Unmatched(redact_path(request.uri().path())),
            },
            request_id: request.headers().get(REQUEST_ID).cloned(),
            caller: request.extensions_mut().remove::<CallerRequestId>(),
        }
    }

    fn route(&self) -> &str {
        match &self.route {
            Route::Matched(matched) => matched.as_str(),
            Route::Unmatched(redacted) => redacted,
        }
    }

    fn request_id(&self) -> &str {
        self.request_id
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
    }

    fn caller(&self) -> &str {
        self.caller.as_ref().map_or("-", CallerRequestId::as_str)
    }

    fn span(&self) -> tracing::Span {
        tracing::debug_span!(
            "http",
            method = %self.method,
            route = %self.route(),
            request_id = %self.request_id(),
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

/// The layer: runs each request in its (debug) span and writes the answer line. A plain tower
/// service rather than a middleware function, which would box each request's future.
#[derive(Clone, Copy)]
pub struct RequestLogLayer;

impl<S> tower::Layer<S> for RequestLogLayer {
    type Service = RequestLog<S>;

    fn layer(&self, inner: S) -> RequestLog<S> {
        RequestLog(inner)
    }
}

#[derive(Clone)]
pub struct RequestLog<S>(S);

impl<S> tower::Service<Request> for RequestLog<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Logged<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let seen = Seen::of(&mut request);
        let span = if tracing::enabled!(tracing::Level::DEBUG) {
            seen.span()
        } else {
            tracing::Span::none()
        };
        Logged {
            answer: self.0.call(request).instrument(span),
            seen,
            started: Instant::now(),
        }
    }
}

pin_project_lite::pin_project! {
    /// An answer on its way, with what its line needs.
    pub struct Logged<F> {
        #[pin]
        answer: Instrumented<F>,
        seen: Seen,
        started: Instant,
    }
}

impl<F, E> Future for Logged<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = ready!(this.answer.poll(cx));
        if let Ok(response) = &answer {
            answer_line(this.seen, response.status(), this.started.elapsed());
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
    let (request_id, caller_request_id) = (seen.request_id(), seen.caller());
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
    #[test]
    fn unmatched_paths_keep_only_their_first_segment() {
        assert_eq!(super::redact_path("/pkg/ersal.wasm"), "/pkg/…");
        assert_eq!(super::redact_path("/l/secret/more"), "/l/…");
        assert_eq!(super::redact_path("/favicon.ico"), "/favicon.ico");
    }
}
