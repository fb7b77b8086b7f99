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
//! * [`control`]: fault injection, the clock, and the journal, for tests and for people;
//! * [`journal`]: every request received or sent, with secrets masked.
//!
//! It is never part of a production build, and refuses to run with a production configuration.

pub mod api;
pub mod chat;
pub mod control;
mod html;
pub mod journal;
pub mod message;
pub mod oauth;
pub mod state;

use std::net::SocketAddr;

use axum::Router;
use ersal_server::config::Mode;
use secrecy::ExposeSecret;

pub use state::Sandbox;

/// What the sandbox needs to know about the app it stands in front of.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The sandbox's own origin, e.g. `http://127.0.0.1:3100`.
    pub origin: String,
    /// The app's Session Initialization URL.
    pub init_url: String,
    /// The Divar identification key sent in `Authorization` on init calls.
    pub identification_key: String,
    pub app_slug: String,
    pub api_key: String,
    pub client_secret: String,
    /// The OAuth redirect URIs registered for the app.
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the Divar sandbox never runs with ERSAL_MODE=prod")]
    Production,
    #[error("the sandbox address must be a loopback address")]
    NotLoopback,
}

impl SandboxConfig {
    /// The sandbox in front of an Ersal configured by `config`: the same keys and secrets, the
    /// app's init URL and OAuth callback. Refuses a production configuration.
    pub fn for_ersal(config: &ersal_server::Config, origin: &str) -> Result<Self, SandboxError> {
        if config.mode == Mode::Prod {
            return Err(SandboxError::Production);
        }
        let key = config
            .identification_keys
            .first()
            .expect("at least one key is configured");
        Ok(Self {
            origin: origin.trim_end_matches('/').to_owned(),
            init_url: config.public_url("/divar/init"),
            identification_key: key.expose_secret().to_owned(),
            app_slug: config.kenar_app_slug.clone(),
            api_key: config.kenar_api_key.expose_secret().to_owned(),
            client_secret: config.oauth_client_secret.expose_secret().to_owned(),
            redirect_uris: vec![config.public_url("/oauth/callback")],
        })
    }
}

/// All of the sandbox's routes, journaled.
pub fn router(sandbox: Sandbox) -> Router {
    Router::new()
        .merge(chat::router())
        .merge(oauth::router())
        .merge(api::router())
        .merge(control::router())
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
