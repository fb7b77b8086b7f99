//! Post add-ons as Divar runs them (docs/kenar.md, “Post add-ons”): the create (an upsert, with
//! the API key and a Bearer token holding `POST_ADDON_CREATE.<token>`) and delete (API key only)
//! endpoints ([`crate::faults::router`] routes them, behind the faults), with the body's rules;
//! a post's page as a viewer sees it, with the app's widgets rendered and a tap on one sending
//! the `POST_ADDON` init; the seller's post-management page with the app's `MY_POST` entry (the
//! Fallback URL with `post_token`).
//!
//! As Divar does, an unknown post token is answered 200 and nothing happens.

use std::fmt::Write;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::access::{api_key_ok, granted_call};
use crate::errors::rpc_error;
use crate::events::send_init;
use crate::html::{escape, page};
use crate::message::{validate_action, Invalid};
use crate::state::{self, Sandbox, POSTS, USERS};

pub fn router() -> Router<Sandbox> {
    Router::new()
        .route("/post/{token}", get(post_page))
        .route("/post/{token}/manage", get(manage_page))
        .route("/post/{token}/tap", post(tap))
}

/// The widget texts' limits (Divar's widget docs), by widget and field.
const LIMITS: [(&str, &str, usize); 7] = [
    ("title_row", "text", 49),
    ("subtitle_row", "text", 200),
    ("description_row", "text", 200),
    ("selector_row", "title", 200),
    ("button_bar", "title", 49),
    ("event_row", "title", 24),
    ("score_row", "title", 25),
];
/// `group_info_row`: 2–3 items, title ≤ 50, value ≤ 100.
const INFO_TITLE: usize = 50;
const INFO_VALUE: usize = 100;
/// Our stand-in's own cap on widgets per add-on.
const MAX_WIDGETS: usize = 10;

fn invalid(path: impl Into<String>, problem: &'static str) -> Invalid {
    Invalid {
        path: path.into(),
        problem,
    }
}

/// Checks an `AddonsCreatePostAddonV2Body`.
pub fn validate(body: &Value) -> Result<(), Invalid> {
    let Value::Object(fields) = body else {
        return Err(invalid("<root>", "must be an object"));
    };
    if let Some(key) = fields
        .keys()
        .find(|k| !["widgets", "notes", "semantic"].contains(&k.as_str()))
    {
        return Err(invalid(key.as_str(), "is not a field of the body"));
    }
    let Some(Value::Array(widgets)) = fields.get("widgets") else {
        return Err(invalid("widgets", "must be an array"));
    };
    if widgets.is_empty() || widgets.len() > MAX_WIDGETS {
        return Err(invalid("widgets", "must hold 1 to 10 widgets"));
    }
    for (i, widget) in widgets.iter().enumerate() {
        validate_widget(&format!("widgets[{i}]"), widget)?;
    }
    Ok(())
}

fn validate_widget(at: &str, widget: &Value) -> Result<(), Invalid> {
    let Some(widget) = widget.as_object().filter(|w| w.len() == 1) else {
        return Err(invalid(at, "must have exactly one key"));
    };
    let (kind, content) = widget.iter().next().expect("one key");
    let at = format!("{at}.{kind}");
    let Value::Object(content) = content else {
        return Err(invalid(at, "must be an object"));
    };
    let text_fits = |field: &str, max: usize| match content.get(field) {
        None => Ok(()),
        Some(Value::String(text)) if text.chars().count() <= max => Ok(()),
        Some(Value::String(_)) => Err(invalid(format!("{at}.{field}"), "is too long")),
        Some(_) => Err(invalid(format!("{at}.{field}"), "must be a string")),
    };
    if kind == "group_info_row" {
        let Some(Value::Array(items)) = content.get("items") else {
            return Err(invalid(format!("{at}.items"), "must be an array"));
        };
        if !(2..=3).contains(&items.len()) {
            return Err(invalid(format!("{at}.items"), "must hold 2 or 3 items"));
        }
        for item in items {
            for (field, max) in [("title", INFO_TITLE), ("value", INFO_VALUE)] {
                match item.get(field) {
                    Some(Value::String(text)) if text.chars().count() <= max => {}
                    _ => {
                        return Err(invalid(
                            format!("{at}.items.{field}"),
                            "is too long or missing",
                        ))
                    }
                }
            }
        }
        return Ok(());
    }
    let Some((_, field, max)) = LIMITS.iter().find(|(name, _, _)| *name == kind) else {
        return Err(invalid(at, "is not a widget Ersal's sandbox knows"));
    };
    text_fits(field, *max)?;
    if ["selector_row", "button_bar", "score_row"].contains(&kind.as_str()) {
        validate_action(&format!("{at}.action"), content.get("action"))?;
    }
    Ok(())
}

