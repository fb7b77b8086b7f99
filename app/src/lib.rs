//! Ersal's UI: two Persian, right-to-left Leptos apps. Pages call the use cases of
//! `ersal_server` through thin server functions and only map their results to views.
//!
//! * [`shell`] and [`App`]: the landing app Divar's users see, rendered on the server; only its
//!   [`islands`] (the fields' inline checks, the quote that follows the city) are compiled to
//!   WASM and hydrated, and only pages with an island load it ([`loader::IslandScripts`]). Every
//!   page works as plain HTML before (or without) the WASM;
//! * [`flow`]: the landing flow that Divar's webview opens (item → own side → quote);
//! * [`tracking`]: a shipment's timeline; [`privacy`]: the privacy page;
//! * [`addon`]: shipping offered on a post (the seller's page and the buyer's price);
//! * [`order`]: an order as both sides and operators read it;
//! * [`console`]: the operator console, its own server-rendered app (server only);
//! * [`ui`]: shared building blocks.

pub mod addon;
pub mod assistant;
#[cfg(feature = "ssr")]
pub mod console;
pub mod flow;
pub mod islands;
mod loader;
pub mod order;
pub mod privacy;
#[cfg(feature = "ssr")]
mod server;
pub mod support_line;
pub mod tracking;
pub mod ui;
pub mod waybill;

use domain::routes::Route;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags};
use leptos_router::components::{Route, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

/// The document: RTL Persian, light and dark, the font preloaded. Its scripts carry the
/// response's CSP nonce.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    server_rendered(&options);
    view! {
        <!DOCTYPE html>
        <html lang="fa" dir="rtl">
            <head>
                <ui::CommonHead />
                <AutoReload options=options.clone() />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// What both shells set before they render: the CSP nonce, the site's options (for
/// [`loader::IslandScripts`]), and that the page is not hydrated as a whole (only its islands are,
/// so nothing outside them is serialised into the page for the browser).
#[cfg(feature = "ssr")]
pub(crate) fn server_rendered(options: &LeptosOptions) {
    provide_csp_nonce();
    provide_context(options.clone());
    if let Some(shared) = Owner::current_shared_context() {
        shared.set_is_hydrating(false);
    }
}

/// Gives Leptos the nonce that `ersal_server::http::headers` made for this response and sends
/// in its Content-Security-Policy, so that the hydration script and the inline data scripts
/// Leptos writes carry it.
#[cfg(feature = "ssr")]
fn provide_csp_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<ersal_server::http::CspNonce>()
            .cloned()
    });
    if let Some(nonce) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce.as_str()));
    }
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <ui::Frame title="ارسال کالا">
            <Routes fallback=NotFound>
                <Route path=StaticSegment("") view=Home />
                <Route path=StaticSegment("request") view=flow::FlowPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("t"), ParamSegment("id")) view=tracking::TrackingPage ssr=SsrMode::Async />
                <Route path=StaticSegment("privacy") view=privacy::PrivacyPage ssr=SsrMode::Async />
                <Route path=StaticSegment("offer") view=addon::OfferPage ssr=SsrMode::Async />
                <Route path=StaticSegment("price") view=addon::PricePage ssr=SsrMode::Async />
            </Routes>
        </ui::Frame>
    }
}

#[component]
fn Home() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"ارسال کالا"</h1>
            <p>
                "«ارسال» افزونهٔ دیوار برای فرستادن کالای خرید و فروش‌شده با پست و پیک است. "
                "آن را از منوی افزونه‌های گفتگو در دیوار باز کنید."
            </p>
            <a class="tap" href=Route::Privacy.path()>"حریم خصوصی"</a>
        </section>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::set_status(http::StatusCode::NOT_FOUND);
    view! {
        <section class="card" role="alert">
            <h1>"صفحه پیدا نشد"</h1>
            <p>"این نشانی در «ارسال» وجود ندارد. «ارسال» را از گفتگو در دیوار باز کنید."</p>
        </section>
    }
}
