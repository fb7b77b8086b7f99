//! The open-platform API (docs/kenar.md, “Chat messages” and “Other Divar APIs Ersal uses”): send a chat message as the consenting user, get a post,
//! get the user. Errors look like Divar's (`googleRpcStatus`: `{code, message, details}`).
//! [`crate::faults::router`] routes them, behind the faults.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use crate::access::{api_key_ok, granted_call, user_call};
use crate::errors::rpc_error;
use crate::message;
use crate::state::{self, Message, Sandbox};

pub(crate) async fn send_message(
    State(sandbox): State<Sandbox>,
    Path(conversation_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // As the consenting user in this one chat, or as the post's owner in all of its chats.
    let needed = format!("CONVERSATION_SEND_MESSAGE.{conversation_id}");
    let post_scope = state::conversation(&conversation_id).map_or_else(String::new, |c| {
        format!("CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{}", c.post)
    });
    let scopes = [needed.as_str(), post_scope.as_str()];
    let token = match granted_call(&sandbox, &headers, &scopes, "conversation") {
        Ok(token) => token,
        Err(refused) => return *refused,
    };
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return rpc_error(StatusCode::BAD_REQUEST, 3, "the body is not valid JSON");
    };
    if let Err(invalid) = message::validate(&body) {
        return rpc_error(StatusCode::BAD_REQUEST, 3, &invalid.to_string());
    }
    if state::conversation(&conversation_id).is_none() {
        return rpc_error(StatusCode::NOT_FOUND, 5, "conversation not found");
    }
    let at = sandbox.now();
    {
        let mut world = sandbox.world();
        let id = world.next_id();
        world.messages.push(Message {
            id,
            conversation: conversation_id,
            sender: token.user,
            text: body["message"].as_str().unwrap_or_default().to_owned(),
            sender_buttons: body.get("sender_buttons").cloned().unwrap_or(Value::Null),
            receiver_buttons: body.get("receiver_buttons").cloned().unwrap_or(Value::Null),
            at,
            from_app: true,
        });
    }
    Json(json!({"status": 200, "message": "success"})).into_response()
}

pub(crate) async fn get_post(
    State(sandbox): State<Sandbox>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !api_key_ok(&sandbox, &headers) {
        return rpc_error(StatusCode::UNAUTHORIZED, 16, "invalid or missing api key");
    }
    let sold = sandbox.world().sold.contains(&token);
    let Some(post) = state::post(&token).filter(|_| !sold) else {
        return rpc_error(StatusCode::NOT_FOUND, 5, "post not found");
    };
    Json(json!({
        "token": post.token,
        "category": post.category,
        "city": post.city,
        "district": post.district,
        "chat_enabled": true,
        "state": "PUBLISHED",
        "first_published_at": "2026-11-01T08:30:00Z",
        "data": {
            "title": post.title,
            "description": post.description,
            "price": {"mode": "FIXED", "value": post.price * 10},
        },
    }))
    .into_response()
}

pub(crate) async fn get_user(State(sandbox): State<Sandbox>, headers: HeaderMap) -> Response {
    let token = match user_call(&sandbox, &headers) {
        Ok(token) => token,
        Err(message) => return rpc_error(StatusCode::UNAUTHORIZED, 16, message),
    };
    let Some(user) = state::user(&token.user) else {
        return rpc_error(StatusCode::NOT_FOUND, 5, "user not found");
    };
    let mut answer = json!({});
    if token.scopes.iter().any(|s| s == "USER_PHONE") {
        answer["phone_number"] = json!(user.phone);
    }
    if token.scopes.iter().any(|s| s == "USER_ID") {
        answer["user_id"] = json!(user.id);
    }
    Json(answer).into_response()
}
