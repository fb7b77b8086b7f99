//! The landing flow at `/request`: the opener's role (asked only when Divar did not say), the
//! item, their own side, and the quote; the other side's details and confirmation.
//!
//! Every step is an ordinary `<form method="post">` to a server function, which calls the flow's
//! use case (`ersal_server::flow`), keeps what was typed in the server-side draft and redirects
//! (post/redirect/get), so the flow works with JavaScript and WebAssembly off. Where the WASM
//! runs, two islands add to that: fields are checked as the user leaves them, and choosing the
//! other city asks for its prices at once.
//!
//! * this module: the views and the server functions (thin adapters);
//! * [`page`]: the page and its two flows; [`steps`]: one component per step.

mod page;
mod steps;

use domain::draft::{Draft, Step};
use domain::forms::{Errors, ItemForm, PartyForm, QuoteForm, RoleForm};
use domain::shipment::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use page::FlowPage;

use crate::ui::ProvinceOption;

/// One service's price, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteView {
    pub service: String,
    pub label: String,
    pub total: String,
    pub shipping: String,
    pub insurance: String,
    pub vat: String,
    pub zone: String,
    pub chargeable: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandingContext {
    pub role: Option<Role>,
    /// Whether the session was opened from a chat (the result is posted there).
    pub in_chat: bool,
    /// Whether the session may offer shipping on its post (a seller's, or a direct link).
    pub can_offer: bool,
    pub back_to: String,
}

/// What people can read of the post the session is about (from Divar's get-post API): its
/// title, city and price, never its token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFacts {
    pub title: Option<String>,
    pub city: Option<String>,
    pub price: Option<String>,
    /// What shipping from the post's city costs, from the cheapest to the dearest, in Persian.
    pub shipping: Option<String>,
}

/// What the city and pickup pickers offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    pub provinces: Vec<ProvinceOption>,
    /// Pickup days: (days since the epoch, Jalali label).
    pub pickup_days: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowView {
    pub context: LandingContext,
    pub post: PostFacts,
    pub step: Step,
    pub draft: Draft,
    pub choices: Choices,
    pub quotes: Vec<QuoteView>,
}

