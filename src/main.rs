//! The Ersal server: loads the configuration, opens and migrates the database, and serves the
//! contract endpoints (Divar's init, the landing entry, health) together with the Leptos app.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use anyhow::Context;
    use app::{shell, App};
    use axum::Router;
    use ersal_server::{http, AppState, Config};
    use leptos::prelude::*;
    use leptos_axum::{generate_route_list, LeptosRoutes};

    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();

    let config = Config::from_env()?;
    tracing::info!(config = %config.summary(), "starting");
    #[cfg(feature = "sandbox")]
    start_sandbox(&config)?;
    let leptos = get_configuration(Some("Leptos.toml")).context("reading Leptos.toml")?;
    let options = leptos.leptos_options;
    let addr = options.site_addr;
    let state = AppState::connect(config)
        .await
        .context("opening the database")?;

    let provide_state = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let ui = Router::new()
        .leptos_routes_with_context(&options, generate_route_list(App), provide_state.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            provide_state,
            shell,
        ))
        .with_state(options);
    ersal_server::chat::spawn_worker(state.clone());
    let app = http::layered(
        http::routes(state.clone())
            .merge(app::oauth::routes(state))
            .merge(ui),
    );

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!("listening on http://{addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// In dev, plays Divar on its own origin (`DIVAR_SANDBOX_ADDR`, default 127.0.0.1:3100). A
/// production configuration has no sandbox address, and the sandbox refuses it anyway.
#[cfg(feature = "sandbox")]
fn start_sandbox(config: &ersal_server::Config) -> anyhow::Result<()> {
    let Some(addr) = config.sandbox_addr else {
        tracing::info!("Divar sandbox not started: production configuration");
        return Ok(());
    };
    let sandbox = divar_sandbox::SandboxConfig::for_ersal(config, &format!("http://{addr}"))?;
    tokio::spawn(async move {
        if let Err(cause) = divar_sandbox::serve(sandbox, addr).await {
            tracing::error!(error = %cause, "the Divar sandbox stopped");
        }
    });
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before the process exits.
#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {}
