//! The Divar sandbox on its own: reads Ersal's configuration (the same variables and dev
//! defaults, so the two agree on keys and secrets) and serves on `DIVAR_SANDBOX_ADDR`
//! (default 127.0.0.1:3100). Refuses to run when `ERSAL_MODE=prod`.

use std::net::SocketAddr;

use divar_sandbox::{SandboxConfig, SandboxError};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let ersal = ersal_server::Config::from_env()?;
    let addr: SocketAddr = ersal.sandbox_addr.ok_or(SandboxError::Production)?;
    let config = SandboxConfig::for_ersal(&ersal, &format!("http://{addr}"))?;
    divar_sandbox::serve(config, addr).await
}
