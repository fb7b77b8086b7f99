//! Fault injection, written once. Every Divar endpoint the sandbox plays is routed by [`router`]
//! and nowhere else, each behind [`inject`]: the next call(s) to it get the fault the control API
//! queued for it ([`crate::control`]) before its handler checks or does anything. An endpoint is
//! a [`FaultTarget`], which names its route and handler, so a new one is served with its faults
//! or not at all.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;
use http::{header, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};

use crate::api::rpc_error;
use crate::oauth::token_error;
use crate::state::{Sandbox, World};
use crate::{addons, api, bot, oauth};

/// What the next call to the target does instead of its normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 412 with `code` 9 (the recipient restricts delivery); the token endpoint's 500.
    Restricted,
    /// 429 rate limit, with `Retry-After: 1` from the open-platform API.
    RateLimited,
    /// 500.
    ServerError,
    /// Answers normally after `delay_ms`.
    Slow,
    /// Does the call's work at once (posts the message, issues the token), then answers only
    /// after `delay_ms`: Divar did its work and the answer is late (or never reaches a caller
    /// that died meanwhile).
    SlowAnswer,
    /// Closes the connection without an answer.
    Drop,
}

/// A Divar endpoint the sandbox plays, as faults aim at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTarget {
    SendMessage,
    BotMessage,
    Token,
    GetPost,
    GetUser,
    AddonCreate,
    AddonDelete,
}

impl FaultTarget {
    pub const ALL: [Self; 7] = [
        Self::SendMessage,
        Self::BotMessage,
        Self::Token,
        Self::GetPost,
        Self::GetUser,
        Self::AddonCreate,
        Self::AddonDelete,
    ];

    /// Its route and handler.
    fn endpoint(self) -> (&'static str, MethodRouter<Sandbox>) {
        match self {
            Self::SendMessage => (
                "/v2/open-platform/conversations/{conversation_id}/messages",
                post(api::send_message),
            ),
            Self::BotMessage => (
                "/v1/open-platform/chat/bot/conversations/{conversation_id}/messages",
                post(bot::send_bot_message),
            ),
            Self::Token => ("/oauth2/token", post(oauth::token)),
            Self::GetPost => ("/v1/open-platform/finder/post/{token}", get(api::get_post)),
            Self::GetUser => ("/v1/open-platform/users", get(api::get_user)),
            Self::AddonCreate => (
                "/v2/open-platform/addons/post/{token}",
                post(addons::create),
            ),
            Self::AddonDelete => (
                "/v1/open-platform/addons/post/{token}",
                delete(addons::remove),
            ),
        }
    }

    /// Its name on the journal page's fault form.
    pub fn label(self) -> &'static str {
        match self {
            Self::SendMessage => "ارسال پیام",
            Self::BotMessage => "پیام بات",
            Self::Token => "توکن OAuth",
            Self::GetPost => "دریافت آگهی",
            Self::GetUser => "دریافت کاربر",
            Self::AddonCreate => "ساخت افزونهٔ آگهی",
            Self::AddonDelete => "حذف افزونهٔ آگهی",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub target: FaultTarget,
    pub kind: FaultKind,
    pub remaining: u32,
    pub delay_ms: u64,
}

impl World {
    /// Takes one use of the first fault aimed at `target`, if any.
    pub fn take_fault(&mut self, target: FaultTarget) -> Option<Fault> {
        let index = self
            .faults
            .iter()
            .position(|f| f.target == target && f.remaining > 0)?;
        let fault = self.faults[index].clone();
        self.faults[index].remaining -= 1;
        if self.faults[index].remaining == 0 {
            self.faults.remove(index);
        }
        Some(fault)
    }
}

/// Every Divar endpoint the sandbox plays, each behind the faults aimed at it.
pub fn router(sandbox: &Sandbox) -> Router<Sandbox> {
    FaultTarget::ALL
        .into_iter()
        .fold(Router::new(), |router, target| {
            let (path, handler) = target.endpoint();
            let faults = from_fn_with_state((sandbox.clone(), target), inject);
            router.route(path, handler.route_layer(faults))
        })
}

/// Answers a call to `target` as the first fault queued for it says, or lets it through.
async fn inject(
    State((sandbox, target)): State<(Sandbox, FaultTarget)>,
    request: Request,
    next: Next,
) -> Response {
    let fault = sandbox.world().take_fault(target);
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    let delay = Duration::from_millis(fault.delay_ms);
    match fault.kind {
        FaultKind::Slow => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        FaultKind::SlowAnswer => {
            let answer = next.run(request).await;
            tokio::time::sleep(delay).await;
            answer
        }
        FaultKind::Drop => dropped_connection(),
        FaultKind::Restricted | FaultKind::RateLimited | FaultKind::ServerError => {
            refusal(target, fault.kind)
        }
    }
}

/// A refusing fault's answer in the endpoint's dialect: OAuth's error body from the token
/// endpoint, Divar's `googleRpcStatus` from the open-platform API.
fn refusal(target: FaultTarget, kind: FaultKind) -> Response {
    match (target, kind) {
        (FaultTarget::Token, FaultKind::RateLimited) => token_error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
        ),
        (FaultTarget::Token, _) => token_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The authorization server failed",
        ),
        (_, FaultKind::Restricted) => {
            let message = match target {
                FaultTarget::SendMessage => {
                    "message delivery failed due to recipient's restriction"
                }
                FaultTarget::BotMessage => "the user blocked the bot",
                _ => "the request failed a precondition",
            };
            rpc_error(StatusCode::PRECONDITION_FAILED, 9, message)
        }
        (_, FaultKind::RateLimited) => {
            let mut response = rpc_error(
                StatusCode::TOO_MANY_REQUESTS,
                8,
                "per-minute rate limit exceeded",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        _ => rpc_error(StatusCode::INTERNAL_SERVER_ERROR, 13, "internal error"),
    }
}

/// An answer that never arrives: the connection closes mid-response.
fn dropped_connection() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "dropped by the sandbox",
        ))
    });
    let mut response = Response::new(Body::from_stream(broken));
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("64"));
    response
}
