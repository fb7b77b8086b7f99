//! Server-side helpers for the server functions (feature `ssr`): the application state, the
//! browser's landing session, and turning internal failures into a generic error after logging
//! them.

use ersal_server::sessions::LandingSession;
use ersal_server::AppState;
use leptos::prelude::*;

use crate::ui::ProvinceOption;

pub fn state() -> AppState {
    expect_context::<AppState>()
}

/// Logs an internal failure; the user gets a generic message.
pub fn fail(cause: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(error = %cause, "server function failed");
    ServerFnError::new("internal error")
}

/// The landing session of the browser making this request.
pub async fn session(state: &AppState) -> Result<Option<LandingSession>, ServerFnError> {
    let headers: http::HeaderMap = leptos_axum::extract().await?;
    state.current_session(&headers).await.map_err(fail)
}

/// Days since the epoch in Tehran (UTC+03:30) for a Unix time.
pub fn tehran_day(now: i64) -> i64 {
    (now + 12_600).div_euclid(86_400)
}

/// The days a courier pickup may be booked: today and the next three (Tehran).
pub fn pickup_days(now: i64) -> Vec<i64> {
    let today = tehran_day(now);
    (today..=today + 3).collect()
}

pub fn provinces(state: &AppState) -> Vec<ProvinceOption> {
    state
        .catalog
        .places
        .provinces
        .iter()
        .map(|p| ProvinceOption {
            name: p.name.clone(),
            cities: p
                .cities
                .iter()
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect(),
        })
        .collect()
}

pub fn city_name(state: &AppState, id: &str) -> String {
    state
        .catalog
        .places
        .find(id)
        .map_or_else(|| "—".to_owned(), |p| p.city.name.clone())
}
