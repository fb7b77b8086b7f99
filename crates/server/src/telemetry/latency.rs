//! `ersal_http_request_duration_seconds`: the layer timing every request, from its arrival to
//! its response's head. It is on Divar's hot path, so it boxes nothing and builds each series'
//! handle once per thread (a route and a status class), not once per request.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::response::Response;
use metrics::{histogram, Histogram};

use super::HTTP_DURATION;

/// The `status` label of each class of status code, `1xx` to `5xx`.
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// The `route` label of files and 404s.
const UNMATCHED: &str = "unmatched";

thread_local! {
    /// Each route's handles by status class, made on their first use on this thread.
    static SERIES: RefCell<HashMap<Box<str>, [Option<Histogram>; 5]>> = RefCell::default();
}

fn record(route: &str, status: http::StatusCode, started: Instant) {
    let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
    let elapsed = started.elapsed();
    SERIES.with_borrow_mut(|series| {
        let classes = match series.get_mut(route) {
            Some(classes) => classes,
            None => series.entry(route.into()).or_default(),
        };
        classes[class]
            .get_or_insert_with(|| {
                histogram!(HTTP_DURATION, "route" => route.to_owned(), "status" => CLASSES[class])
            })
            .record(elapsed);
    });
}

/// Times every request of the service it wraps.
#[derive(Clone, Copy)]
pub struct LatencyLayer;

impl<S> tower::Layer<S> for LatencyLayer {
    type Service = Latency<S>;

    fn layer(&self, inner: S) -> Latency<S> {
        Latency(inner)
    }
}

#[derive(Clone)]
pub struct Latency<S>(S);

impl<S> tower::Service<Request> for Latency<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Timed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        Timed {
            route: request.extensions().get::<MatchedPath>().cloned(),
            started: Instant::now(),
            answer: self.0.call(request),
        }
    }
}

pin_project_lite::pin_project! {
    /// A response on its way, and when its request arrived.
    pub struct Timed<F> {
        #[pin]
        answer: F,
        route: Option<MatchedPath>,
        started: Instant,
    }
}

impl<F, E> Future for Timed<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = ready!(this.answer.poll(cx));
        if let Ok(response) = &answer {
            let route = this.route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
            record(route, response.status(), *this.started);
        }
        Poll::Ready(answer)
    }
}
