//! What the server functions and pages share on the server (feature `ssr`): the application
//! state, the request's headers and client address, the browser's landing session, and the
//! response headers a page decides.

use ersal_server::AppState;
use ersal_server::LandingSession;
use leptos::prelude::*;

use crate::ui::ProvinceOption;

pub fn state() -> AppState {
    expect_context::<AppState>()
}

/// The request's headers.
pub async fn headers() -> Result<http::HeaderMap, ServerFnError> {
    Ok(leptos_axum::extract().await?)
}

/// The client's address as the app's layers worked it out (the peer, or what trusted proxies
/// report: `ersal_server::address`); `None` where it is unknown.
pub async fn client_address() -> Option<String> {
    use axum::Extension;
    use ersal_server::address::ClientAddress;
    let Extension(ClientAddress(address)) = leptos_axum::extract::<Extension<ClientAddress>>()
        .await
        .ok()?;
    address.map(|a| a.to_string())
}

/// The landing session of the browser making this request.
pub async fn session(state: &AppState) -> Result<Option<LandingSession>, ServerFnError> {
    Ok(state.current_session(&headers().await?).await?)
}

/// Sets the status of the page being answered (its routes render whole before answering,
/// `SsrMode::Async`, so a status set while rendering is the one sent).
pub fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// Sets a response header on the page or server function being answered.
pub fn set_header(name: http::HeaderName, value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(name, value);
    }
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
