//! The operator console: its own server-rendered Leptos app beside the landing app, with its
//! own shell (no hydration scripts: its code is never in the WASM) and its own routes:
//!
//! * `/console/login` ([`login`]); `/console` the filtered list ([`list`]);
//! * `/console/s/{code}` one shipment with its actions ([`shipment`]);
//! * `/console/support` the support bot's conversations, and `/console/support/{id}` one of
//!   them with the answer form ([`support`]);
//! * `/console/courier` the courier's page: a handover confirmed by its code ([`courier`]);
//! * `/console/s/{code}/label` a printable label, `/console/labels?day=` a day's ([`label`]);
//! * `/console/tokens` the operator API's tokens ([`tokens`]);
//! * `/console/webhooks` the webhook endpoints, `/console/webhooks/{id}` one with its log
//!   ([`webhooks`]).
//!
//! Every form is a plain form to a server function that calls `ersal_server::console`; every
//! form carries the session's CSRF token (the login form is checked by its `Origin`).

mod courier;
mod dashboard;
mod label;
mod list;
mod login;
mod shipment;
mod support;
mod tokens;
mod webhook_views;
mod webhooks;

use domain::routes::Route;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags};
use leptos_router::components::{Route, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use ersal_server::console::CsrfForm;

/// The mark on shipments started from Divar's direct link rather than a session Divar opened.
pub const DIRECT_LINK: &str = "پیوند مستقیم";

/// The console's document: like the landing app's, without hydration.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    crate::server_rendered(&options);
    view! {
        <!DOCTYPE html>
        <html lang="fa" dir="rtl">
            <head>
                <crate::ui::CommonHead />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <ConsoleApp />
            </body>
        </html>
    }
}

#[component]
pub fn ConsoleApp() -> impl IntoView {
    view! {
        <crate::ui::Frame title="ارسال — کارکنان">
            <Routes fallback=|| view! { <p class="card">"صفحه پیدا نشد. " <a href=Route::Console.path()>"فهرست"</a></p> }>
                <Route path=StaticSegment("console") view=list::ListPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("login")) view=login::LoginPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("s"), ParamSegment("id")) view=shipment::ShipmentPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("support")) view=support::InboxPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("support"), ParamSegment("id")) view=support::ThreadPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("courier")) view=courier::CourierPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("s"), ParamSegment("id"), StaticSegment("label")) view=label::LabelPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("labels")) view=label::SheetPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("tokens")) view=tokens::TokensPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("webhooks")) view=webhooks::WebhooksPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("console"), StaticSegment("webhooks"), ParamSegment("id")) view=webhooks::WebhookPage ssr=SsrMode::Async />
            </Routes>
        </crate::ui::Frame>
    }
}

/// Sends the browser to the login page (a server function's answer).
#[cfg(feature = "ssr")]
fn to_login() {
    leptos_axum::redirect(Route::ConsoleLogin.path());
}

/// The state and the logged-in operator — with the session's CSRF token checked when a form
/// carries one — or `None` after sending the browser to the login page.
#[cfg(feature = "ssr")]
async fn signed_in(
    csrf: Option<&str>,
) -> Result<Option<(ersal_server::AppState, ersal_server::Operator)>, ServerFnError> {
    use ersal_server::console;
    let state = crate::server::state();
    let headers = crate::server::headers().await?;
    let operator = match csrf {
        Some(csrf) => console::authorized(&state, &headers, csrf).await?,
        None => console::operator(&state, &headers).await?,
    };
    if operator.is_none() {
        to_login();
    }
    Ok(operator.map(|operator| (state, operator)))
}

#[server(endpoint = "console/logout")]
pub async fn operator_logout(form: CsrfForm) -> Result<(), ServerFnError> {
    use crate::server::{headers, set_header, state};

    let state = state();
    if ersal_server::console::logout(&state, &headers().await?, &form.csrf).await? {
        set_header(
            http::header::SET_COOKIE,
            &ersal_server::console::set_cookie(&state, None),
        );
    }
    to_login();
    Ok(())
}

/// The console's header: its two sections (the one shown now marked), and who is logged in,
/// on the button that logs them out. One line on a phone.
#[component]
fn Logout(csrf: String, operator: String, current: Route) -> impl IntoView {
    let logout = ServerAction::<OperatorLogout>::new();
    let link = move |route: Route, label: &'static str| {
        let here = route == current;
        view! {
            <a href=route.path() aria-current=here.then_some("page") class:current=here>{label}</a>
        }
    };
    view! {
        <nav class="card console-nav" aria-label="بخش‌های کارکنان">
            {link(Route::Console, "مرسوله‌ها")}
            {link(Route::ConsoleSupport, "پشتیبانی")}
            {link(Route::ConsoleCourier, "پیک")}
            {link(Route::ConsoleTokens, "اتصال‌ها")}
            <ActionForm action=logout>
                <input type="hidden" name="form[csrf]" value=csrf />
                <button class="button secondary" type="submit">"خروج " <bdi class="muted">{operator}</bdi></button>
            </ActionForm>
        </nav>
    }
}
