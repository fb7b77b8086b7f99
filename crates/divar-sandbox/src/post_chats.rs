//! The chats of a post as its seller's app hears them (docs/assistant.md, “In the sandbox”):
//! the events subscription (`POST /v1/open-platform/events/subscriptions`, checked
//! for the API key, a live token, the scope the event type needs and the body's fields, per
//! the OAS), people writing in a chat (the chat page's form, or `POST /control/write`), each
//! message then delivered as a `NEW_MESSAGE` event to the app while a subscription for its
//! post holds (twice when a duplicate was asked for), and a post being sold
//! (`POST /control/sold`, or the button on its management page: get-post no longer finds it).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::access::granted_call;
use crate::errors::rpc_error;
use crate::events::deliver;
use crate::state::{self, Message, Sandbox, Side, Subscription};

/// The longest text a person writes here (Divar's own limit is not documented).
const MAX_TEXT_CHARS: usize = 2000;

pub fn router() -> Router<Sandbox> {
    Router::new()
        .route("/v1/open-platform/events/subscriptions", post(subscribe))
        .route("/chat/{conversation}/write", post(write_form))
        .route("/control/write", post(write_json))
        .route("/control/sold", post(sold))
        .route("/post/{token}/sold", post(sold_form))
}

/// `eventsRegisterEventSubscriptionRequest`: `event_type`, `event_resource_id`, `metadata`
/// (K:migrations/002 spells it `meta_data`).
async fn subscribe(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let kind = body.get("event_type").and_then(Value::as_str);
    let Some(resource) = body.get("event_resource_id").and_then(Value::as_str) else {
        return rpc_error(StatusCode::BAD_REQUEST, 3, "event_resource_id is required");
    };
    let metadata = body.get("metadata").or_else(|| body.get("meta_data"));
    if metadata.is_some_and(|m| !m.is_object()) {
        return rpc_error(StatusCode::BAD_REQUEST, 3, "metadata must be an object");
    }
    let needed = match kind {
        Some("NEW_MESSAGE_ON_POST") if resource.is_empty() => {
            "CHAT_SUPPLIER_ALL_CONVERSATIONS_READ".to_owned()
        }
        Some("NEW_MESSAGE_ON_POST") => format!("CHAT_POST_CONVERSATIONS_READ.{resource}"),
        Some("POST_UPDATE") => "USER_POSTS_GET".to_owned(),
        _ => return rpc_error(StatusCode::BAD_REQUEST, 3, "event_type is not valid"),
    };
    if let Err(refused) = granted_call(&sandbox, &headers, &[&needed], "event subscription") {
        return *refused;
    }
    if kind == Some("NEW_MESSAGE_ON_POST") && !resource.is_empty() {
        let bearer = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_owned();
        sandbox.world().subscriptions.push(Subscription {
            post: resource.to_owned(),
            access_token: bearer,
        });
    }
    Json(json!({})).into_response()
}

#[derive(Deserialize)]
struct WriteForm {
    #[serde(rename = "as")]
    side: String,
    text: String,
}

/// The chat page's "write" box: a person's message, then back to the chat.
async fn write_form(
    State(sandbox): State<Sandbox>,
    Path(conversation): Path<String>,
    Form(form): Form<WriteForm>,
) -> Response {
    let side = Side::parse(&form.side).unwrap_or(Side::Buyer);
    let _ = write(&sandbox, &conversation, side, &form.text).await;
    Redirect::to(&format!("/chat/{conversation}?as={}", side.as_str())).into_response()
}

#[derive(Deserialize)]
struct WriteJson {
    conversation: String,
    side: String,
    text: String,
}

/// The same for tests: `{conversation, side, text}`; answers how many events went out.
async fn write_json(State(sandbox): State<Sandbox>, Json(body): Json<WriteJson>) -> Response {
    let Some(side) = Side::parse(&body.side) else {
        return (StatusCode::BAD_REQUEST, "side is buyer or seller").into_response();
    };
    match write(&sandbox, &body.conversation, side, &body.text).await {
        Some(events) => Json(json!({"events": events})).into_response(),
        None => (StatusCode::BAD_REQUEST, "no such conversation, or no text").into_response(),
    }
}

/// Keeps a person's message and delivers it to the app as an event while a subscription for
/// its post holds; how many events were delivered (`None`: nothing was written).
async fn write(sandbox: &Sandbox, id: &str, side: Side, text: &str) -> Option<usize> {
    let conversation = state::conversation(id)?;
    let text: String = text.trim().chars().take(MAX_TEXT_CHARS).collect();
    if text.is_empty() {
        return None;
    }
    let now = sandbox.now();
    let (message_id, listening, twice) = {
        let mut world = sandbox.world();
        let message_id = world.next_id();
        world.messages.push(Message {
            id: message_id,
            conversation: id.to_owned(),
            sender: side.user_in(conversation).to_owned(),
            text: text.clone(),
            sender_buttons: Value::Null,
            receiver_buttons: Value::Null,
            at: now,
            from_app: false,
        });
        let live = |token: &str| world.access.get(token).is_some_and(|t| t.expires_at > now);
        let listening = world
            .subscriptions
            .iter()
            .any(|s| s.post == conversation.post && live(&s.access_token));
        let twice = listening && world.duplicate_events > 0;
        if twice {
            world.duplicate_events -= 1;
        }
        (message_id, listening, twice)
    };
    if !listening {
        return Some(0);
    }
    let event = json!({
        "type": "NEW_MESSAGE",
        "metadata": {},
        "new_message": {
            "id": format!("sandbox-message-{}-{message_id}", sandbox.started),
            "conversation": {"id": id, "type": "POST", "post_token": conversation.post},
            "sender": {
                "side": if side == Side::Buyer { "BUYER" } else { "SELLER" },
                "type": "HUMAN",
            },
            "type": "TEXT",
            "sent_at": now * 1_000_000,
            "text": text,
        },
    });
    deliver(sandbox, &event).await;
    if twice {
        deliver(sandbox, &event).await;
    }
    Some(if twice { 2 } else { 1 })
}

#[derive(Deserialize)]
struct Sold {
    post: String,
}

/// Marks a post sold: get-post no longer finds it.
async fn sold(State(sandbox): State<Sandbox>, Json(body): Json<Sold>) -> Response {
    if !mark_sold(&sandbox, &body.post) {
        return (StatusCode::NOT_FOUND, "no such post").into_response();
    }
    Json(json!({"sold": true})).into_response()
}

/// The management page's "sold" button.
async fn sold_form(State(sandbox): State<Sandbox>, Path(token): Path<String>) -> Response {
    mark_sold(&sandbox, &token);
    Redirect::to(&format!("/post/{token}/manage")).into_response()
}

fn mark_sold(sandbox: &Sandbox, token: &str) -> bool {
    let known = state::post(token).is_some();
    if known {
        sandbox.world().sold.insert(token.to_owned());
    }
    known
}
