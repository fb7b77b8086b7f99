//! The app's support bot as Divar runs it (docs/kenar.md, “Events and the support bot”): a
//! conversation page where a demo user types, each message delivered to the app's events URL
//! with the identification key (twice when a duplicate was asked for), and the chatbot send API
//! the app answers through ([`crate::faults::router`] routes it, behind the faults), with the
//! API key and the body's schema.

use std::fmt::Write;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::access::api_key_ok;
use crate::errors::rpc_error;
use crate::events::{call_app, deliver};
use crate::html::{escape, page};
use crate::message::{validate_grid, MAX_MESSAGE_CHARS};
use crate::state::{BotLine, Sandbox, USERS};

pub fn router() -> Router<Sandbox> {
    Router::new()
        .route("/bot/{user}", get(conversation_page).post(write_to_bot))
        .route("/bot/{user}/action", post(press_dynamic_action))
}

/// The bot conversation of the `n`-th demo user (1-based): one per user.
pub fn conversation_id(n: usize) -> String {
    format!("b0700000-0000-4000-8000-{n:012}")
}

fn user_of(conversation: &str) -> Option<usize> {
    (1..=USERS.len()).find(|&n| conversation_id(n) == conversation)
}

async fn conversation_page(State(sandbox): State<Sandbox>, Path(user): Path<usize>) -> Response {
    let Some(person) = user.checked_sub(1).and_then(|i| USERS.get(i)) else {
        return (
            StatusCode::NOT_FOUND,
            page("پیدا نشد", "<p>این کاربر وجود ندارد.</p>"),
        )
            .into_response();
    };
    let id = conversation_id(user);
    let mut body = format!(
        r#"<section class="box"><h1>پشتیبانی «ارسال»</h1><p>گفتگوی <strong>{name}</strong> با بات افزونه</p></section>"#,
        name = escape(person.name)
    );
    let lines: Vec<BotLine> = sandbox
        .world()
        .bot
        .iter()
        .filter(|l| l.conversation == id)
        .cloned()
        .collect();
    for line in &lines {
        let who = if line.from_user {
            "شما"
        } else {
            "بات افزونه"
        };
        let testid = if line.from_user {
            "user-line"
        } else {
            "bot-line"
        };
        let _ = write!(
            body,
            r#"<section class="box msg" data-testid="{testid}"><p><small>{who}</small></p><p style="white-space: pre-line">{text}</p>{buttons}</section>"#,
            text = escape(&line.text),
            buttons = buttons_html(user, &line.buttons),
        );
    }
    if let Some(notice) = sandbox.world().bot_notices.remove(&id) {
        let _ = write!(
            body,
            r#"<p class="box" role="status" data-testid="notice">{}</p>"#,
            escape(&notice)
        );
    }
    let _ = write!(
        body,
        r#"<form class="box" method="post" action="/bot/{user}"><label>پیام <input name="text" required maxlength="2000"></label> <button type="submit">بفرست</button></form>
<form method="post" action="/bot/{user}"><input type="hidden" name="text" value="/start MY_DIVAR"><button type="submit">شروع از «دیوار من»</button></form>"#
    );
    page("پشتیبانی", &body).into_response()
}

/// The bot's buttons: a direct link opens, a dynamic action is a form that asks the app
/// ([`press_dynamic_action`]); other actions are named.
fn buttons_html(user: usize, grid: &Value) -> String {
    let mut html = String::new();
    let rows = grid.get("rows").and_then(Value::as_array);
    for button in rows
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("buttons")?.as_array())
        .flatten()
    {
        let caption = escape(button.get("caption").and_then(Value::as_str).unwrap_or(""));
        let link = button.pointer("/action/open_direct_link");
        let dynamic = button.pointer("/action/get_dynamic_action/data");
        match (link.and_then(Value::as_str), dynamic) {
            (Some(url), _) => {
                let _ = write!(
                    html,
                    r#"<a class="button" href="{}">{caption}</a> "#,
                    escape(url)
                );
            }
            (None, Some(data)) => {
                let _ = write!(
                    html,
                    r#"<form class="inline" method="post" action="/bot/{user}/action"><input type="hidden" name="data" value="{}"><button type="submit">{caption}</button></form> "#,
                    escape(&data.to_string())
                );
            }
            (None, None) => {
                let _ = write!(html, r#"<span class="button">{caption}</span> "#);
            }
        }
    }
    html
}

#[derive(Deserialize)]
struct Written {
    text: String,
}

#[derive(Deserialize)]
struct Pressed {
    data: String,
}

