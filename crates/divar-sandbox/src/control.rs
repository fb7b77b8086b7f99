//! The control API for tests (and the journal page for people): inject faults, move the clock,
//! ask for a duplicate init call or event delivery, revoke a user's grants, read the journal,
//! the chat and bot messages, reset. The webhook receivers' controls ([`crate::receiver`]) are
//! registered here too, behind the same check.
//!
//! Every change is refused (403) when a browser says it comes from another origin
//! ([`refuse_other_origins`]): any page a developer visits could otherwise post forms to it.

use std::fmt::Write;

use axum::extract::{Query, Request, State};
use axum::middleware::{self, Next};
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use http::{header, HeaderMap, Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::html::{escape, page};
use crate::state::{Fault, FaultKind, FaultTarget, Sandbox, USERS};

pub fn router(sandbox: &Sandbox) -> Router<Sandbox> {
    Router::new()
        .route(
            "/control/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route("/control/duplicate-init", post(duplicate_init))
        .route("/control/duplicate-events", post(duplicate_events))
        .route("/control/bot", get(bot_json))
        .route("/control/revoke", post(revoke_json))
        .route("/control/clock", post(advance_clock))
        .route("/control/journal", get(journal_json))
        .route("/control/messages", get(messages_json))
        .route("/control/reset", post(reset))
        .route("/journal", get(journal_page))
        .route("/journal/faults", post(fault_form))
        .route("/journal/revoke", post(revoke_form))
        .merge(crate::receiver::control_router())
        .route_layer(middleware::from_fn_with_state(
            sandbox.clone(),
            refuse_other_origins,
        ))
}

/// Lets a change through only if no browser sent it from another origin: without `Origin` or
/// with the sandbox's own (its configured origin, or the loopback name it was reached under),
/// and without a `Sec-Fetch-Site` other than `same-origin` or `none`. Tools (curl, the test
/// suites) send neither header. Reads are always let through.
async fn refuse_other_origins(
    State(sandbox): State<Sandbox>,
    request: Request,
    next: Next,
) -> Response {
    let reads = [Method::GET, Method::HEAD];
    if reads.contains(request.method())
        || from_own_origin(request.headers(), &sandbox.config.origin)
    {
        return next.run(request).await;
    }
    let refusal = "the sandbox's controls refuse requests from other origins";
    (StatusCode::FORBIDDEN, refusal).into_response()
}

fn from_own_origin(headers: &HeaderMap, own: &str) -> bool {
    let fetch_site_ok = headers
        .get("sec-fetch-site")
        .is_none_or(|site| site == "same-origin" || site == "none");
    let origin_ok = headers.get(header::ORIGIN).is_none_or(|origin| {
        origin.to_str().is_ok_and(|origin| {
            origin == own.trim_end_matches('/') || is_loopback_self(origin, headers)
        })
    });
    fetch_site_ok && origin_ok
}

/// `origin` is `http://<Host>` and names a loopback host (`localhost:3100` for a sandbox
/// configured as `127.0.0.1:3100`): the same origin, which no other site can take.
fn is_loopback_self(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    loopback && origin == format!("http://{host}")
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

impl NewFault {
    fn apply(self, sandbox: &Sandbox) {
        let fault = Fault {
            target: self.target,
            kind: self.kind,
            remaining: self.count.clamp(1, 100),
            delay_ms: self.delay_ms.min(60_000),
        };
        sandbox.world().faults.push(fault);
    }
}

async fn add_fault(State(sandbox): State<Sandbox>, Json(fault): Json<NewFault>) -> Response {
    fault.apply(&sandbox);
    Json(json!({"ok": true})).into_response()
}

/// The journal page's fault form: the same as `POST /control/faults`, for people.
async fn fault_form(State(sandbox): State<Sandbox>, Form(fault): Form<NewFault>) -> Response {
    fault.apply(&sandbox);
    Redirect::to("/journal").into_response()
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

#[derive(Deserialize)]
struct Advance {
    advance_secs: i64,
}

async fn duplicate_init(State(sandbox): State<Sandbox>, Json(count): Json<Count>) -> Response {
    sandbox.world().duplicate_inits = count.count.min(100);
    Json(json!({"ok": true})).into_response()
}

async fn duplicate_events(State(sandbox): State<Sandbox>, Json(count): Json<Count>) -> Response {
    sandbox.world().duplicate_events = count.count.min(100);
    Json(json!({"ok": true})).into_response()
}

#[derive(Deserialize)]
struct Revocation {
    user: String,
}

/// A user revokes the app's access ([`crate::events::revoke`]).
async fn revoke_json(State(sandbox): State<Sandbox>, Json(who): Json<Revocation>) -> Response {
    Json(crate::events::revoke(&sandbox, &who.user).await).into_response()
}

/// The journal page's revocation form, for people.
async fn revoke_form(State(sandbox): State<Sandbox>, Form(who): Form<Revocation>) -> Response {
    crate::events::revoke(&sandbox, &who.user).await;
    Redirect::to("/journal").into_response()
}

/// The bot conversations' lines (the users' and the bot's), of one conversation if asked.
async fn bot_json(
    State(sandbox): State<Sandbox>,
    Query(query): Query<ForConversation>,
) -> Response {
    let world = sandbox.world();
    let lines: Vec<_> = world
        .bot
        .iter()
        .filter(|l| {
            query
                .conversation
                .as_ref()
                .is_none_or(|c| &l.conversation == c)
        })
        .collect();
    Json(json!({"lines": lines})).into_response()
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
    // Ids go on from where they were: Divar never gives two messages one id, and the app keeps
    // the events it has seen (a repeated id is a duplicate to it).
    let next_id = world.next_id;
    *world = crate::state::World::default();
    world.next_id = next_id;
    Json(json!({"ok": true})).into_response()
}

async fn journal_page(State(sandbox): State<Sandbox>) -> Response {
    let world = sandbox.world();
    let mut body = String::from(
        r#"<h1>ژورنال</h1><p>هر درخواستی که سندباکس گرفت یا فرستاد، با رمزها پوشانده.</p>
<section class="box"><h2>خطای ساختگی</h2><form method="post" action="/journal/faults">
<label>کجا <select name="target">"#,
    );
    for target in FaultTarget::ALL {
        let name = json!(target);
        let _ = write!(
            body,
            r#"<option value="{}">{}</option>"#,
            escape(name.as_str().unwrap_or_default()),
            escape(target.label())
        );
    }
    body.push_str(
        r#"</select></label>
<label>چه <select name="kind"><option value="restricted">۴۱۲ (کد ۹)</option><option value="rate_limited">۴۲۹</option><option value="server_error">۵۰۰</option><option value="slow">کند</option><option value="slow_answer">پاسخ دیر (پیام فرستاده شد)</option><option value="drop">قطع اتصال</option></select></label>
<label>چند بار <input name="count" type="number" min="1" max="100" value="1"></label>
<label>تأخیر (ms) <input name="delay_ms" type="number" min="0" max="60000" value="0"></label>
<button type="submit">اعمال</button></form></section>"#,
    );
    body.push_str(
        r#"<section class="box"><h2>لغو دسترسی</h2><p>کاربر در تنظیمات دیوار دسترسی برنامه را پس می‌گیرد.</p><form method="post" action="/journal/revoke"><label>کاربر <select name="user">"#,
    );
    for user in &USERS {
        let _ = write!(
            body,
            r#"<option value="{}">{}</option>"#,
            escape(user.id),
            escape(user.name)
        );
    }
    body.push_str(
        r#"</select></label> <button type="submit">لغو دسترسی</button></form></section>"#,
    );
    for fault in &world.faults {
        let _ = write!(
            body,
            "<p>در صف: {:?} {:?} × {}</p>",
            fault.target, fault.kind, fault.remaining
        );
    }
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