pub(crate) async fn create(
    State(sandbox): State<Sandbox>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let needed = format!("POST_ADDON_CREATE.{token}");
    if let Err(refused) = granted_call(
        &sandbox,
        &headers,
        &[&needed, "USER_POSTS_ADDON_CREATE"],
        "post",
    ) {
        return *refused;
    }
    let body: Value = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(_) => return rpc_error(StatusCode::BAD_REQUEST, 3, "the body is not JSON"),
    };
    if let Err(problem) = validate(&body) {
        return rpc_error(StatusCode::BAD_REQUEST, 3, &problem.to_string());
    }
    // Divar does not check the token here: an unknown post just never shows the widgets.
    if state::post(&token).is_some() {
        sandbox
            .world()
            .addons
            .insert(token, body["widgets"].clone());
    }
    Json(json!({})).into_response()
}

pub(crate) async fn remove(
    State(sandbox): State<Sandbox>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !api_key_ok(&sandbox, &headers) {
        return rpc_error(StatusCode::UNAUTHORIZED, 16, "invalid or missing api key");
    }
    sandbox.world().addons.remove(&token);
    Json(json!({})).into_response()
}

/// A post as a viewer (the first demo buyer) sees it, with the app's widgets.
async fn post_page(State(sandbox): State<Sandbox>, Path(token): Path<String>) -> Response {
    let Some(post) = state::post(&token) else {
        return (
            StatusCode::NOT_FOUND,
            page("پیدا نشد", "<p>این آگهی وجود ندارد.</p>"),
        )
            .into_response();
    };
    let mut body = format!(
        r#"<section class="box"><h1>{title}</h1><p>{city} · {price} تومان</p><p>{description}</p></section>"#,
        title = escape(post.title),
        city = escape(post.city_name),
        price = post.price,
        description = escape(post.description),
    );
    let widgets = sandbox.world().addons.get(&token).cloned();
    match widgets.as_ref().and_then(Value::as_array) {
        Some(widgets) => {
            body.push_str(r#"<section class="box" data-testid="addon">"#);
            for (i, widget) in widgets.iter().enumerate() {
                body.push_str(&widget_html(&token, i, widget));
            }
            body.push_str("</section>");
        }
        None => body
            .push_str(r#"<p class="box" data-testid="no-addon">افزونه‌ای روی این آگهی نیست.</p>"#),
    }
    page(post.title, &body).into_response()
}

/// One widget as Divar draws it (the kinds Ersal uses; others are named).
fn widget_html(token: &str, index: usize, widget: &Value) -> String {
    let text = |v: &Value, key: &str| escape(v.get(key).and_then(Value::as_str).unwrap_or(""));
    let Some((kind, content)) = widget.as_object().and_then(|w| w.iter().next()) else {
        return String::new();
    };
    match kind.as_str() {
        "title_row" => format!("<h2>{}</h2>", text(content, "text")),
        "group_info_row" => {
            let mut html = String::from(r#"<dl class="info">"#);
            for item in content["items"].as_array().into_iter().flatten() {
                let _ = write!(
                    html,
                    "<dt>{}</dt><dd>{}</dd>",
                    text(item, "title"),
                    text(item, "value")
                );
            }
            html + "</dl>"
        }
        "button_bar" | "selector_row" => format!(
            r#"<form method="post" action="/post/{token}/tap"><input type="hidden" name="widget" value="{index}"><button type="submit">{}</button></form>"#,
            text(content, "title"),
        ),
        other => format!("<p>[{}]</p>", escape(other)),
    }
}

/// The seller's post-management page with the app's `MY_POST` entry: Divar opens the
/// Fallback URL with the post's token.
async fn manage_page(State(sandbox): State<Sandbox>, Path(token): Path<String>) -> Response {
    let Some(post) = state::post(&token) else {
        return (
            StatusCode::NOT_FOUND,
            page("پیدا نشد", "<p>این آگهی وجود ندارد.</p>"),
        )
            .into_response();
    };
    let seller = state::user(post.seller).map_or("", |u| u.name);
    let entry = format!(
        "{}?post_token={}",
        sandbox.config.fallback_url,
        url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
    );
    let body = format!(
        r#"<section class="box"><h1>مدیریت آگهی</h1><p>{title} · {seller}</p></section>
<section class="box"><h2>افزونه‌ها</h2><a class="button" href="{entry}">ارسال</a> <a class="button" href="/post/{token}">دیدن آگهی</a></section>
<section class="box"><form method="post" action="/post/{token}/sold"><button type="submit">فروخته شد (آگهی بسته شود)</button></form></section>"#,
        title = escape(post.title),
        seller = escape(seller),
        entry = escape(&entry),
    );
    as_user(page("مدیریت آگهی", &body).into_response(), post.seller)
}

/// The response, with the sandbox's "who is looking" cookie (the consent screen reads it).
fn as_user(mut response: Response, user: &str) -> Response {
    let cookie = format!("sandbox_user={user}; Path=/; HttpOnly; SameSite=Lax");
    response.headers_mut().append(
        http::header::SET_COOKIE,
        http::HeaderValue::from_str(&cookie).expect("ASCII cookie"),
    );
    response
}

#[derive(Deserialize)]
struct Tapped {
    widget: usize,
}

/// A viewer taps a widget: an `open_server_link` sends the `POST_ADDON` init (no
/// conversation) and opens the URL the app answers.
async fn tap(
    State(sandbox): State<Sandbox>,
    Path(token): Path<String>,
    Form(tapped): Form<Tapped>,
) -> Response {
    let action = sandbox
        .world()
        .addons
        .get(&token)
        .and_then(|w| w.get(tapped.widget))
        .and_then(|w| w.as_object()?.values().next()?.get("action").cloned());
    let Some(data) = action
        .as_ref()
        .and_then(|a| a.pointer("/open_server_link/data"))
    else {
        return Redirect::to(&format!("/post/{token}")).into_response();
    };
    let viewer = POSTS
        .iter()
        .find(|p| p.token == token)
        .and_then(|p| USERS.iter().find(|u| u.id != p.seller))
        .map_or("", |u| u.id);
    let body = json!({
        "source": "POST_ADDON",
        "post_token": token,
        "conversation_id": null,
        "user_side": "DEMAND",
        "user_id": viewer,
        "extra_data": data,
    });
    match send_init(&sandbox, &body, Some("API_VERSION")).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(error) => (
            StatusCode::BAD_GATEWAY,
            page(
                "خطا",
                &format!(r#"<p class="box error">{}</p>"#, escape(&error)),
            ),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_keeps_to_the_widgets_rules() {
        let link = json!({"open_server_link": {"data": {"o": "tehran"}}});
        let good = json!({"widgets": [
            {"title_row": {"text": "ارسال این کالا", "has_divider": false}},
            {"group_info_row": {"items": [{"title": "از", "value": "تهران"}, {"title": "هزینه", "value": "از ۱۰ تومان"}]}},
            {"button_bar": {"title": "هزینه به شهر من", "action": link}},
        ]});
        assert_eq!(validate(&good), Ok(()));
        let refused = [
            json!({"widgets": []}),
            json!({"widgets": [{"title_row": {"text": "ب".repeat(50)}}]}),
            json!({"widgets": [{"group_info_row": {"items": [{"title": "از", "value": "تهران"}]}}]}),
            json!({"widgets": [{"title_row": {"text": "a"}, "subtitle_row": {"text": "b"}}]}),
            json!({"widgets": [{"carousel": {}}]}),
            json!({"widgets": [{"button_bar": {"title": "x"}}]}),
            json!({"widgets": [{"title_row": {"text": "a"}}], "extra": 1}),
        ];
        for body in refused {
            assert!(validate(&body).is_err(), "{body}");
        }
    }
}
