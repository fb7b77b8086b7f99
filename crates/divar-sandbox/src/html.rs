//! The sandbox's pages: small, server-rendered, RTL, with their own inline style.

use axum::response::Html;

/// Text made safe for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

/// A page with the sandbox banner; `body` is trusted HTML built with [`escape`].
pub fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | دیوار (سندباکس)</title>
<style>
body {{ font-family: Tahoma, sans-serif; margin: 0; background: #f2f2f2; color: #222; line-height: 1.6; }}
header {{ background: #a62626; color: #fff; padding: .5rem 1rem; }}
header a {{ color: #fff; }}
main {{ max-width: 40rem; margin: 0 auto; padding: 1rem; }}
.box {{ background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: .75rem 1rem; margin-bottom: 1rem; }}
.msg {{ border-inline-start: 4px solid #a62626; }}
.error {{ background: #fde8e8; border-color: #e0a0a0; }}
button, .button {{ min-height: 44px; padding: .4rem 1rem; border-radius: 8px; border: 1px solid #a62626; background: #fff; color: #a62626; font: inherit; cursor: pointer; text-decoration: none; display: inline-block; }}
button.primary {{ background: #a62626; color: #fff; }}
form.inline {{ display: inline; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; direction: ltr; text-align: left; font-size: .8rem; }}
</style>
</head>
<body>
<header><a href="/">دیوار — سندباکس محلی</a> · <a href="/journal">ژورنال</a></header>
<main>
{body}
</main>
</body>
</html>"#,
        title = escape(title),
    ))
}
