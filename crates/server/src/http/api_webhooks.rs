//! The operator API's webhook routes over HTTP (docs/webhooks.md), beside the shipments' in
//! [`super::api`], with the same token extractor, call log and problem details.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use domain::routes::Route;
use http::StatusCode;

use super::api::{answer, json_or_problem, Caller};
use crate::api::views::{NewWebhook, ProblemDetails, WebhookEndpoints, WebhookSecret};
use crate::api::webhooks as use_cases;
use crate::problem::{Kind, Problem};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            Route::ApiWebhooks.path(),
            get(list_webhooks).post(add_webhook),
        )
        .route(Route::ApiWebhook.path(), delete(delete_webhook))
        .route(Route::ApiWebhookSecret.path(), post(rotate_webhook_secret))
}

/// An endpoint's id in the path: a path that is no number names no endpoint.
fn endpoint_id(raw: &str) -> Result<i64, Problem> {
    raw.parse()
        .map_err(|_| Problem::new(Kind::NotFound, "وب‌هوکی با این شناسه نیست."))
}

/// List the webhook endpoints.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    responses(
        (status = 200, description = "Every endpoint", body = WebhookEndpoints),
        (status = 401, description = "No live token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks webhooks:manage", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "webhooks"
)]
pub(super) async fn list_webhooks(
    State(state): State<AppState>,
    Caller(token): Caller,
) -> Response {
    let result = use_cases::list(&state, &token).await;
    let response = json_or_problem(result);
    answer(&state, &token, "GET", Route::ApiWebhooks, response).await
}

/// Register an endpoint; its signing secret is in this answer only.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    request_body = NewWebhook,
    responses(
        (status = 201, description = "Registered", body = WebhookSecret),
        (status = 401, description = "No live token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks webhooks:manage (or personal:read, for personal data)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "20 endpoints are registered already", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not an https URL on a public address, or no known event", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "webhooks"
)]
pub(super) async fn add_webhook(
    State(state): State<AppState>,
    Caller(token): Caller,
    body: Bytes,
) -> Response {
    let response = match serde_json::from_slice::<NewWebhook>(&body) {
        Err(cause) => Problem::new(Kind::Invalid, format!("بدنهٔ JSON: {cause}")).into_response(),
        Ok(new) => match use_cases::add(&state, &token, &new).await {
            Ok(added) => (StatusCode::CREATED, axum::Json(added)).into_response(),
            Err(problem) => problem.into_response(),
        },
    };
    answer(&state, &token, "POST", Route::ApiWebhooks, response).await
}

/// Delete an endpoint, with its waiting messages and its log.
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{id}",
    params(("id" = i64, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No live token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks webhooks:manage", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No endpoint has this id", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "webhooks"
)]
pub(super) async fn delete_webhook(
    State(state): State<AppState>,
    Caller(token): Caller,
    Path(id): Path<String>,
) -> Response {
    let result = match endpoint_id(&id) {
        Ok(id) => use_cases::delete(&state, &token, id).await,
        Err(problem) => Err(problem),
    };
    let response = match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(problem) => problem.into_response(),
    };
    answer(&state, &token, "DELETE", Route::ApiWebhook, response).await
}

/// Give an endpoint a new signing secret; the old one keeps signing beside it for a day.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/secret",
    params(("id" = i64, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The new secret, shown this once", body = WebhookSecret),
        (status = 401, description = "No live token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks webhooks:manage", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No endpoint has this id", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "webhooks"
)]
pub(super) async fn rotate_webhook_secret(
    State(state): State<AppState>,
    Caller(token): Caller,
    Path(id): Path<String>,
) -> Response {
    let result = match endpoint_id(&id) {
        Ok(id) => use_cases::rotate(&state, &token, id).await,
        Err(problem) => Err(problem),
    };
    let response = json_or_problem(result);
    answer(&state, &token, "POST", Route::ApiWebhookSecret, response).await
}
