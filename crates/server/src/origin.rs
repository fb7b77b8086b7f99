//! Where a request says it comes from, as a browser tells it (`Origin`, then `Sec-Fetch-Site`),
//! and the rule every state change follows: nothing a browser sends from another site changes
//! anything. Under `Referrer-Policy: no-referrer` a plain form's POST carries `Origin: null`,
//! which says nothing, so `Sec-Fetch-Site` decides.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::routes::{Kind, Route};
use http::{HeaderMap, Method, StatusCode};

use crate::problem::{Kind as ProblemKind, Problem};

/// What the browser says about where a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// Our own pages.
    Ours,
    /// Another site.
    Foreign,
    /// Nothing: not a browser (Divar's servers, tools), or a browser too old to say.
    Unsaid,
}

/// Where `headers` say the request comes from, for Ersal served at origin `ours`
/// ([`crate::Config::public_origin`]).
pub fn sender(headers: &HeaderMap, ours: &str) -> Sender {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header(http::header::ORIGIN.as_str()).filter(|o| *o != "null") {
        return if origin == ours {
            Sender::Ours
        } else {
            Sender::Foreign
        };
    }
    match header("sec-fetch-site") {
        Some("same-origin") => Sender::Ours,
        Some("cross-site" | "same-site") => Sender::Foreign,
        _ => Sender::Unsaid,
    }
}

/// Refuses (403) every request but a read that a browser sent from another site, before it is
/// read. The users' forms also rely on their `SameSite=Lax` cookie; old browsers that say
/// nothing are let through, so that Divar's webview on an old phone keeps working.
pub async fn refuse_cross_site(
    State(ours): State<std::sync::Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    let reads = [Method::GET, Method::HEAD, Method::OPTIONS];
    if reads.contains(request.method()) || sender(request.headers(), &ours) != Sender::Foreign {
        return next.run(request).await;
    }
    // The operator API answers its callers in its one shape of error.
    let api = Route::matching(request.uri().path()).is_some_and(|r| r.kind() == Kind::Api);
    if api {
        let detail = "درخواستی که مرورگری از سایت دیگری فرستاده باشد پذیرفته نمی‌شود.";
        let mut problem = Problem::new(ProblemKind::Forbidden, detail);
        problem.title = "درخواست از سایت دیگر";
        return problem.into_response();
    }
    crate::page::message(
        StatusCode::FORBIDDEN,
        "این فرم پذیرفته نشد",
        "این فرم از صفحهٔ دیگری فرستاده شده بود و هیچ تغییری انجام نشد. از صفحهٔ «ارسال» در دیوار دوباره تلاش کنید.",
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&'static str, &'static str)]) -> Sender {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().unwrap());
        }
        sender(&headers, "https://ersal.example.ir")
    }

    #[test]
    fn the_origin_decides_unless_it_is_null() {
        assert_eq!(
            from(&[("origin", "https://ersal.example.ir")]),
            Sender::Ours
        );
        assert_eq!(from(&[("origin", "https://evil.example")]), Sender::Foreign);
        let null_then = |site| from(&[("origin", "null"), ("sec-fetch-site", site)]);
        assert_eq!(null_then("same-origin"), Sender::Ours);
        assert_eq!(null_then("cross-site"), Sender::Foreign);
        assert_eq!(null_then("same-site"), Sender::Foreign);
        assert_eq!(from(&[("origin", "null")]), Sender::Unsaid);
        assert_eq!(from(&[]), Sender::Unsaid);
    }
}
