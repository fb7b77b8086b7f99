//! `ersal_http_request_duration_seconds`: every request's time from its arrival to its
//! response's head, recorded by the request layer ([`crate::http`]'s request log). It is on
//! Divar's hot path, so each series' handle is built once per thread (a route and a status
//! class), not once per request.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

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

/// Records an answer of `route` (`None`: a file or a 404) with `status`, `elapsed` after its
/// request arrived.
pub fn record_latency(route: Option<&str>, status: http::StatusCode, elapsed: Duration) {
    let route = route.unwrap_or(UNMATCHED);
    let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
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
