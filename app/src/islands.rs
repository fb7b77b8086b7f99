//! The islands: the only components compiled to WASM and hydrated in the browser. Everything
//! else is rendered on the server only, and every page works without them.
//!
//! They take no props (nothing is serialised into the page for them) and act on the
//! server-rendered children they wrap, so the WASM stays small: no serialisation code, no
//! server-function client. Their events bubble up from the children to the island's root.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement, HtmlInputElement};

/// Checks each text field of the form it wraps as the user leaves it, with the same domain
/// rule the server applies (`domain::forms::check_field`), and shows or clears the field's
/// error as [`crate::ui::Field`] renders it.
#[island]
pub fn FieldChecks(children: Children) -> impl IntoView {
    let left = |ev: leptos::ev::FocusEvent| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
        if let Some(input) = input.filter(|i| i.type_() == "text") {
            let name = input.name();
            if let Some(field) = name.strip_prefix("form[").and_then(|n| n.strip_suffix(']')) {
                show(
                    &input,
                    field,
                    domain::forms::check_field(field, &input.value()),
                );
            }
        }
    };
    view! { <div on:focusout=left>{children()}</div> }
}

/// Shows `error` below `input` (or removes it), with the classes and ARIA attributes the
/// server writes for the same state.
fn show(input: &HtmlInputElement, field: &str, error: Option<String>) -> Option<()> {
    let document = input.owner_document()?;
    let wrapper = input.closest(".field").ok()??;
    let error_id = format!("f-{field}-error");
    let hint_id = format!("f-{field}-hint");
    let shown = document.get_element_by_id(&error_id);
    let invalid = error.is_some();
    match (error, shown) {
        (Some(message), Some(shown)) => shown.set_text_content(Some(&message)),
        (Some(message), None) => {
            let line = document.create_element("p").ok()?;
            line.set_id(&error_id);
            line.set_class_name("field-error");
            line.set_text_content(Some(&message));
            wrapper.append_child(&line).ok()?;
        }
        (None, Some(shown)) => shown.remove(),
        (None, None) => {}
    }
    wrapper
        .class_list()
        .toggle_with_force("invalid", invalid)
        .ok()?;
    input
        .set_attribute("aria-invalid", if invalid { "true" } else { "false" })
        .ok()?;
    let described = [
        document.get_element_by_id(&hint_id).map(|_| hint_id),
        invalid.then_some(error_id),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    if described.is_empty() {
        input.remove_attribute("aria-describedby").ok()
    } else {
        input.set_attribute("aria-describedby", &described).ok()
    }
}

/// The city picker and its "calculate" button (the island's children): choosing another city
/// presses the button, so the page comes back with that city's prices and keeps everything
/// chosen. Without the WASM, the user presses it.
#[island]
pub fn RequoteOnPick(children: Children) -> impl IntoView {
    let picked = |ev: leptos::ev::Event| {
        let picker = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
        if picker.and_then(|p| p.get_attribute("name")).as_deref() != Some("form[other_city]") {
            return;
        }
        let button = ev
            .current_target()
            .and_then(|island| island.dyn_into::<Element>().ok())
            .and_then(|island| island.query_selector("button[type=submit]").ok().flatten())
            .and_then(|button| button.dyn_into::<HtmlElement>().ok());
        if let Some(button) = button {
            button.click();
        }
    };
    view! { <div on:change=picked>{children()}</div> }
}
