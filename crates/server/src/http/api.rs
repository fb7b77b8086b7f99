//! The operator API over HTTP (docs/api.md): `Authorization: Bearer` tokens, JSON in and out,
//! errors as problem details, every call logged with its token. The handlers extract, call
//! [`crate::api`] and serialize; the OpenAPI 3.1 document is generated from them and their
//! types ([`Document`]), and served at `/api/v1/openapi.json`.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::api::Scope;
use domain::routes::Route;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::OpenApi;

use crate::api::views::{
    MoveRequest, Moved, ProblemDetails, ShipmentDetails, ShipmentPage, StatusInfo,
};
use crate::api::{self, ListQuery};
use crate::problem::{Kind, Problem};
use crate::state::AppState;

/// A move's body is a few fields: anything larger is refused before it is read.
const MAX_BODY_BYTES: usize = 4 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(Route::ApiShipments.path(), get(list))
        .route(Route::ApiShipment.path(), get(read))
        .route(Route::ApiMoves.path(), post(move_shipment))
        .route(Route::ApiStatuses.path(), get(statuses))
        .route(Route::ApiDocument.path(), get(document))
        .merge(super::api_webhooks::router())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(as_problem))
}

/// Errors that other layers answered (the body limit, a path that does not parse, a method
/// the route lacks) told as problem details too: the API has one shape of error.
async fn as_problem(response: Response) -> Response {
    let status = response.status();
    let told = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == "application/problem+json");
    if told || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let kind = Kind::of_status(status);
    let mut problem = Problem::new(kind, kind.title());
    problem.status = status.as_u16();
    problem.into_response()
}

/// The answer to an authenticated call, logged with its token and route.
pub(super) async fn answer(
    state: &AppState,
    token: &store::api::Token,
    method: &str,
    route: Route,
    response: Response,
) -> Response {
    api::log_call(
        state,
        token,
        method,
        route.path(),
        response.status().as_u16(),
    )
    .await;
    response
}

/// The live token a call presents (`Authorization: Bearer …`), within its rate limit; a call
/// without one is answered its problem before the handler runs.
pub(super) struct Caller(pub(super) store::api::Token);

impl axum::extract::FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        api::authenticate(state, authorization)
            .await
            .map(Caller)
            .map_err(IntoResponse::into_response)
    }
}

pub(super) fn json_or_problem<T: serde::Serialize>(result: Result<T, Problem>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// List shipments, oldest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/shipments",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of shipments", body = ShipmentPage),
        (status = 401, description = "No live token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks shipments:read", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A filter or the cursor is invalid", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's or the address's rate limit", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "shipments"
)]
async fn list(
    State(state): State<AppState>,
    Caller(token): Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let result = match query {
        Ok(Query(query)) => api::list(&state, &token, &query).await,
        Err(rejection) => Err(Problem::new(Kind::Invalid, rejection.body_text())),
    };
    answer(
        &state,
        &token,
        "GET",
        Route::ApiShipments,
        json_or_problem(result),
    )
    .await
}

/// Read one shipment with its timeline; its two sides with `personal:read`.
#[utoipa::path(
    get,
    path = "/api/v1/shipments/{id}",
    params(("id" = String, Path, description = "The tracking code")),
    responses(
        (status = 200, description = "The shipment", body = ShipmentDetails),
        (status = 401, description = "No live token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks shipments:read", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No shipment has this code", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "Over the rate limit", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "shipments"
)]
async fn read(
    State(state): State<AppState>,
    Caller(token): Caller,
    Path(id): Path<String>,
) -> Response {
    let result = api::read(&state, &token, &id).await;
    answer(
        &state,
        &token,
        "GET",
        Route::ApiShipment,
        json_or_problem(result),
    )
    .await
}

/// Move a shipment to another status, with the console's rules and chat messages. Send an
/// `Idempotency-Key` to retry safely: the same key and body answer the first answer again.
#[utoipa::path(
    post,
    path = "/api/v1/shipments/{id}/moves",
    params(
        ("id" = String, Path, description = "The tracking code"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 100 visible ASCII characters, one per intended move"),
    ),
    request_body = MoveRequest,
    responses(
        (status = 200, description = "Moved (or the answer to the same key before)", body = Moved),
        (status = 401, description = "No live token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks shipments:move", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No shipment has this code", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current status, or the key was used with another request", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The body is invalid (a reason or a pickup missing)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "Over the rate limit", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "shipments"
)]
async fn move_shipment(
    State(state): State<AppState>,
    Caller(token): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let response = match serde_json::from_slice::<MoveRequest>(&body) {
        Err(cause) => Problem::new(Kind::Invalid, format!("بدنهٔ JSON: {cause}")).into_response(),
        Ok(request) => match api::move_shipment(&state, &token, &id, &request, key).await {
            Err(problem) => problem.into_response(),
            Ok(kept) => {
                let content_type = if kept.status < 400 {
                    "application/json"
                } else {
                    "application/problem+json"
                };
                let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
                let mut response = (status, kept.body).into_response();
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                if kept.replayed {
                    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
                }
                response
            }
        },
    };
    answer(&state, &token, "POST", Route::ApiMoves, response).await
}

/// The statuses, their Persian labels and the moves the company may make from each.
#[utoipa::path(
    get,
    path = "/api/v1/statuses",
    responses(
        (status = 200, description = "Every status", body = Vec<StatusInfo>),
        (status = 401, description = "No live token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks shipments:read", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "statuses"
)]
async fn statuses(State(state): State<AppState>, Caller(token): Caller) -> Response {
    let result = api::require(&token, Scope::ShipmentsRead).map(|()| api::statuses());
    answer(
        &state,
        &token,
        "GET",
        Route::ApiStatuses,
        json_or_problem(result),
    )
    .await
}

/// The OpenAPI 3.1 document of the operator API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ersal operator API",
        version = "1",
        description = "The shipping company's own systems read and move Ersal's shipments, and register the webhooks that tell them what happens. See docs/api.md and docs/webhooks.md."
    ),
    paths(
        list,
        read,
        move_shipment,
        statuses,
        super::api_webhooks::list_webhooks,
        super::api_webhooks::add_webhook,
        super::api_webhooks::delete_webhook,
        super::api_webhooks::rotate_webhook_secret
    ),
    components(schemas(ProblemDetails)),
    modifiers(&BearerScheme),
    tags(
        (name = "shipments", description = "Shipments, their timelines and their moves"),
        (name = "statuses", description = "The status catalogue"),
        (name = "webhooks", description = "Webhook endpoints (docs/webhooks.md)")
    )
)]
pub struct Document;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document, built and serialized once per process.
static DOCUMENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    Document::openapi()
        .to_json()
        .expect("the document serializes")
});

async fn document() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        DOCUMENT.as_str(),
    )
        .into_response()
}
