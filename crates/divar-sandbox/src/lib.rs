//! A faithful local stand-in for Divar, for development and end-to-end tests. It plays
//! Divar's side of every contract over real HTTP, on its own origin, so the code Ersal runs
//! against it is the code that talks to Divar in production.
//!
//! * [`chat`]: demo posts and conversations, the add-ons menu (which POSTs the
//!   session-initialization request to the app and follows its answer), message buttons, and
//!   the completion page;
//! * [`oauth`]: `/oauth2/auth` (a consent screen) and `/oauth2/token` (code and refresh grants);
//! * [`api`]: the open-platform endpoints (send a chat message, get a post, get the user);
//! * [`message`]: Divar's rules for a send-message body (the OAS schema plus the 3×3 limit);
//! * [`faults`]: every Divar endpoint above routed once, behind the faults the control API
//!   queues for it;
//! * [`receiver`]: named Standard Webhooks receivers for the app's webhooks, verifying,
//!   recording and answering (ok, failing, slow or never) as a test asks;
//! * [`control`]: fault injection, the clock, and the journal, for tests and for people;
//! * [`journal`]: every request received or sent, with secrets masked.
//!
//! The modules are layered, each importing only modules of the layers below it:
//!
//! 1. `config`, `html` (the pages), [`message`], `errors` (Divar's error bodies) and [`inbox`]
//!    (the webhook receivers' records) import no other module;
//! 2. [`state`]: the world, with the journal's entries and the queued faults;
//! 3. [`journal`] and `access` (the checks of an open-platform call's credentials);
//! 4. [`events`]: Divar's calls to the app's URLs, journaled;
//! 5. the endpoints: [`chat`], [`oauth`], [`api`], [`bot`], [`addons`] and [`receiver`];
//! 6. [`faults`] (the router of the endpoints Divar's API serves) and [`control`], then this
//!    root, which puts the routers together.
//!
//! It is never part of a production build, and refuses to run with a production configuration.

mod access;
pub mod addons;
pub mod api;
pub mod bot;
pub mod chat;
mod config;
pub mod control;
mod errors;
pub mod events;
pub mod faults;
mod html;
pub mod inbox;
pub mod journal;
pub mod message;
pub mod oauth;
pub mod post_chats;
pub mod receiver;
pub mod state;

use std::net::SocketAddr;

use axum::Router;

pub use config::{Credentials, SandboxConfig, SandboxError};
pub use state::Sandbox;

/// All of the sandbox's routes, journaled.
pub fn router(sandbox: Sandbox) -> Router {
    Router::new()
        .merge(chat::router())
        .merge(oauth::router())
        .merge(faults::router(&sandbox))
        .merge(bot::router())
        .merge(addons::router())
        .merge(post_chats::router())
        .merge(receiver::router())
        .merge(control::router(&sandbox))
        .layer(axum::middleware::from_fn_with_state(
            sandbox.clone(),
            journal::record_inbound,
        ))
        .with_state(sandbox)
}

/// Serves the sandbox on `addr` (loopback only) until the process ends.
pub async fn serve(config: SandboxConfig, addr: SocketAddr) -> anyhow::Result<()> {
    if !addr.ip().is_loopback() {
        return Err(SandboxError::NotLoopback.into());
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("Divar sandbox on http://{addr}");
    axum::serve(listener, router(Sandbox::new(config))).await?;
    Ok(())
}
