//! A small server-rendered Persian page for the answers made outside the Leptos apps: the plain
//! handlers' dead ends (an expired landing link, a malformed direct link), a rate limit's 429
//! and a failure's 503. It is the one exception to drawing pages with the Leptos shell, and
//! for a reason: these answers are made where no Leptos runtime runs (in a layer before the
//! router, or when the failure is the page itself), and must render even when the hashed
//! assets cannot be found. Self-contained (its few styles inline, the site font); it always
//! offers the way back to Divar.

use axum::response::{Html, IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};

/// The pages' inline style. The Content-Security-Policy allows exactly this text by its hash
/// (`super::headers`), so it stays a constant.
pub(crate) const STYLE: &str = r#"
@font-face { font-family: Vazirmatn; src: url("/fonts/vazirmatn-fa-400-v33.woff2") format("woff2"); font-display: swap; }
:root { color-scheme: light dark; --bg: #f5f5f5; --surface: #fff; --text: #1f1f1f; --accent: #a62626; --on-accent: #fff; }
@media (prefers-color-scheme: dark) { :root { --bg: #141414; --surface: #1f1f1f; --text: #f0f0f0; --accent: #e25c5c; --on-accent: #141414; } }
body { margin: 0; font-family: Vazirmatn, Tahoma, sans-serif; line-height: 1.7; background: var(--bg); color: var(--text); }
.page { max-width: 40rem; margin: 0 auto; padding: 1rem; }
.card { background: var(--surface); border-radius: 8px; padding: 1rem 1.25rem; }
h1 { font-size: 1.25rem; margin: 0 0 .75rem; }
form { margin: 0 0 1rem; }
button.button { border: 0; font: inherit; cursor: pointer; }
.button { display: inline-flex; align-items: center; min-height: 44px; padding: .5rem 1.25rem; border-radius: 8px; background: var(--accent); color: var(--on-accent); font-weight: 700; text-decoration: none; }
a:focus-visible { outline: 3px solid #1a57c9; outline-offset: 2px; }
"#;

/// A further step a dead-end page offers besides "back to Divar".
pub enum Offer<'a> {
    /// A link (GET).
    Link { href: &'a str, label: &'a str },
    /// A button posting an empty form to `action` (same origin, so the session cookie goes
    /// along and nothing changes on a GET).
    Post { action: &'a str, label: &'a str },
}

/// A full RTL page with a heading, one explanatory paragraph and a "back to Divar" link (when
/// the way back is known).
pub fn message(status: StatusCode, title: &str, body: &str, back_to: Option<&str>) -> Response {
    with_offers(status, title, body, back_to, &[])
}

/// [`message`] with further steps offered before the way back.
pub fn with_offers(
    status: StatusCode,
    title: &str,
    body: &str,
    back_to: Option<&str>,
    offers: &[Offer<'_>],
) -> Response {
    let offers: String = offers
        .iter()
        .map(|offer| match offer {
            Offer::Link { href, label } => format!(r#"<p><a class="button" href="{}">{}</a></p>"#, escape(href), escape(label)),
            Offer::Post { action, label } => format!(
                r#"<form method="post" action="{}"><button class="button" type="submit">{}</button></form>"#,
                escape(action),
                escape(label)
            ),
        })
        .collect();
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | ارسال</title>
<style>{style}</style>
</head>
<body>
<main class="page">
<section class="card" role="alert">
<h1>{title}</h1>
<p>{body}</p>
{offers}
{back}
</section>
</main>
</body>
</html>"#,
        style = STYLE,
        title = escape(title),
        body = escape(body),
        back = back_to.map_or_else(String::new, |href| format!(
            r#"<p><a class="button" href="{}">بازگشت به دیوار</a></p>"#,
            escape(href)
        )),
    );
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Text made safe for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_in_text_and_attributes() {
        assert_eq!(
            super::escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;"
        );
    }
}
