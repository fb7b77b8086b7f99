//! The one app builder (feature `ssr`): the whole router — the plain routes Divar and browsers
//! call, the landing app's pages and server functions, the console's pages, and the layers —
//! assembled from a state and the Leptos options, and served with the listener's limits. The
//! binary and the tests both use these two functions, so the tests run what ships.

use axum::Router;
use ersal_server::{http, AppState};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, generate_route_list_with_exclusions, LeptosRoutes};
use tower_http::limit::RequestBodyLimitLayer;

/// The most a page's form may send: the longest form, every field typed to its cap, is well
/// under it. A larger body is refused (413) before it is read.
pub const FORM_BODY_BYTES: usize = 16 * 1024;

/// Everything Ersal answers, with its layers.
pub fn router(state: AppState, options: LeptosOptions) -> Router {
    let provide_state = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let landing = Router::new()
        .leptos_routes_with_context(
            &options,
            generate_route_list(app::App),
            provide_state.clone(),
            {
                let options = options.clone();
                move || app::shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler_with_context(
            provide_state.clone(),
            app::shell,
        ));
    // The server functions are registered once, by the landing app's routes.
    let server_functions = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let console = Router::new().leptos_routes_with_context(
        &options,
        generate_route_list_with_exclusions(app::console::ConsoleApp, Some(server_functions)),
        provide_state,
        {
            let options = options.clone();
            move || app::console::shell(options.clone())
        },
    );
    let apps = console
        .with_state(options.clone())
        .merge(landing.with_state(options))
        .layer(RequestBodyLimitLayer::new(FORM_BODY_BYTES));
    http::layered(http::routes(state.clone()).merge(apps), &state)
}

/// Serves the whole app of `state` on `listener` until `shutdown` resolves, with the limits
/// its configuration sets (`ersal_server::listener`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    options: LeptosOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config.listener;
    ersal_server::listener::serve(listener, router(state, options), limits, shutdown).await
}

/// The Divar sandbox in front of an Ersal configured by `config` (development and tests): the
/// same keys and secrets, the app's init URL and OAuth callback.
#[cfg(feature = "sandbox")]
pub fn sandbox_config(config: &ersal_server::Config, origin: &str) -> divar_sandbox::SandboxConfig {
    use secrecy::ExposeSecret;
    let credentials = divar_sandbox::Credentials {
        identification_key: config
            .identification_keys
            .first()
            .map(|k| k.expose_secret().to_owned())
            .unwrap_or_default(),
        app_slug: config.kenar_app_slug.clone(),
        api_key: config.kenar_api_key.expose_secret().to_owned(),
        client_secret: config.oauth_client_secret.expose_secret().to_owned(),
    };
    divar_sandbox::SandboxConfig::for_app(origin, &config.public_url(""), credentials)
}
