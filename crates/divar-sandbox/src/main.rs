//! The Divar sandbox on its own, configured from the environment (`SandboxConfig::from_env`:
//! the app's own variables and the development defaults, so the two agree on keys and
//! secrets). Refuses to run when `ERSAL_MODE=prod`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let (config, addr) = divar_sandbox::SandboxConfig::from_env()?;
    divar_sandbox::serve(config, addr).await
}
