//! Small building blocks shared by the pages: the apps' frame, labelled fields with server and
//! inline errors, the city picker, the error summary, dead ends and the way back to Divar.

use domain::routes::Route;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::Router;

use domain::forms::Errors;

/// The `<head>` tags both apps' documents share: Persian on a phone, light and dark, the
/// regular font weight preloaded (the bold one is left to the stylesheet: preloading it too
/// delays the first paint of the text, by 0.15 s in Lighthouse's slow 4G).
#[component]
pub fn CommonHead() -> impl IntoView {
    view! {
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href="data:," />
        <link
            rel="preload"
            href="/fonts/vazirmatn-fa-400-v33.woff2"
            r#as="font"
            r#type="font/woff2"
            crossorigin=""
        />
    }
}

/// A province and its cities, as the city picker shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProvinceOption {
    pub name: String,
    pub cities: Vec<(String, String)>,
}

/// A labelled text input named `form[<field>]`, with the server's error for the field below it.
/// Inside [`crate::islands::FieldChecks`], the same domain check runs as the user leaves it.
#[component]
pub fn Field(
    field: &'static str,
    label: &'static str,
    value: String,
    errors: Errors,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] input_mode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] optional: bool,
) -> impl IntoView {
    let error = errors.get(field).cloned();
    let invalid = error.is_some();
    let id = format!("f-{field}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = [
        hint.is_some().then(|| hint_id.clone()),
        invalid.then(|| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>
                {label}
                {optional.then(|| view! { <span class="muted">" (اختیاری)"</span> })}
            </label>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <input
                id=id
                name=format!("form[{field}]")
                type="text"
                value=value
                inputmode=input_mode
                autocomplete=autocomplete.unwrap_or("off")
                aria-invalid=invalid.to_string()
                aria-describedby=(!described.is_empty()).then_some(described)
            />
            {error.map(|message| view! { <p class="field-error" id=error_id>{message}</p> })}
        </div>
    }
}

/// Short optional fields side by side under one legend that says they are optional (the
/// dimensions; the plaque, unit and floor), so that no label wraps beside its neighbours.
#[component]
pub fn OptionalRow(legend: &'static str, children: Children) -> impl IntoView {
    view! {
        <fieldset>
            <legend>{legend}<span class="muted">" (اختیاری)"</span></legend>
            <div class="row">{children()}</div>
        </fieldset>
    }
}

/// Radio buttons named `form[<field>]`, one per (value, label), `chosen` checked.
#[component]
pub fn Radios(
    field: &'static str,
    options: Vec<(&'static str, &'static str)>,
    chosen: String,
) -> impl IntoView {
    options
        .into_iter()
        .map(|(value, label)| {
            let checked = chosen == value;
            view! {
                <label class="choice">
                    <input type="radio" name=format!("form[{field}]") value=value checked=checked />
                    {label}
                </label>
            }
        })
        .collect_view()
}

/// The city picker: every province as a group of its cities.
#[component]
pub fn CitySelect(
    field: &'static str,
    label: &'static str,
    selected: String,
    provinces: Vec<ProvinceOption>,
    errors: Errors,
) -> impl IntoView {
    let error = errors.get(field).cloned();
    let id = format!("f-{field}");
    let error_id = format!("{id}-error");
    let has_error = error.is_some();
    view! {
        <div class="field" class:invalid=has_error>
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=format!("form[{field}]")
                aria-invalid=has_error.to_string()
                aria-describedby=has_error.then(|| error_id.clone())
            >
                <option value="" selected=selected.is_empty()>"انتخاب شهر"</option>
                {provinces
                    .into_iter()
                    .map(|province| {
                        let selected = selected.clone();
                        view! {
                            <optgroup label=province.name>
                                {province
                                    .cities
                                    .into_iter()
                                    .map(|(id, name)| {
                                        let is_selected = id == selected;
                                        view! { <option value=id selected=is_selected>{name}</option> }
                                    })
                                    .collect_view()}
                            </optgroup>
                        }
                    })
                    .collect_view()}
            </select>
            {error.map(|message| view! { <p class="field-error" id=error_id>{message}</p> })}
        </div>
    }
}

/// A summary of what to fix, announced to screen readers.
#[component]
pub fn ErrorSummary(errors: Errors) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert">
                <p>"چند بخش نیاز به اصلاح دارد؛ پیام زیر هر بخش را ببینید."</p>
            </div>
        }
    })
}

