//! The simulated chat: demo conversations seen from either side, the add-ons menu that makes
//! Divar's server POST the session-initialization request to the app, the buttons under the
//! app's messages, and the completion page users are sent back to.

use std::collections::HashMap;
use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use http::{header, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::events::send_init;
use crate::html::{escape, page};
use crate::state::{self, Conversation, Sandbox, Side, CONVERSATIONS};

pub fn router() -> Router<Sandbox> {
    Router::new()
        .route("/", get(index))
        .route("/chat/{conversation}", get(chat))
        .route("/chat/{conversation}/addons", post(open_addon))
        .route(
            "/chat/{conversation}/messages/{message}/buttons",
            post(press_button),
        )
        .route("/completion", get(completion))
}

async fn index() -> Response {
    let mut body = String::from("<h1>گفتگوها</h1>");
    for conversation in CONVERSATIONS {
        let Some(post) = state::post(conversation.post) else {
            continue;
        };
        let seller = state::user(post.seller).map_or("", |u| u.name);
        let buyer = state::user(conversation.buyer).map_or("", |u| u.name);
        let _ = write!(
            body,
            r#"<section class="box"><h2>{title}</h2><p>{city} · {price} تومان · فروشنده: {seller} · خریدار: {buyer}</p>
<a class="button" href="/chat/{id}?as=buyer">ورود به گفتگو به‌عنوان خریدار</a>
<a class="button" href="/chat/{id}?as=seller">ورود به گفتگو به‌عنوان فروشنده</a></section>"#,
            title = escape(post.title),
            city = escape(post.city_name),
            price = post.price,
            seller = escape(seller),
            buyer = escape(buyer),
            id = conversation.id,
        );
    }
    page("گفتگوها", &body).into_response()
}

#[derive(Deserialize)]
struct ChatQuery {
    #[serde(rename = "as")]
    side: Option<String>,
    error: Option<String>,
}

async fn chat(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    Query(query): Query<ChatQuery>,
) -> Response {
    let Some(conversation) = state::conversation(&id) else {
        return (
            http::StatusCode::NOT_FOUND,
            page("پیدا نشد", "<p>این گفتگو وجود ندارد.</p>"),
        )
            .into_response();
    };
    let side = query
        .side
        .as_deref()
        .and_then(Side::parse)
        .unwrap_or(Side::Buyer);
    let viewer = side.user_in(conversation);
    let post = state::post(conversation.post).expect("demo conversations have demo posts");
    let me = state::user(viewer).map_or("", |u| u.name);

    let mut body = format!(
        r#"<section class="box"><h1>{title}</h1><p>{city} · {price} تومان</p><p>شما: <strong data-testid="viewer">{me}</strong> ({side_name})</p></section>"#,
        title = escape(post.title),
        city = escape(post.city_name),
        price = post.price,
        me = escape(me),
        side_name = if side == Side::Buyer {
            "خریدار"
        } else {
            "فروشنده"
        },
    );
    if let Some(error) = &query.error {
        let _ = write!(
            body,
            r#"<section class="box error" role="alert">افزونه باز نشد: {}. شما در گفتگو مانده‌اید.</section>"#,
            escape(error)
        );
    }
    let messages: Vec<_> = sandbox
        .world()
        .messages
        .iter()
        .filter(|m| m.conversation == id)
        .cloned()
        .collect();
    for message in &messages {
        let sender = state::user(&message.sender).map_or("", |u| u.name);
        let buttons = if message.sender == viewer {
            &message.sender_buttons
        } else {
            &message.receiver_buttons
        };
        let (testid, by) = if message.from_app {
            ("message", " · از طرف افزونه")
        } else {
            ("person-message", "")
        };
        let _ = write!(
            body,
            r#"<section class="box msg" data-testid="{testid}"><p><small>{sender}{by}</small></p><p style="white-space: pre-line">{text}</p>{buttons}</section>"#,
            sender = escape(sender),
            text = escape(&message.text),
            buttons = render_buttons(&id, message.id, side, buttons),
        );
    }
    let _ = write!(
        body,
        r#"<section class="box"><form method="post" action="/chat/{id}/write">
<input type="hidden" name="as" value="{side}">
<p><label>پیام شما <input name="text" maxlength="2000" required></label> <button type="submit">فرستادن</button></p>
</form></section>
<section class="box"><h2>افزونه‌ها</h2>
<form method="post" action="/chat/{id}/addons">
<input type="hidden" name="as" value="{side}">
<p><label>نسخهٔ درخواست <select name="version"><option value="v2">v2 (API_VERSION: 2)</option><option value="v2-dash">v2 (API-Version: 2)</option><option value="v1">v1 (قدیمی)</option></select></label></p>
<p><label><input type="checkbox" name="return_url" value="1"> ارسال return_url (منسوخ)</label></p>
<button class="primary" type="submit">ارسال کالا</button>
</form></section>"#,
        side = side.as_str(),
    );
    let mut response = page("گفتگو", &body).into_response();
    // Who is looking, and from where: the consent screen and the completion page read these.
    for cookie in [
        format!("sandbox_user={viewer}"),
        format!("sandbox_where={id}.{}", side.as_str()),
    ] {
        let value = format!("{cookie}; Path=/; HttpOnly; SameSite=Lax");
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(&value).expect("ASCII cookie"),
        );
    }
    response
}

