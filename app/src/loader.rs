//! The script that loads the WASM and hydrates a page's islands ([`IslandScripts`]).
//!
//! Leptos's own `HydrationScripts` also preloads the JavaScript and the WASM at high priority
//! from the `<head>`'s first bytes. On a slow phone network those ~50 KB then share the line
//! with the stylesheet and the font that the first paint waits for, and the page works without
//! them anyway. So Ersal writes its own loader: nothing is fetched until the browser is idle
//! after the page has rendered, then each island is hydrated. Ersal's islands are never nested,
//! so each `<leptos-island>` is hydrated by the export its `data-component` names.

use std::path::PathBuf;
use std::sync::OnceLock;

use leptos::prelude::*;

/// The loader of the page's islands, with the response's CSP nonce: only pages with an island
/// carry it (and so only they download the WASM).
#[component]
pub fn IslandScripts() -> impl IntoView {
    let options = use_context::<LeptosOptions>()?;
    let nonce = leptos::nonce::use_nonce();
    let (js, wasm) = bundle(&options);
    let script = format!(
        "const hydrate = () => import({js:?}).then(async (mod) => {{\
         await mod.default({{ module_or_path: {wasm:?} }});\
         mod.hydrate();\
         for (const island of document.querySelectorAll(\"leptos-island\")) \
         mod[island.dataset.component]?.(island);\
         }});\
         addEventListener(\"load\", () => \
         window.requestIdleCallback ? requestIdleCallback(hydrate) : setTimeout(hydrate));"
    );
    Some(view! { <script type="module" nonce=nonce>{script}</script> })
}

/// The site paths of the JavaScript and the WASM (`/pkg/ersal.<hash>.js` and `.wasm`), the
/// hashes read once from the file cargo-leptos writes beside the binary.
fn bundle(options: &LeptosOptions) -> &'static (String, String) {
    static BUNDLE: OnceLock<(String, String)> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let hashes = if options.hash_files {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
                .and_then(|path: PathBuf| std::fs::read_to_string(path).ok())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let name = |kind: &str| {
            let hash = hashes
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(file, _)| file.trim() == kind)
                .map(|(_, hash)| format!(".{}", hash.trim()))
                .unwrap_or_default();
            format!(
                "/{}/{}{hash}.{kind}",
                options.site_pkg_dir, options.output_name
            )
        };
        (name("js"), name("wasm"))
    })
}