/// The other side of the chat, opened from the opener's message button: they fill their own
/// side, see the final price and confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterpartyView {
    pub context: LandingContext,
    pub step: Step,
    pub item: String,
    pub opener_city: String,
    pub service: String,
    pub payer: String,
    pub form: PartyForm,
    pub errors: Errors,
    pub choices: Choices,
    /// The final price, on the confirmation step.
    pub total: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flow {
    Active(Box<FlowView>),
    Counterparty(Box<CounterpartyView>),
    /// The shipment no longer waits for the other side (already completed or cancelled).
    Closed {
        back_to: String,
        tracking: String,
    },
    /// A button that does not verify: nothing happens.
    Refused {
        back_to: String,
    },
    /// The session has its shipment: its tracking page is shown instead.
    Shipment {
        tracking: String,
    },
    NoSession {
        back_to: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub confirm: String,
}

#[cfg(feature = "ssr")]
mod views {
    use domain::shipment::pickup_options;
    use domain::tariff::Quote;
    use ersal_server::flow::{CounterpartyPage, OpenerPage};
    use ersal_server::AppState;
    use ersal_server::LandingSession;

    use super::{Choices, CounterpartyView, FlowView, LandingContext, PostFacts, QuoteView};
    use crate::server::provinces;

    fn choices(state: &AppState) -> Choices {
        Choices {
            provinces: provinces(state),
            pickup_days: pickup_options(state.now()),
        }
    }

    pub fn quote(q: &Quote) -> QuoteView {
        QuoteView {
            service: q.service.key().to_owned(),
            label: q.service.label().to_owned(),
            total: q.total.display_tomans(),
            shipping: q.shipping.display_tomans(),
            insurance: q.insurance.display_tomans(),
            vat: q.vat.display_tomans(),
            zone: q.zone.label().to_owned(),
            chargeable: q.chargeable.display_kg(),
        }
    }

    fn context(session: &LandingSession, role: Option<domain::shipment::Role>) -> LandingContext {
        LandingContext {
            role,
            in_chat: session.landing.conversation_id.is_some(),
            can_offer: ersal_server::addons::offer::post_of(session).is_some(),
            back_to: session.landing.return_target.clone(),
        }
    }

    pub fn opener(state: &AppState, session: &LandingSession, page: OpenerPage) -> FlowView {
        let draft = &page.draft;
        let post = PostFacts {
            title: draft.post_title.clone(),
            city: draft
                .post_city
                .as_deref()
                .map(|city| state.city_name(Some(city))),
            price: draft.post_price.map(|p| p.display_tomans()),
            shipping: draft
                .post_city
                .as_deref()
                .and_then(|city| ersal_server::addons::price_range_from(state, city))
                .map(|(low, high)| {
                    format!("از {} تا {}", low.display_tomans(), high.display_tomans())
                }),
        };
        FlowView {
            context: context(session, page.role),
            post,
            step: page.step,
            draft: page.draft,
            choices: choices(state),
            quotes: page.quotes.iter().map(quote).collect(),
        }
    }

    pub fn counterparty(
        state: &AppState,
        session: &LandingSession,
        page: CounterpartyPage,
    ) -> CounterpartyView {
        let shipment = page.shipment;
        let (opener_city, _) = shipment.order.opener_role.orient(
            shipment.order.origin_city.as_deref(),
            shipment.order.destination_city.as_deref(),
        );
        CounterpartyView {
            context: context(session, Some(page.role)),
            step: page.step,
            item: shipment.order.item.description.as_str().to_owned(),
            opener_city: state.city_name(opener_city),
            service: shipment.order.service.label().to_owned(),
            payer: shipment.order.payer.label().to_owned(),
            form: page.draft.party,
            errors: page.draft.errors,
            choices: choices(state),
            total: page.total.map(|t| t.display_tomans()),
        }
    }
}

/// The browser's flow: its context, the step to show, the draft and what the step needs.
#[server(endpoint = "flow/load")]
pub async fn load_flow(step: Option<String>) -> Result<Flow, ServerFnError> {
    use ersal_server::flow::{self, Page};

    let state = crate::server::state();
    let Some(session) = crate::server::session(&state).await? else {
        return Ok(Flow::NoSession {
            back_to: state.config.completion_url.to_string(),
        });
    };
    let back_to = session.landing.return_target.clone();
    let requested = step.as_deref().and_then(Step::parse);
    Ok(match flow::open(&state, &session, requested).await? {
        Page::Opener(page) => Flow::Active(Box::new(views::opener(&state, &session, *page))),
        Page::Counterparty(page) => {
            Flow::Counterparty(Box::new(views::counterparty(&state, &session, *page)))
        }
        Page::Closed(code) => Flow::Closed {
            back_to,
            tracking: ersal_server::tracking::path(&code),
        },
        Page::Refused => Flow::Refused { back_to },
        Page::Shipment(code) => Flow::Shipment {
            tracking: ersal_server::tracking::path(&code),
        },
    })
}

/// Saves a step's form into the draft and redirects to the step to show next.
#[cfg(feature = "ssr")]
async fn save_step(form: ersal_server::flow::StepForm) -> Result<(), ServerFnError> {
    let state = crate::server::state();
    let Some(session) = crate::server::session(&state).await? else {
        leptos_axum::redirect(domain::routes::Route::Request.path());
        return Ok(());
    };
    let next = ersal_server::flow::save_step(&state, &session, form).await?;
    leptos_axum::redirect(&next.path());
    Ok(())
}

#[server(endpoint = "flow/role")]
pub async fn choose_role(form: RoleForm) -> Result<(), ServerFnError> {
    save_step(ersal_server::flow::StepForm::Role(form)).await
}

#[server(endpoint = "flow/item")]
pub async fn save_item(form: ItemForm) -> Result<(), ServerFnError> {
    save_step(ersal_server::flow::StepForm::Item(form)).await
}

#[server(endpoint = "flow/party")]
pub async fn save_party(form: PartyForm) -> Result<(), ServerFnError> {
    save_step(ersal_server::flow::StepForm::Party(form)).await
}

/// The quote step: recalculate, or submit (through Divar's consent screen when there is a
/// chat; a shipment outside a chat is saved at once and its tracking page shown).
#[server(endpoint = "flow/quote")]
pub async fn submit_quote(form: QuoteForm) -> Result<(), ServerFnError> {
    use ersal_server::flow::submit::{submit_quote, Submitted};

    let state = crate::server::state();
    let Some(session) = crate::server::session(&state).await? else {
        leptos_axum::redirect(domain::routes::Route::Request.path());
        return Ok(());
    };
    match submit_quote(&state, &session, form).await? {
        Submitted::Step(step) => leptos_axum::redirect(&step.path()),
        Submitted::Consent(url) => leptos_axum::redirect(url.as_str()),
        Submitted::Saved(code) => leptos_axum::redirect(&ersal_server::tracking::path(&code)),
    }
    Ok(())
}

/// The other side confirms; then back to Divar.
#[server(endpoint = "flow/confirm")]
pub async fn confirm_counterparty(form: ConfirmForm) -> Result<(), ServerFnError> {
    use ersal_server::flow::submit::{confirm, Confirmed};

    let _ = form;
    let state = crate::server::state();
    let Some(session) = crate::server::session(&state).await? else {
        leptos_axum::redirect(domain::routes::Route::Request.path());
        return Ok(());
    };
    match confirm(&state, &session).await? {
        Confirmed::Booked => leptos_axum::redirect(&session.landing.return_target),
        Confirmed::Fix(step) => leptos_axum::redirect(&step.path()),
        Confirmed::Gone => leptos_axum::redirect(domain::routes::Route::Request.path()),
    }
    Ok(())
}