fn render_buttons(conversation: &str, message: u64, side: Side, grid: &Value) -> String {
    let mut out = String::new();
    let rows = grid
        .get("rows")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (r, row) in rows.iter().enumerate() {
        out.push_str("<p>");
        let buttons = row
            .get("buttons")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (c, button) in buttons.iter().enumerate() {
            let caption = button.get("caption").and_then(Value::as_str).unwrap_or("…");
            let _ = write!(
                out,
                r#"<form method="post" action="/chat/{conversation}/messages/{message}/buttons" style="display:inline"><input type="hidden" name="as" value="{side}"><input type="hidden" name="row" value="{r}"><input type="hidden" name="col" value="{c}"><button type="submit">{caption}</button></form> "#,
                side = side.as_str(),
                caption = escape(caption),
            );
        }
        out.push_str("</p>");
    }
    out
}

#[derive(Deserialize)]
struct AddonForm {
    #[serde(rename = "as")]
    side: String,
    version: Option<String>,
    return_url: Option<String>,
}

/// The add-ons menu: Divar's server calls the app's init URL, then the webview follows.
async fn open_addon(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    Form(form): Form<AddonForm>,
) -> Result<Response, Redirect> {
    let conversation = known(&id)?;
    let side = Side::parse(&form.side).unwrap_or(Side::Buyer);
    let chat_url = format!("{}/chat/{id}?as={}", sandbox.config.origin, side.as_str());
    let version = form.version.as_deref().unwrap_or("v2");
    let (body, header) = if version == "v1" {
        (v1_body(conversation, side, &chat_url), None)
    } else {
        let mut body = v2_body(conversation, side, "CHAT", json!({}));
        if form.return_url.is_some() {
            body["return_url"] = json!(chat_url);
        }
        (
            body,
            Some(if version == "v2-dash" {
                "API-Version"
            } else {
                "API_VERSION"
            }),
        )
    };
    Ok(follow_init(&sandbox, &id, side, &body, header).await)
}

#[derive(Deserialize)]
struct ButtonForm {
    #[serde(rename = "as")]
    side: String,
    row: usize,
    col: usize,
}

