//! Ersal's root crate: the server (feature `ssr`: [`server`] assembles and serves the app, and
//! `main.rs` runs it) and the WASM entry (feature `hydrate`: hydrates the landing pages).

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A mark that the WASM ran; the end-to-end tests wait for it.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
