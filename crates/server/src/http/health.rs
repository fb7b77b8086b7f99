//! Probes for a load balancer or orchestrator:
//! * `GET /healthz` (liveness): 200 when the process answers and its database does, 503
//!   otherwise;
//! * `GET /readyz` (readiness): 200 only when the database answers and every migration this
//!   build knows has been applied, 503 otherwise (a new build waiting for `ersal migrate`, or
//!   a database that is down, gets no traffic).

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use domain::routes::Route;
use http::StatusCode;
use serde_json::json;

use crate::state::AppState;
use store::db;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(Route::Healthz.path(), get(health))
        .route(Route::Readyz.path(), get(ready))
}

fn answer(ok: bool) -> impl IntoResponse {
    if ok {
        (StatusCode::OK, Json(json!({"status": "ok"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable"})),
        )
    }
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let answered = within(&state, db::ping(&state.db)).await;
    if let Err(cause) = &answered {
        tracing::error!(error = %cause, "health check: database unavailable");
    }
    answer(answered.is_ok())
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let migrated = within(&state, state.db.is_migrated()).await;
    match &migrated {
        Ok(false) => tracing::warn!("readiness: migrations pending"),
        Err(cause) => tracing::error!(error = %cause, "readiness: database unavailable"),
        Ok(true) => {}
    }
    answer(matches!(migrated, Ok(true)))
}

/// `check`, given up after the request timeout (the probes have no timeout layer, see
/// [`super::layered`]): a database that stops answering mid-query fails the probe.
async fn within<T, E: std::fmt::Display>(
    state: &AppState,
    check: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(state.config.listener.request, check).await {
        Ok(done) => done.map_err(|e| e.to_string()),
        Err(_) => Err("no answer within the request timeout".to_owned()),
    }
}