/// A button under an app's message, pressed by the viewer.
async fn press_button(
    State(sandbox): State<Sandbox>,
    Path((id, message)): Path<(String, u64)>,
    Form(form): Form<ButtonForm>,
) -> Result<Response, Redirect> {
    let conversation = known(&id)?;
    let side = Side::parse(&form.side).unwrap_or(Side::Buyer);
    let back = format!("/chat/{id}?as={}", side.as_str());
    let viewer = side.user_in(conversation);
    let action = {
        let world = sandbox.world();
        world
            .messages
            .iter()
            .find(|m| m.id == message && m.conversation == id)
            .and_then(|m| {
                let grid = if m.sender == viewer {
                    &m.sender_buttons
                } else {
                    &m.receiver_buttons
                };
                grid.pointer(&format!("/rows/{}/buttons/{}/action", form.row, form.col))
                    .cloned()
            })
    };
    Ok(match action {
        Some(action) if action.get("open_server_link").is_some() => {
            let data = action
                .pointer("/open_server_link/data")
                .cloned()
                .unwrap_or_else(|| json!({}));
            let body = v2_body(conversation, side, "CHAT_MESSAGE_ACTION", data);
            follow_init(&sandbox, &id, side, &body, Some("API_VERSION")).await
        }
        Some(action) => match action.get("open_direct_link").and_then(Value::as_str) {
            Some(link) => Redirect::to(link).into_response(),
            None => Redirect::to(&back).into_response(),
        },
        None => Redirect::to(&back).into_response(),
    })
}

/// The demo conversation `id`, or the way back to the list of conversations.
fn known(id: &str) -> Result<&'static Conversation, Redirect> {
    state::conversation(id).ok_or_else(|| Redirect::to("/"))
}

fn v2_body(conversation: &Conversation, side: Side, source: &str, extra_data: Value) -> Value {
    json!({
        "source": source,
        "post_token": conversation.post,
        "conversation_id": conversation.id,
        "user_side": if side == Side::Buyer { "Demand" } else { "Supply" },
        "user_id": side.user_in(conversation),
        "extra_data": extra_data,
    })
}

fn v1_body(conversation: &Conversation, side: Side, callback_url: &str) -> Value {
    let other = if side == Side::Buyer {
        Side::Seller
    } else {
        Side::Buyer
    };
    json!({
        "callback_url": callback_url,
        "post_token": conversation.post,
        "conversation_id": conversation.id,
        "user_id": side.user_in(conversation),
        "peer_id": other.user_in(conversation),
        "supplier": {"id": Side::Seller.user_in(conversation)},
        "demand": {"id": conversation.buyer},
        "extra_data": {},
    })
}

/// Sends the init request (twice if a duplicate was asked for) and sends the browser to the
/// URL the app answered, or back to the chat with the error, as Divar does.
async fn follow_init(
    sandbox: &Sandbox,
    conversation: &str,
    side: Side,
    body: &Value,
    header: Option<&str>,
) -> Response {
    let duplicate = {
        let mut world = sandbox.world();
        let duplicate = world.duplicate_inits > 0;
        world.duplicate_inits = world.duplicate_inits.saturating_sub(1);
        duplicate
    };
    let mut outcome = send_init(sandbox, body, header).await;
    if duplicate {
        outcome = send_init(sandbox, body, header).await;
    }
    match outcome {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(error) => {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("as", side.as_str())
                .append_pair("error", &error)
                .finish();
            Redirect::to(&format!("/chat/{conversation}?{query}")).into_response()
        }
    }
}

async fn completion(headers: HeaderMap) -> Response {
    let cookies: HashMap<&str, &str> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .collect();
    let place = cookies
        .get("sandbox_where")
        .and_then(|w| w.split_once('.'))
        .and_then(|(id, side)| Some((state::conversation(id)?, Side::parse(side)?)));
    let body = match place {
        Some((conversation, side)) => {
            let title = state::post(conversation.post).map_or("", |p| p.title);
            format!(
                r#"<section class="box"><h1>بازگشت به دیوار</h1><p data-testid="came-from">از افزونه به گفتگوی «{title}» برگشتید.</p><a class="button" href="/chat/{id}?as={side}">ادامهٔ گفتگو</a></section>"#,
                title = escape(title),
                id = conversation.id,
                side = side.as_str(),
            )
        }
        None => r#"<section class="box"><h1>بازگشت به دیوار</h1><p data-testid="came-from">به دیوار برگشتید.</p><a class="button" href="/">گفتگوها</a></section>"#.to_owned(),
    };
    page("بازگشت به دیوار", &body).into_response()
}
