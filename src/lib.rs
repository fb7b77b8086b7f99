//! Ersal's root crate: the server (feature `ssr`: [`server`] assembles and serves the app, and
//! `main.rs` runs it) and the WASM entry (feature `hydrate`: hydrates the landing pages'
//! islands).

#[cfg(feature = "ssr")]
pub mod server;

/// The islands (`#[island]` in `app`) are exported from this WASM module; Leptos's loader calls
/// [`hydrate`], then hydrates each island on the page.
#[cfg(feature = "hydrate")]
use app as _;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The loader hydrates the page's islands as soon as this returns, within the same task; a
    // mark set in the next task says they all run (the end-to-end tests wait for it).
    leptos::prelude::set_timeout(
        || {
            if let Some(root) = leptos::prelude::document().document_element() {
                let _ = root.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
