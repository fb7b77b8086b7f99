//! The control API for tests (and the journal page for people): inject faults, move the clock,
//! ask for a duplicate init call, read the journal and the messages, reset.

use std::fmt::Write;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::html::{escape, page};
use crate::state::{Fault, FaultKind, FaultTarget, Sandbox};

pub fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/control/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route("/control/duplicate-init", post(duplicate_init))
        .route("/control/clock", post(advance_clock))
        .route("/control/journal", get(journal_json))
        .route("/control/messages", get(messages_json))
        .route("/control/reset", post(reset))
        .route("/journal", get(journal_page))
}

#[derive(Deserialize)]
struct NewFault {
    target: FaultTarget,
    kind: FaultKind,
    #[serde(default = "one")]
    count: u32,
    #[serde(default)]
    delay_ms: u64,
}

fn one() -> u32 {
    1
}

async fn add_fault(State(sandbox): State<Sandbox>, Json(fault): Json<NewFault>) -> Response {
    let count = fault.count.clamp(1, 100);
    let delay_ms = fault.delay_ms.min(60_000);
    sandbox.world().faults.push(Fault {
        target: fault.target,
        kind: fault.kind,
        remaining: count,
        delay_ms,
    });
    Json(json!({"ok": true})).into_response()
}

async fn list_faults(State(sandbox): State<Sandbox>) -> Response {
    Json(json!({"faults": sandbox.world().faults})).into_response()
}

async fn clear_faults(State(sandbox): State<Sandbox>) -> Response {
    sandbox.world().faults.clear();
    Json(json!({"ok": true})).into_response()
}

#[derive(Deserialize)]
struct Count {
    #[serde(default = "one")]
    count: u32,
}

async fn duplicate_init(State(sandbox): State<Sandbox>, Json(count): Json<Count>) -> Response {
    sandbox.world().duplicate_inits = count.count.min(100);
    Json(json!({"ok": true})).into_response()
}

#[derive(Deserialize)]
struct Advance {
    advance_secs: i64,
}

async fn advance_clock(State(sandbox): State<Sandbox>, Json(advance): Json<Advance>) -> Response {
    let mut world = sandbox.world();
    world.clock_offset += advance.advance_secs.clamp(0, 90 * 24 * 3600);
    Json(json!({"clock_offset": world.clock_offset})).into_response()
}

#[derive(Deserialize)]
struct Since {
    #[serde(default)]
    since: u64,
}

async fn journal_json(State(sandbox): State<Sandbox>, Query(since): Query<Since>) -> Response {
    let world = sandbox.world();
    let entries: Vec<_> = world
        .journal
        .iter()
        .filter(|e| e.id > since.since)
        .collect();
    Json(json!({"entries": entries})).into_response()
}

#[derive(Deserialize)]
struct ForConversation {
    conversation: Option<String>,
}

async fn messages_json(
    State(sandbox): State<Sandbox>,
    Query(query): Query<ForConversation>,
) -> Response {
    let world = sandbox.world();
    let messages: Vec<_> = world
        .messages
        .iter()
        .filter(|m| {
            query
                .conversation
                .as_ref()
                .is_none_or(|c| &m.conversation == c)
        })
        .collect();
    Json(json!({"messages": messages})).into_response()
}

async fn reset(State(sandbox): State<Sandbox>) -> Response {
    let mut world = sandbox.world();
    *world = crate::state::World::default();
    Json(json!({"ok": true})).into_response()
}

async fn journal_page(State(sandbox): State<Sandbox>) -> Response {
    let mut body = String::from(
        "<h1>ژورنال</h1><p>هر درخواستی که سندباکس گرفت یا فرستاد، با رمزها پوشانده. خطاها را با <code>POST /control/faults</code> بسازید، مثلاً <code>{\"target\":\"send_message\",\"kind\":\"restricted\",\"count\":1}</code>.</p>",
    );
    let world = sandbox.world();
    for entry in world.journal.iter().rev().take(200) {
        let _ = write!(
            body,
            r#"<section class="box"><p><strong>{dir}</strong> {method} <code dir="ltr">{path}</code> → {status}</p><pre>{detail}</pre></section>"#,
            dir = if entry.direction == "in" { "دریافت" } else { "ارسال" },
            method = escape(&entry.method),
            path = escape(&entry.path),
            status = entry.status.map_or_else(|| "—".to_owned(), |s| s.to_string()),
            detail = escape(&serde_json::to_string_pretty(&json!({"headers": entry.headers, "body": entry.body, "response": entry.response})).unwrap_or_default()),
        );
    }
    page("ژورنال", &body).into_response()
}
