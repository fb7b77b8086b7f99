//! Fault injection, written once. Every Divar endpoint the sandbox plays is routed by [`router`]
//! and nowhere else, each behind [`inject`]: the next call(s) to it get the fault the control API
//! queued for it ([`crate::control`]) before its handler checks or does anything. An endpoint is
//! a [`FaultTarget`], and [`endpoint`] names each one's route and handler, so a new one is served
//! with its faults or not at all.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;
use http::{header, HeaderValue, StatusCode};

use crate::errors::{rpc_error, token_error};
use crate::state::{FaultKind, FaultTarget, Sandbox};
use crate::{addons, api, bot, oauth};

/// Every Divar endpoint the sandbox plays, each behind the faults aimed at it.
pub fn router(sandbox: &Sandbox) -> Router<Sandbox> {
    FaultTarget::ALL
        .into_iter()
        .fold(Router::new(), |router, target| {
            let (path, handler) = endpoint(target);
            let faults = from_fn_with_state((sandbox.clone(), target), inject);
            router.route(path, handler.route_layer(faults))
        })
}

/// The route and handler of `target`.
fn endpoint(target: FaultTarget) -> (&'static str, MethodRouter<Sandbox>) {
    match target {
        FaultTarget::SendMessage => (
            "/v2/open-platform/conversations/{conversation_id}/messages",
            post(api::send_message),
        ),
        FaultTarget::BotMessage => (
            "/v1/open-platform/chat/bot/conversations/{conversation_id}/messages",
            post(bot::send_bot_message),
        ),
        FaultTarget::Token => ("/oauth2/token", post(oauth::token)),
        FaultTarget::GetPost => ("/v1/open-platform/finder/post/{token}", get(api::get_post)),
        FaultTarget::GetUser => ("/v1/open-platform/users", get(api::get_user)),
        FaultTarget::AddonCreate => (
            "/v2/open-platform/addons/post/{token}",
            post(addons::create),
        ),
        FaultTarget::AddonDelete => (
            "/v1/open-platform/addons/post/{token}",
            delete(addons::remove),
        ),
    }
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