/// The user taps a `get_dynamic_action` button: Divar POSTs the button's data to the app's
/// dynamic-action URL and shows the `text_message` it answers (or follows its direct link).
async fn press_dynamic_action(
    State(sandbox): State<Sandbox>,
    Path(user): Path<usize>,
    Form(pressed): Form<Pressed>,
) -> Response {
    let Some(person) = user.checked_sub(1).and_then(|i| USERS.get(i)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(data @ Value::Object(_)) = serde_json::from_str::<Value>(&pressed.data) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let conversation = conversation_id(user);
    let request = json!({
        "touchpoint": "CHATBOT",
        "post_token": null,
        "conversation_id": conversation,
        "user_side": null,
        "extra_data": data,
        "user_id": person.id,
    });
    let url = sandbox.config.dynamic_action_url.clone();
    let answer = call_app(&sandbox, &url, &request).await;
    let answer = answer.filter(|(status, _)| *status == 200).map(|(_, v)| v);
    if let Some(link) = answer
        .as_ref()
        .and_then(|a| a.pointer("/action/open_direct_link"))
        .and_then(Value::as_str)
    {
        return Redirect::to(link).into_response();
    }
    let notice = answer
        .as_ref()
        .and_then(|a| a.get("text_message"))
        .and_then(Value::as_str)
        .unwrap_or("افزونه پاسخ نداد.")
        .to_owned();
    sandbox.world().bot_notices.insert(conversation, notice);
    Redirect::to(&format!("/bot/{user}")).into_response()
}

/// The user writes to the bot: Divar keeps the message and delivers it to the app's events URL.
async fn write_to_bot(
    State(sandbox): State<Sandbox>,
    Path(user): Path<usize>,
    Form(written): Form<Written>,
) -> Response {
    if user == 0 || user > USERS.len() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let text: String = written
        .text
        .trim()
        .chars()
        .take(MAX_MESSAGE_CHARS)
        .collect();
    let conversation = conversation_id(user);
    let at = sandbox.now();
    let (id, twice) = {
        let mut world = sandbox.world();
        let id = world.next_id();
        world.bot.push(BotLine {
            id,
            conversation: conversation.clone(),
            from_user: true,
            text: text.clone(),
            buttons: Value::Null,
            at,
        });
        let twice = world.duplicate_events > 0;
        world.duplicate_events = world.duplicate_events.saturating_sub(1);
        (id, twice)
    };
    let event = json!({
        "type": "NEW_CHATBOT_MESSAGE",
        "new_chatbot_message": {
            "id": format!("{id:08x}-1d7e-41f0-9c2a-{at:012x}"),
            "conversation": {"id": conversation, "type": "BOT"},
            "sender": {"type": "HUMAN"},
            "type": "TEXT",
            "sent_at": at * 1_000_000,
            "text": text,
        }
    });
    for _ in 0..if twice { 2 } else { 1 } {
        deliver(&sandbox, &event).await;
    }
    Redirect::to(&format!("/bot/{user}")).into_response()
}

/// `POST /v1/open-platform/chat/bot/conversations/{conversation_id}/messages`: the API key
/// only; `ChatAPIChatBotSendMessageBody` (`text_message` required, buttons at most 3 × 3, the
/// body's `conversation_id`, when given, the path's).
pub(crate) async fn send_bot_message(
    State(sandbox): State<Sandbox>,
    Path(conversation_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !api_key_ok(&sandbox, &headers) {
        return rpc_error(StatusCode::UNAUTHORIZED, 16, "invalid or missing api key");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return rpc_error(StatusCode::BAD_REQUEST, 3, "the body is not valid JSON");
    };
    if let Err(problem) = validate(&body, &conversation_id) {
        return rpc_error(StatusCode::BAD_REQUEST, 3, &problem);
    }
    if user_of(&conversation_id).is_none() {
        return rpc_error(StatusCode::NOT_FOUND, 5, "conversation not found");
    }
    let at = sandbox.now();
    {
        let mut world = sandbox.world();
        let id = world.next_id();
        world.bot.push(BotLine {
            id,
            conversation: conversation_id.clone(),
            from_user: false,
            text: body["text_message"].as_str().unwrap_or_default().to_owned(),
            buttons: body.get("buttons").cloned().unwrap_or(Value::Null),
            at,
        });
    }
    Json(json!({"conversation_id": conversation_id})).into_response()
}

/// Checks a chatbot send body against the OAS schema and the prose's limits.
pub fn validate(body: &Value, conversation_id: &str) -> Result<(), String> {
    let Value::Object(fields) = body else {
        return Err("<root>: must be an object".into());
    };
    for key in fields.keys() {
        if !["text_message", "buttons", "media_token", "conversation_id"].contains(&key.as_str()) {
            return Err(format!(
                "{key}: is not a field of ChatAPIChatBotSendMessageBody"
            ));
        }
    }
    match fields.get("text_message") {
        Some(Value::String(text)) if text.chars().count() <= MAX_MESSAGE_CHARS => {}
        Some(Value::String(_)) => return Err("text_message: is too long".into()),
        Some(_) => return Err("text_message: must be a string".into()),
        None => return Err("text_message: is required".into()),
    }
    match fields.get("conversation_id") {
        None => {}
        Some(Value::String(id)) if id == conversation_id => {}
        Some(_) => return Err("conversation_id: must be the path's conversation".into()),
    }
    if fields.get("media_token").is_some_and(|t| !t.is_string()) {
        return Err("media_token: must be a string".into());
    }
    if let Some(grid) = fields.get("buttons") {
        validate_grid("buttons", grid).map_err(|invalid| invalid.to_string())?;
    }
    Ok(())
}