/// The way back to Divar, on every screen.
#[component]
pub fn BackToDivar(href: String, #[prop(optional)] primary: bool) -> impl IntoView {
    view! {
        <a class="button" class:secondary=!primary href=href>
            "بازگشت به دیوار"
        </a>
    }
}

/// An app's frame: its title, its router, and the page's main element.
#[component]
pub fn Frame(title: &'static str, children: Children) -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text=title />
        <Router>
            <main class="page">{children()}</main>
        </Router>
    }
}

/// The links at the foot of a user's page: back to Divar, and the privacy page.
#[component]
pub fn FooterLinks(back_to: String, #[prop(optional)] primary: bool) -> impl IntoView {
    view! {
        <nav class="card footer-links" aria-label="پیوندها">
            <BackToDivar href=back_to primary />
            <a href=Route::Privacy.path()>"حریم خصوصی"</a>
        </nav>
    }
}

/// Why a landing page cannot go on; each says what happened and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadEndKind {
    /// The landing session expired or never was.
    SessionEnded,
    /// A message button altered, or pressed outside its conversation.
    ForeignButton,
    /// The other side's part is done or the request was cancelled.
    NoLongerWaiting,
    /// A tracking page opened by someone who is neither side.
    NotYourShipment,
}

impl DeadEndKind {
    /// The status it is answered with, as the plain handlers answer the same causes
    /// (`ersal_server::http::landing`): gone, forbidden, or in conflict with the shipment's
    /// state.
    #[cfg(feature = "ssr")]
    fn status(self) -> http::StatusCode {
        match self {
            Self::SessionEnded => http::StatusCode::GONE,
            Self::ForeignButton | Self::NotYourShipment => http::StatusCode::FORBIDDEN,
            Self::NoLongerWaiting => http::StatusCode::CONFLICT,
        }
    }

    fn texts(self) -> (&'static str, &'static str) {
        match self {
            Self::SessionEnded => (
                "نشست شما پایان یافته است",
                "برای ادامه به گفتگو در دیوار برگردید و «ارسال» را دوباره باز کنید.",
            ),
            Self::ForeignButton => (
                "این دکمه معتبر نیست",
                "این دکمه به این گفتگو تعلق ندارد یا تغییر کرده است. هیچ تغییری انجام نشد.",
            ),
            Self::NoLongerWaiting => (
                "این درخواست دیگر منتظر شما نیست",
                "مشخصات طرف دوم قبلاً ثبت شده یا درخواست لغو شده است.",
            ),
            Self::NotYourShipment => (
                "این مرسوله را نمی‌توان نشان داد",
                "پیگیری فقط برای دو طرف همان گفتگو است. از دکمهٔ پیگیری در گفتگوی دیوار وارد شوید.",
            ),
        }
    }
}

/// A dead end said plainly: what happened, what to do, and the way back to Divar (with one
/// further link, when there is somewhere else to go).
#[component]
pub fn DeadEnd(
    kind: DeadEndKind,
    back_to: String,
    #[prop(optional)] link: Option<(String, &'static str)>,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::set_status(kind.status());
    let (title, body) = kind.texts();
    view! {
        <section class="card" role="alert">
            <h1>{title}</h1>
            <p>{body}</p>
            {link.map(|(href, label)| view! { <p><a href=href>{label}</a></p> })}
            <BackToDivar href=back_to primary=true />
        </section>
    }
}

/// What a page shows when its data cannot be read (the database is unreachable): answered 503,
/// like the plain handlers' error page, so that nothing takes it for the page itself.
#[component]
pub fn Failure() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::set_status(http::StatusCode::SERVICE_UNAVAILABLE);
    view! {
        <section class="card" role="alert">
            <h1>"خطای موقت"</h1>
            <p>"بارگذاری اطلاعات ممکن نشد. صفحه را دوباره باز کنید."</p>
        </section>
    }
}
