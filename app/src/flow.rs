//! The landing flow at `/request`: the opener's role (asked only when Divar did not say), the
//! item, their own side, and the quote; then the shipment is saved.
//!
//! Every step is an ordinary `<form method="post">` to a server function that validates with
//! the domain crate, keeps what was typed (and the Persian errors) in the server-side draft,
//! and redirects (post/redirect/get) — so the flow works with JavaScript and WebAssembly off.
//! Once hydrated, the same forms submit without a reload, fields are checked as the user
//! leaves them, and the quote follows the chosen city live.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::forms::{Errors, ItemForm, PartyForm, QuoteForm, RoleForm};
use crate::ui::{BackToDivar, CitySelect, ErrorSummary, Field, ProvinceOption};

/// What the opener has typed so far, saved server-side per landing session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// `sender` / `receiver`, when the opener had to choose.
    pub role: Option<String>,
    pub item: ItemForm,
    pub party: PartyForm,
    pub quote: QuoteForm,
    /// Errors of the last submission.
    pub errors: Errors,
    pub item_done: bool,
    pub party_done: bool,
    /// The post's city, from Divar's get-post API.
    pub post_city: Option<String>,
    /// Whether prefilling from the post was tried (once).
    pub prefilled: bool,
    /// Submitted and waiting for Divar's permission to post in the chat.
    pub awaiting_permission: bool,
    /// This draft is the other side's (opened from the opener's message button).
    pub counterparty: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Role,
    Item,
    Party,
    Quote,
}

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
    pub role: Option<String>,
    pub source: String,
    pub post_token: Option<String>,
    pub conversation_id: Option<String>,
    pub back_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowView {
    pub context: LandingContext,
    pub step: Step,
    pub draft: Draft,
    pub provinces: Vec<ProvinceOption>,
    /// Pickup days: (days since the epoch, Jalali label).
    pub pickup_days: Vec<(i64, String)>,
    pub quotes: Vec<QuoteView>,
}

/// The other side of the chat, opened from the opener's message button: they fill their own
/// side, see the final price and confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterpartyView {
    pub context: LandingContext,
    /// `party` or `confirm`.
    pub step: String,
    pub item: String,
    pub opener_city: String,
    pub service: String,
    pub payer: String,
    pub form: PartyForm,
    pub errors: Errors,
    pub provinces: Vec<ProvinceOption>,
    pub pickup_days: Vec<(i64, String)>,
    /// The final price once their city is known.
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
pub(crate) mod backend {
    use std::time::Duration;

    use domain::jalali::JalaliDateTime;
    use domain::shipment::Role;
    use domain::tariff::Service;
    use ersal_server::sessions::LandingSession;
    use ersal_server::{drafts, AppState};
    use kenar::{PostToken, UserSide};

    use super::{Draft, QuoteView, Step};
    use crate::forms::validate_item;
    use crate::server::fail;
    use domain::shipment::Item;
    use leptos::prelude::ServerFnError;

    pub const PREFILL_BUDGET: Duration = Duration::from_millis(300);

    pub fn role(session: &LandingSession, draft: &Draft) -> Option<Role> {
        match session.user_side {
            Some(UserSide::Supply) => Some(Role::Sender),
            Some(UserSide::Demand) => Some(Role::Receiver),
            None => draft.role.as_deref().and_then(Role::parse),
        }
    }

    pub async fn load(state: &AppState, session: &LandingSession) -> Result<Draft, ServerFnError> {
        Ok(drafts::load(&state.db, &state.keys, &session.id)
            .await
            .map_err(fail)?
            .unwrap_or_default())
    }

    pub async fn save(
        state: &AppState,
        session: &LandingSession,
        draft: &Draft,
    ) -> Result<(), ServerFnError> {
        drafts::save(&state.db, &state.keys, &session.id, draft, state.now())
            .await
            .map_err(fail)
    }

    /// Fills the item and the post's city from Divar's get-post API, once, waiting at most
    /// 300 ms; on any failure the form is simply not prefilled.
    pub async fn prefill(state: &AppState, session: &LandingSession, draft: &mut Draft) {
        draft.prefilled = true;
        let Some(token) = session
            .post_token
            .as_deref()
            .and_then(|t| PostToken::parse(t).ok())
        else {
            return;
        };
        match tokio::time::timeout(PREFILL_BUDGET, state.kenar.get_post(&token)).await {
            Ok(Ok(post)) => {
                if draft.item.description.trim().is_empty() {
                    draft.item.description = post.data.title.chars().take(100).collect();
                }
                if state.catalog.places.find(&post.city).is_some() {
                    draft.post_city = Some(post.city);
                }
            }
            Ok(Err(cause)) => tracing::info!(error = %cause, "post prefill skipped"),
            Err(_) => tracing::info!("post prefill skipped: over 300 ms"),
        }
    }

    /// The requested step if it is reachable, else the first one not done.
    pub fn step(requested: Option<&str>, role: Option<Role>, draft: &Draft) -> Step {
        if role.is_none() {
            return Step::Role;
        }
        let first_open = if !draft.item_done {
            Step::Item
        } else if !draft.party_done {
            Step::Party
        } else {
            Step::Quote
        };
        let reachable = |s: Step| match s {
            Step::Role => false,
            Step::Item => true,
            Step::Party => draft.item_done,
            Step::Quote => draft.item_done && draft.party_done,
        };
        let requested = match requested {
            Some("item") => Some(Step::Item),
            Some("party") => Some(Step::Party),
            Some("quote") => Some(Step::Quote),
            _ => None,
        };
        requested.filter(|s| reachable(*s)).unwrap_or(first_open)
    }

    pub fn pickup_days(now: i64) -> Vec<(i64, String)> {
        crate::server::pickup_days(now)
            .into_iter()
            .enumerate()
            .map(|(offset, day)| {
                let label = JalaliDateTime::from_unix(day * 86_400).display_date();
                let prefix = match offset {
                    0 => "امروز، ",
                    1 => "فردا، ",
                    _ => "",
                };
                (day, format!("{prefix}{label}"))
            })
            .collect()
    }

    /// The economy and express quotes between the opener's city and `other_city`.
    pub fn quotes(
        state: &AppState,
        role: Role,
        item: &Item,
        own_city: &str,
        other_city: &str,
    ) -> Vec<QuoteView> {
        let places = &state.catalog.places;
        let (Some(own), Some(other)) = (places.find(own_city), places.find(other_city)) else {
            return Vec::new();
        };
        let (origin, destination) = if role == Role::Sender {
            (own, other)
        } else {
            (other, own)
        };
        let parcel = item.parcel();
        [Service::Economy, Service::Express]
            .into_iter()
            .filter_map(|service| {
                state
                    .catalog
                    .tariff
                    .quote(&parcel, origin, destination, service)
            })
            .map(|q| QuoteView {
                service: q.service.key().to_owned(),
                label: q.service.label().to_owned(),
                total: q.total.display_tomans(),
                shipping: q.shipping.display_tomans(),
                insurance: q.insurance.display_tomans(),
                vat: q.vat.display_tomans(),
                zone: q.zone.label().to_owned(),
                chargeable: domain::text::persian_digits(&format!(
                    "{:.1}",
                    f64::from(q.chargeable.0) / 1000.0
                )),
            })
            .collect()
    }

    /// Saves the shipment from a complete draft; with `notify`, the chat message announcing it
    /// is queued in the same transaction. Returns the tracking code, or the step to send the
    /// user back to with the draft's errors filled in.
    pub async fn finalize(
        state: &AppState,
        session: &LandingSession,
        draft: &mut Draft,
        notify: bool,
    ) -> Result<Result<String, &'static str>, ServerFnError> {
        use crate::forms::{validate_party, validate_quote};
        use ersal_server::chat;
        use ersal_server::shipments::{self, NewShipment, Parties};

        let places = state.catalog.places.clone();
        let known = |c: &str| places.find(c).is_some();
        let Some(role) = role(session, draft) else {
            return Ok(Err("item"));
        };
        let days = crate::server::pickup_days(state.now());
        let item = validate_item(&draft.item);
        let party = validate_party(&draft.party, role, known, &days);
        let choice = validate_quote(&draft.quote, known);
        let (item, party, choice) = match (item, party, choice) {
            (Ok(item), Ok(party), Ok(choice)) => (item, party, choice),
            (item, party, choice) => {
                let step = if item.is_err() {
                    "item"
                } else if party.is_err() {
                    "party"
                } else {
                    "quote"
                };
                draft.errors.clear();
                for errors in [item.err(), party.err(), choice.err()]
                    .into_iter()
                    .flatten()
                {
                    draft.errors.extend(errors);
                }
                draft.item_done &= step != "item";
                draft.party_done &= step != "item" && step != "party";
                draft.awaiting_permission = false;
                return Ok(Err(step));
            }
        };
        let own = party.city.clone();
        let (origin_city, destination_city) = if role == Role::Sender {
            (own, choice.other_city.clone())
        } else {
            (choice.other_city.clone(), own)
        };
        let (origin, destination) =
            match (places.find(&origin_city), places.find(&destination_city)) {
                (Some(o), Some(d)) => (o, d),
                _ => return Err(fail("a validated city is not in the catalogue")),
            };
        let total = state
            .catalog
            .tariff
            .quote(&item.parcel(), origin, destination, choice.service)
            .map(|q| q.total)
            .ok_or_else(|| fail("no quote for a validated draft"))?;
        let route = format!("{} ← {}", destination.city.name, origin.city.name);
        let description = item.description.as_str().to_owned();
        let parties = match role {
            Role::Sender => Parties {
                sender: Some(party),
                receiver: None,
            },
            Role::Receiver => Parties {
                sender: None,
                receiver: Some(party),
            },
        };
        let new = NewShipment {
            landing: session.id.clone(),
            conversation_id: session.conversation_id.clone(),
            post_token: session.post_token.clone(),
            opener_role: role,
            item,
            origin_city: Some(origin_city),
            destination_city: Some(destination_city),
            service: choice.service,
            payer: choice.payer,
            quote_total: total,
            parties,
        };
        let conversation = session.conversation_id.clone().filter(|_| notify);
        let keys = state.keys.clone();
        let message = move |id: &str| {
            conversation.map(|c| {
                let body = chat::opener_message(&keys, id, &c, &description, &route);
                (c, body)
            })
        };
        let id = shipments::create(&state.db, &state.keys, &new, message, state.now())
            .await
            .map_err(fail)?;
        tracing::info!(source = %session.source, notify, "shipment created");
        Ok(Ok(id))
    }

    /// The shipment a `fill` button of this session points at, if its signature holds for the
    /// session's conversation and the shipment belongs to that conversation.
    pub async fn button_shipment(
        state: &AppState,
        session: &LandingSession,
    ) -> Result<Option<ersal_server::shipments::Shipment>, ServerFnError> {
        use ersal_server::{chat, shipments};
        let Some(conversation) = session.conversation_id.as_deref() else {
            return Ok(None);
        };
        let Some((id, chat::Op::Fill)) =
            chat::verify_button(&state.keys, &session.private.extra_data, conversation)
        else {
            return Ok(None);
        };
        let shipment = shipments::get(&state.db, &state.keys, &id)
            .await
            .map_err(fail)?;
        Ok(shipment.filter(|s| s.conversation_id.as_deref() == Some(conversation)))
    }

    /// The counterparty's side and the final route and price, once their city is known.
    pub fn completion(
        state: &AppState,
        shipment: &ersal_server::shipments::Shipment,
        party: domain::shipment::Party,
    ) -> Option<ersal_server::shipments::Completion> {
        let places = &state.catalog.places;
        let mut parties = shipment.parties.clone();
        let (origin, destination) = match shipment.opener_role {
            Role::Sender => (shipment.origin_city.clone()?, party.city.clone()),
            Role::Receiver => (party.city.clone(), shipment.destination_city.clone()?),
        };
        match shipment.opener_role {
            Role::Sender => parties.receiver = Some(party),
            Role::Receiver => parties.sender = Some(party),
        }
        let quote = state.catalog.tariff.quote(
            &shipment.item.parcel(),
            places.find(&origin)?,
            places.find(&destination)?,
            shipment.service,
        )?;
        Some(ersal_server::shipments::Completion {
            parties,
            origin_city: Some(origin),
            destination_city: Some(destination),
            total: quote.total,
        })
    }

    /// The quotes for a draft whose item is complete, towards `other_city`.
    pub fn draft_quotes(
        state: &AppState,
        role: Role,
        draft: &Draft,
        other_city: &str,
    ) -> Vec<QuoteView> {
        validate_item(&draft.item).map_or_else(
            |_| Vec::new(),
            |item| quotes(state, role, &item, &draft.party.city, other_city),
        )
    }
}

/// The browser's flow: its context, the step to show, the draft and what the step needs.
#[server]
pub async fn load_flow(step: Option<String>) -> Result<Flow, ServerFnError> {
    use crate::server::{provinces, session, state};

    let state = state();
    let Some(session) = session(&state).await? else {
        return Ok(Flow::NoSession {
            back_to: state.config.completion_url.to_string(),
        });
    };
    let mut draft = backend::load(&state, &session).await?;
    if session.source == kenar::Source::CHAT_MESSAGE_ACTION {
        return counterparty_view(&state, &session, draft, step).await;
    }
    if !draft.prefilled {
        backend::prefill(&state, &session, &mut draft).await;
        backend::save(&state, &session, &draft).await?;
    }
    let role = backend::role(&session, &draft);
    // Defaults from the post: its city is the seller's.
    if let (Some(role), Some(post_city)) = (role, draft.post_city.clone()) {
        match role {
            domain::shipment::Role::Sender if draft.party.city.is_empty() => {
                draft.party.city = post_city
            }
            domain::shipment::Role::Receiver if draft.quote.other_city.is_empty() => {
                draft.quote.other_city = post_city
            }
            _ => {}
        }
    }
    let step = backend::step(step.as_deref(), role, &draft);
    let quotes = match role {
        Some(role) if step == Step::Quote => {
            backend::draft_quotes(&state, role, &draft, &draft.quote.other_city)
        }
        _ => Vec::new(),
    };
    Ok(Flow::Active(Box::new(FlowView {
        context: LandingContext {
            role: role.map(|r| r.key().to_owned()),
            source: session.source.clone(),
            post_token: session.post_token.clone(),
            conversation_id: session.conversation_id.clone(),
            back_to: session.return_target.clone(),
        },
        step,
        draft,
        provinces: provinces(&state),
        pickup_days: backend::pickup_days(state.now()),
        quotes,
    })))
}

#[cfg(feature = "ssr")]
async fn counterparty_view(
    state: &ersal_server::AppState,
    session: &ersal_server::sessions::LandingSession,
    draft: Draft,
    step: Option<String>,
) -> Result<Flow, ServerFnError> {
    use crate::server::{city_name, provinces};
    use domain::status::Status;

    let back_to = session.return_target.clone();
    let Some(shipment) = backend::button_shipment(state, session).await? else {
        return Ok(Flow::Refused { back_to });
    };
    if shipment.status != Status::AwaitingCounterparty {
        return Ok(Flow::Closed {
            back_to,
            tracking: format!("/t/{}", shipment.id),
        });
    }
    let role = shipment.opener_role.other();
    let opener_city = match shipment.opener_role {
        domain::shipment::Role::Sender => shipment.origin_city.clone(),
        domain::shipment::Role::Receiver => shipment.destination_city.clone(),
    };
    let confirm = step.as_deref() == Some("confirm") && draft.party_done;
    let total = if confirm {
        let days = crate::server::pickup_days(state.now());
        crate::forms::validate_party(
            &draft.party,
            role,
            |c| state.catalog.places.find(c).is_some(),
            &days,
        )
        .ok()
        .and_then(|party| backend::completion(state, &shipment, party))
        .map(|c| c.total.display_tomans())
    } else {
        None
    };
    Ok(Flow::Counterparty(Box::new(CounterpartyView {
        context: LandingContext {
            role: Some(role.key().to_owned()),
            source: session.source.clone(),
            post_token: session.post_token.clone(),
            conversation_id: session.conversation_id.clone(),
            back_to,
        },
        step: if total.is_some() { "confirm" } else { "party" }.to_owned(),
        item: shipment.item.description.as_str().to_owned(),
        opener_city: opener_city.map_or_else(|| "—".to_owned(), |c| city_name(state, &c)),
        service: shipment.service.label().to_owned(),
        payer: shipment.payer.label().to_owned(),
        form: draft.party,
        errors: draft.errors,
        provinces: provinces(state),
        pickup_days: backend::pickup_days(state.now()),
        total,
    })))
}

/// Saves a step's form into the draft and redirects: to the next step when it is valid, back
/// to the same step (with its errors) when not. Without a session, back to `/request`.
#[cfg(feature = "ssr")]
async fn save_step(
    update: impl FnOnce(&mut Draft, Option<domain::shipment::Role>) -> Result<&'static str, Errors>,
    same: &'static str,
) -> Result<(), ServerFnError> {
    use crate::server::{session, state};

    let state = state();
    let Some(session) = session(&state).await? else {
        leptos_axum::redirect("/request");
        return Ok(());
    };
    let mut draft = backend::load(&state, &session).await?;
    let role = if session.source == kenar::Source::CHAT_MESSAGE_ACTION {
        draft.counterparty = true;
        backend::button_shipment(&state, &session)
            .await?
            .map(|s| s.opener_role.other())
    } else {
        backend::role(&session, &draft)
    };
    let next = match update(&mut draft, role) {
        Ok(next) => {
            draft.errors.clear();
            next
        }
        Err(errors) => {
            draft.errors = errors;
            same
        }
    };
    backend::save(&state, &session, &draft).await?;
    leptos_axum::redirect(&format!("/request?step={next}"));
    Ok(())
}

#[server]
pub async fn choose_role(form: RoleForm) -> Result<(), ServerFnError> {
    save_step(
        |draft, _| match domain::shipment::Role::parse(&form.role) {
            Some(role) => {
                draft.role = Some(role.key().to_owned());
                Ok("item")
            }
            None => Err(Errors::from([(
                "role".to_owned(),
                "یکی از گزینه‌ها را انتخاب کنید.".to_owned(),
            )])),
        },
        "role",
    )
    .await
}

#[server]
pub async fn save_item(form: ItemForm) -> Result<(), ServerFnError> {
    save_step(
        |draft, _| {
            draft.item = form.clone();
            let valid = crate::forms::validate_item(&form);
            draft.item_done = valid.is_ok();
            valid.map(|_| "party")
        },
        "item",
    )
    .await
}

#[server]
pub async fn save_party(form: PartyForm) -> Result<(), ServerFnError> {
    use crate::server::{pickup_days, state};

    let state = state();
    let days = pickup_days(state.now());
    let places = state.catalog.places.clone();
    save_step(
        move |draft, role| {
            draft.party = form.clone();
            let role = role.unwrap_or(domain::shipment::Role::Sender);
            let next = if draft.counterparty {
                "confirm"
            } else {
                "quote"
            };
            let valid =
                crate::forms::validate_party(&form, role, |c| places.find(c).is_some(), &days);
            draft.party_done = valid.is_ok();
            valid.map(|_| next)
        },
        "party",
    )
    .await
}

/// The quote step: `intent=quote` recalculates; `intent=submit` asks Divar for permission to
/// post in the chat (when there is one) and then saves the shipment; without a chat it saves
/// it at once and shows its tracking page.
#[server]
pub async fn submit_quote(form: QuoteForm) -> Result<(), ServerFnError> {
    use crate::server::{session, state};

    let state = state();
    let Some(session) = session(&state).await? else {
        leptos_axum::redirect("/request");
        return Ok(());
    };
    let mut draft = backend::load(&state, &session).await?;
    draft.quote = form.clone();
    draft.errors.clear();
    if backend::role(&session, &draft).is_none() {
        backend::save(&state, &session, &draft).await?;
        leptos_axum::redirect("/request");
        return Ok(());
    }
    if form.intent != "submit" {
        backend::save(&state, &session, &draft).await?;
        leptos_axum::redirect("/request?step=quote");
        return Ok(());
    }
    if let Some(conversation) = &session.conversation_id {
        // Permission to post in the chat first (SPEC §4); the callback finishes the submission.
        // Straight to Divar's consent screen (another origin, so a hydrated page leaves too).
        draft.awaiting_permission = true;
        backend::save(&state, &session, &draft).await?;
        let url = ersal_server::oauth::begin(
            &state.oauth,
            &state.db,
            &session.id,
            conversation,
            state.now(),
        )
        .await
        .map_err(crate::server::fail)?;
        leptos_axum::redirect(url.as_str());
        return Ok(());
    }
    let outcome = backend::finalize(&state, &session, &mut draft, false).await?;
    match outcome {
        Ok(id) => leptos_axum::redirect(&format!("/t/{id}")),
        Err(step) => {
            backend::save(&state, &session, &draft).await?;
            leptos_axum::redirect(&format!("/request?step={step}"));
        }
    }
    Ok(())
}

/// The other side confirms: their details join the shipment, which becomes Booked, and the
/// "booked" message is queued for the chat; then back to Divar.
#[server]
pub async fn confirm_counterparty(form: ConfirmForm) -> Result<(), ServerFnError> {
    use crate::server::{fail, pickup_days, session, state};
    use ersal_server::{chat, shipments};

    let _ = form;
    let state = state();
    let Some(session) = session(&state).await? else {
        leptos_axum::redirect("/request");
        return Ok(());
    };
    let mut draft = backend::load(&state, &session).await?;
    let Some(shipment) = backend::button_shipment(&state, &session).await? else {
        leptos_axum::redirect("/request");
        return Ok(());
    };
    let role = shipment.opener_role.other();
    let days = pickup_days(state.now());
    let party = match crate::forms::validate_party(
        &draft.party,
        role,
        |c| state.catalog.places.find(c).is_some(),
        &days,
    ) {
        Ok(party) => party,
        Err(errors) => {
            draft.errors = errors;
            draft.party_done = false;
            backend::save(&state, &session, &draft).await?;
            leptos_axum::redirect("/request?step=party");
            return Ok(());
        }
    };
    let completion =
        backend::completion(&state, &shipment, party).ok_or_else(|| fail("no final quote"))?;
    let places = &state.catalog.places;
    let name = |c: &Option<String>| {
        c.as_deref()
            .and_then(|c| places.find(c))
            .map_or_else(String::new, |p| p.city.name.clone())
    };
    let text = format!(
        "ارسال «{}» ثبت شد ({} ← {}). هزینه: {}. کد پیگیری: {}",
        shipment.item.description.as_str(),
        name(&completion.destination_city),
        name(&completion.origin_city),
        completion.total.display_tomans(),
        shipment.id,
    );
    let message = shipment.conversation_id.clone().map(|c| {
        (
            c.clone(),
            chat::milestone_message(&state.keys, &shipment.id, &c, text),
        )
    });
    match shipments::complete_counterparty(
        &state.db,
        &state.keys,
        &shipment,
        &completion,
        message,
        state.now(),
    )
    .await
    {
        Ok(()) => {
            tracing::info!("shipment booked by the counterparty");
            leptos_axum::redirect(&session.return_target);
        }
        Err(shipments::TransitionError::Forbidden { .. }) => leptos_axum::redirect("/request"),
        Err(other) => return Err(fail(other)),
    }
    Ok(())
}

/// The live quote towards another city (used once the WASM runs).
#[server]
pub async fn preview_quote(other_city: String) -> Result<Vec<QuoteView>, ServerFnError> {
    use crate::server::{session, state};

    let state = state();
    let Some(session) = session(&state).await? else {
        return Ok(Vec::new());
    };
    let draft = backend::load(&state, &session).await?;
    Ok(match backend::role(&session, &draft) {
        Some(role) if other_city.len() <= 64 => {
            backend::draft_quotes(&state, role, &draft, &other_city)
        }
        _ => Vec::new(),
    })
}

#[component]
pub fn FlowPage() -> impl IntoView {
    let query = use_query_map();
    let choose_role = ServerAction::<ChooseRole>::new();
    let save_item = ServerAction::<SaveItem>::new();
    let save_party = ServerAction::<SaveParty>::new();
    let submit = ServerAction::<SubmitQuote>::new();
    let confirm = ServerAction::<ConfirmCounterparty>::new();
    let flow = Resource::new(
        move || {
            (
                query.with(|q| q.get("step")),
                choose_role.version().get()
                    + save_item.version().get()
                    + save_party.version().get()
                    + submit.version().get()
                    + confirm.version().get(),
            )
        },
        |(step, _)| load_flow(step),
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match flow.await {
                    Ok(Flow::Active(view)) => {
                        view! { <FlowSteps view=*view choose_role save_item save_party submit /> }.into_any()
                    }
                    Ok(Flow::Counterparty(view)) => {
                        view! { <CounterpartySteps view=*view save_party confirm /> }.into_any()
                    }
                    Ok(Flow::Closed { back_to, tracking }) => view! {
                        <section class="card" role="alert">
                            <h1>"این درخواست دیگر منتظر شما نیست"</h1>
                            <p>"مشخصات طرف دوم قبلاً ثبت شده یا درخواست لغو شده است."</p>
                            <p><a href=tracking>"پیگیری ارسال"</a></p>
                            <BackToDivar href=back_to primary=true />
                        </section>
                    }
                    .into_any(),
                    Ok(Flow::Refused { back_to }) => view! {
                        <section class="card" role="alert">
                            <h1>"این دکمه معتبر نیست"</h1>
                            <p>"این دکمه به این گفتگو تعلق ندارد یا تغییر کرده است. هیچ تغییری انجام نشد."</p>
                            <BackToDivar href=back_to primary=true />
                        </section>
                    }
                    .into_any(),
                    Ok(Flow::NoSession { back_to }) => view! { <NoSession back_to /> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn role_label(role: Option<&str>) -> &'static str {
    match role {
        Some("sender") => "فروشنده (فرستندهٔ کالا)",
        Some("receiver") => "خریدار (گیرندهٔ کالا)",
        _ => "مشخص نشده",
    }
}

fn source_label(source: &str) -> String {
    match source {
        "CHAT" => "منوی افزونه‌های گفتگو".to_owned(),
        "CHAT_MESSAGE_ACTION" => "دکمهٔ یک پیام در گفتگو".to_owned(),
        "POST_ADDON" => "افزونهٔ صفحهٔ آگهی".to_owned(),
        "FALLBACK" => "پیوند مستقیم آگهی".to_owned(),
        other => other.to_owned(),
    }
}

#[component]
fn FlowSteps(
    view: FlowView,
    choose_role: ServerAction<ChooseRole>,
    save_item: ServerAction<SaveItem>,
    save_party: ServerAction<SaveParty>,
    submit: ServerAction<SubmitQuote>,
) -> impl IntoView {
    let FlowView {
        context,
        step,
        draft,
        provinces,
        pickup_days,
        quotes,
    } = view;
    let back_to = context.back_to.clone();
    let role = context.role.clone();
    let no_chat = context.conversation_id.is_none();
    let body = match step {
        Step::Role => view! { <RoleStep action=choose_role errors=draft.errors.clone() /> }.into_any(),
        Step::Item => view! { <ItemStep action=save_item form=draft.item.clone() errors=draft.errors.clone() /> }.into_any(),
        Step::Party => view! {
            <PartyStep
                action=save_party
                role=role.clone().unwrap_or_default()
                form=draft.party.clone()
                errors=draft.errors.clone()
                provinces=provinces.clone()
                pickup_days
            />
        }
        .into_any(),
        Step::Quote => view! {
            <QuoteStep
                action=submit
                role=role.clone().unwrap_or_default()
                form=draft.quote.clone()
                errors=draft.errors.clone()
                provinces
                quotes
            />
        }
        .into_any(),
    };
    view! {
        <section class="card context" aria-labelledby="landing-title">
            <h1 id="landing-title">"درخواست ارسال کالا"</h1>
            <dl class="facts">
                <dt>"نقش شما"</dt>
                <dd data-testid="side">{role_label(context.role.as_deref())}</dd>
                <dt>"ورود از"</dt>
                <dd data-testid="source">{source_label(&context.source)}</dd>
                <dt>"آگهی"</dt>
                <dd data-testid="post" dir="ltr">{context.post_token.unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"گفتگو"</dt>
                <dd data-testid="conversation" dir="ltr">{context.conversation_id.unwrap_or_else(|| "—".to_owned())}</dd>
            </dl>
            {no_chat.then(|| view! {
                <p class="note">"این صفحه از یک گفتگو باز نشده است؛ نتیجه در گفتگو فرستاده نمی‌شود."</p>
            })}
        </section>
        <Steps current=step />
        {body}
        <nav class="card footer-links" aria-label="پیوندها">
            <BackToDivar href=back_to />
            <a href="/privacy">"حریم خصوصی"</a>
        </nav>
    }
}

#[component]
fn Steps(current: Step) -> impl IntoView {
    let steps = [
        (Step::Item, "کالا", "item"),
        (Step::Party, "مشخصات شما", "party"),
        (Step::Quote, "هزینه و ثبت", "quote"),
    ];
    let index = |s: Step| steps.iter().position(|(x, _, _)| *x == s).unwrap_or(0);
    let now = index(current);
    view! {
        <ol class="steps" aria-label="مراحل">
            {steps
                .into_iter()
                .enumerate()
                .map(|(i, (step, label, key))| {
                    let is_current = step == current;
                    let reachable = i < now;
                    view! {
                        <li class:current=is_current aria-current=is_current.then_some("step")>
                            {if reachable {
                                view! { <a href=format!("/request?step={key}")>{label}</a> }.into_any()
                            } else {
                                view! { <span>{label}</span> }.into_any()
                            }}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

#[component]
fn RoleStep(action: ServerAction<ChooseRole>, errors: Errors) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"نقش شما در این معامله"</h2>
            <ErrorSummary errors=errors.clone() />
            <ActionForm action>
                <fieldset>
                    <legend>"شما فروشنده‌اید یا خریدار؟"</legend>
                    <label class="choice">
                        <input type="radio" name="form[role]" value="sender" required />
                        "فروشنده‌ام و کالا را می‌فرستم"
                    </label>
                    <label class="choice">
                        <input type="radio" name="form[role]" value="receiver" />
                        "خریدارم و کالا را می‌گیرم"
                    </label>
                </fieldset>
                <button class="button" type="submit">"ادامه"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ItemStep(action: ServerAction<SaveItem>, form: ItemForm, errors: Errors) -> impl IntoView {
    let size_error_shown = errors.contains_key("size_class");
    let size_error = errors.get("size_class").cloned();
    let selected = form.size_class.clone();
    view! {
        <section class="card">
            <h2>"کالا"</h2>
            <ErrorSummary errors=errors.clone() />
            <ActionForm action>
                <Field field="description" label="شرح کالا" value=form.description errors=errors.clone() hint="حداکثر ۱۰۰ نویسه، مثل «گوشی موبایل با جعبه»" />
                <fieldset class:invalid=size_error_shown aria-describedby=size_error_shown.then_some("f-size_class-error")>
                    <legend>"اندازه"</legend>
                    {domain::size::SizeClass::ALL
                        .into_iter()
                        .map(|class| {
                            let checked = selected == class.key();
                            view! {
                                <label class="choice">
                                    <input type="radio" name="form[size_class]" value=class.key() checked=checked />
                                    <span>{class.label()}</span>
                                    <span class="muted">" — "{class.example()}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                    {size_error.map(|m| view! { <p class="field-error" id="f-size_class-error">{m}</p> })}
                </fieldset>
                <Field field="weight_kg" label="وزن دقیق (کیلوگرم)" value=form.weight_kg errors=errors.clone() input_mode="decimal" optional=true />
                <div class="row">
                    <Field field="length_cm" label="طول (سانتی‌متر)" value=form.length_cm errors=errors.clone() input_mode="numeric" optional=true />
                    <Field field="width_cm" label="عرض (سانتی‌متر)" value=form.width_cm errors=errors.clone() input_mode="numeric" optional=true />
                    <Field field="height_cm" label="ارتفاع (سانتی‌متر)" value=form.height_cm errors=errors.clone() input_mode="numeric" optional=true />
                </div>
                <Field field="declared_value" label="ارزش کالا (تومان)" value=form.declared_value errors=errors.clone() input_mode="numeric" hint="برای بیمه؛ صفر هم می‌شود" />
                <label class="choice">
                    <input type="checkbox" name="form[fragile]" value="1" checked=form.fragile.is_some() />
                    "شکستنی است"
                </label>
                <button class="button" type="submit">"ادامه"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PartyStep(
    action: ServerAction<SaveParty>,
    role: String,
    form: PartyForm,
    errors: Errors,
    provinces: Vec<ProvinceOption>,
    pickup_days: Vec<(i64, String)>,
) -> impl IntoView {
    let sender = role == "sender";
    let title = if sender {
        "مشخصات فرستنده (شما)"
    } else {
        "مشخصات گیرنده (شما)"
    };
    let handover_error_shown = errors.contains_key("handover");
    let handover_error = errors.get("handover").cloned();
    let day_error = errors.get("pickup_day").cloned();
    let window_error = errors.get("pickup_window").cloned();
    let timing_invalid = errors.contains_key("pickup_day") || errors.contains_key("pickup_window");
    let handover = form.handover.clone();
    let choices: [(&str, &str); 2] = if sender {
        [
            ("pickup", "پیک از نشانی من بگیرد"),
            ("dropoff", "خودم به شعبه می‌برم"),
        ]
    } else {
        [
            ("door", "تحویل درِ خانه"),
            ("branch", "در شعبه نگه دارند، خودم می‌گیرم"),
        ]
    };
    let chosen_day = form.pickup_day.clone();
    let chosen_window = form.pickup_window.clone();
    view! {
        <section class="card">
            <h2>{title}</h2>
            <p class="muted">"فقط مشخصات خودتان را بنویسید؛ طرف مقابل مشخصات خودش را جدا وارد می‌کند."</p>
            <ErrorSummary errors=errors.clone() />
            <ActionForm action>
                <Field field="name" label="نام و نام خانوادگی" value=form.name errors=errors.clone() autocomplete="name" />
                <Field field="mobile" label="شمارهٔ همراه" value=form.mobile errors=errors.clone() input_mode="tel" autocomplete="tel" hint="مثل ۰۹۱۲۳۴۵۶۷۸۹" />
                <CitySelect field="city" label="شهر" selected=form.city provinces errors=errors.clone() />
                <Field field="address" label="نشانی" value=form.address errors=errors.clone() autocomplete="street-address" />
                <div class="row">
                    <Field field="plaque" label="پلاک" value=form.plaque errors=errors.clone() optional=true />
                    <Field field="unit" label="واحد" value=form.unit errors=errors.clone() optional=true />
                    <Field field="floor" label="طبقه" value=form.floor errors=errors.clone() optional=true />
                </div>
                <Field field="postal_code" label="کد پستی" value=form.postal_code errors=errors.clone() input_mode="numeric" optional=true />
                <fieldset class:invalid=handover_error_shown>
                    <legend>{if sender { "تحویل به شرکت حمل" } else { "تحویل به شما" }}</legend>
                    {choices
                        .into_iter()
                        .map(|(key, label)| {
                            let checked = handover == key;
                            view! {
                                <label class="choice">
                                    <input type="radio" name="form[handover]" value=key checked=checked />
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()}
                    {handover_error.map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
                {sender.then(|| view! {
                    <fieldset class:invalid=timing_invalid>
                        <legend>"زمان جمع‌آوری (اگر پیک می‌آید)"</legend>
                        <label for="f-pickup_day">"روز"</label>
                        <select id="f-pickup_day" name="form[pickup_day]">
                            {pickup_days
                                .into_iter()
                                .map(|(day, label)| {
                                    let selected = chosen_day == day.to_string();
                                    view! { <option value=day.to_string() selected=selected>{label}</option> }
                                })
                                .collect_view()}
                        </select>
                        {day_error.map(|m| view! { <p class="field-error">{m}</p> })}
                        <p class="label-like">"بازهٔ ساعت"</p>
                        {domain::shipment::PickupWindow::ALL
                            .into_iter()
                            .map(|w| {
                                let checked = chosen_window == w.key();
                                view! {
                                    <label class="choice">
                                        <input type="radio" name="form[pickup_window]" value=w.key() checked=checked />
                                        {w.label()}
                                    </label>
                                }
                            })
                            .collect_view()}
                        {window_error.map(|m| view! { <p class="field-error">{m}</p> })}
                    </fieldset>
                })}
                <button class="button" type="submit">"ادامه"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn QuoteStep(
    action: ServerAction<SubmitQuote>,
    role: String,
    form: QuoteForm,
    errors: Errors,
    provinces: Vec<ProvinceOption>,
    quotes: Vec<QuoteView>,
) -> impl IntoView {
    let live = RwSignal::new(quotes);
    let pick = Callback::new(move |city: String| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = preview_quote(city).await {
                live.set(fresh);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = city;
    });
    let other_label = if role == "sender" {
        "شهر گیرنده (برای برآورد هزینه)"
    } else {
        "شهر فرستنده (برای برآورد هزینه)"
    };
    let service = if form.service.is_empty() {
        "economy".to_owned()
    } else {
        form.service.clone()
    };
    let payer = form.payer.clone();
    let service_error_shown = errors.contains_key("service");
    let service_error = errors.get("service").cloned();
    let payer_error_shown = errors.contains_key("payer");
    let payer_error = errors.get("payer").cloned();
    let consent_error_shown = errors.contains_key("consent");
    let consent_error = errors.get("consent").cloned();
    view! {
        <section class="card">
            <h2>"هزینه و ثبت"</h2>
            <ErrorSummary errors=errors.clone() />
            <ActionForm action>
                <CitySelect field="other_city" label=other_label selected=form.other_city provinces errors=errors.clone() on_pick=pick />
                <button class="button secondary" type="submit" name="form[intent]" value="quote">"محاسبهٔ هزینه"</button>
                <fieldset class:invalid=service_error_shown aria-live="polite">
                    <legend>"سرویس"</legend>
                    {move || {
                        let quotes = live.get();
                        if quotes.is_empty() {
                            return view! { <p class="muted">"برای دیدن هزینه، شهر طرف مقابل را انتخاب کنید."</p> }.into_any();
                        }
                        quotes
                            .into_iter()
                            .map(|q| {
                                let checked = q.service == service;
                                view! {
                                    <label class="choice quote">
                                        <input type="radio" name="form[service]" value=q.service.clone() checked=checked />
                                        <span>
                                            <strong>{q.label.clone()}</strong>
                                            " — "
                                            <strong data-testid=format!("total-{}", q.service)>{q.total.clone()}</strong>
                                            <span class="muted breakdown">
                                                {format!("{} · وزن محاسبه‌شده {} کیلوگرم · کرایه {} · بیمه {} · مالیات بر ارزش افزوده {}", q.zone, q.chargeable, q.shipping, q.insurance, q.vat)}
                                            </span>
                                        </span>
                                    </label>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                    {service_error.map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
                <fieldset class:invalid=payer_error_shown>
                    <legend>"پرداخت هزینهٔ ارسال"</legend>
                    {[domain::shipment::Payer::Sender, domain::shipment::Payer::Receiver]
                        .into_iter()
                        .map(|p| {
                            let checked = payer == p.key();
                            view! {
                                <label class="choice">
                                    <input type="radio" name="form[payer]" value=p.key() checked=checked />
                                    {p.label()}
                                </label>
                            }
                        })
                        .collect_view()}
                    {payer_error.map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
                <div class="field" class:invalid=consent_error_shown>
                    <label class="choice">
                        <input type="checkbox" name="form[consent]" value="1" checked=form.consent.is_some() />
                        <span>
                            "می‌پذیرم که نام، شماره و نشانی‌ام برای این ارسال نگه داشته و پس از پایان آن پاک شود ("
                            <a href="/privacy">"حریم خصوصی"</a>
                            ")."
                        </span>
                    </label>
                    {consent_error.map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <button class="button" type="submit" name="form[intent]" value="submit">"ثبت درخواست"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn CounterpartySteps(
    view: CounterpartyView,
    save_party: ServerAction<SaveParty>,
    confirm: ServerAction<ConfirmCounterparty>,
) -> impl IntoView {
    let CounterpartyView {
        context,
        step,
        item,
        opener_city,
        service,
        payer,
        form,
        errors,
        provinces,
        pickup_days,
        total,
    } = view;
    let role = context.role.clone().unwrap_or_default();
    let back_to = context.back_to.clone();
    let body = match total {
        Some(total) if step == "confirm" => view! {
            <section class="card">
                <h2>"تأیید و ثبت"</h2>
                <p>"هزینهٔ نهایی با شهر شما: " <strong data-testid="final-total">{total}</strong></p>
                <ActionForm action=confirm>
                    <input type="hidden" name="form[confirm]" value="yes" />
                    <button class="button" type="submit">"تأیید و ثبت ارسال"</button>
                </ActionForm>
                <p><a href="/request?step=party">"ویرایش مشخصات"</a></p>
            </section>
        }
        .into_any(),
        _ => view! { <PartyStep action=save_party role form errors provinces pickup_days /> }
            .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="landing-title">
            <h1 id="landing-title">"تکمیل درخواست ارسال"</h1>
            <dl class="facts">
                <dt>"نقش شما"</dt>
                <dd data-testid="side">{role_label(context.role.as_deref())}</dd>
                <dt>"کالا"</dt>
                <dd>{item}</dd>
                <dt>"شهر طرف مقابل"</dt>
                <dd>{opener_city}</dd>
                <dt>"سرویس"</dt>
                <dd>{service}</dd>
                <dt>"پرداخت"</dt>
                <dd>{payer}</dd>
            </dl>
        </section>
        {body}
        <nav class="card footer-links" aria-label="پیوندها">
            <BackToDivar href=back_to />
            <a href="/privacy">"حریم خصوصی"</a>
        </nav>
    }
}

#[component]
pub fn NoSession(back_to: String) -> impl IntoView {
    view! {
        <section class="card" role="alert">
            <h1>"نشست شما پایان یافته است"</h1>
            <p>"برای ادامه به گفتگو در دیوار برگردید و «ارسال» را دوباره باز کنید."</p>
            <BackToDivar href=back_to primary=true />
        </section>
    }
}

#[component]
pub fn Failure() -> impl IntoView {
    view! {
        <section class="card" role="alert">
            <h1>"خطای موقت"</h1>
            <p>"بارگذاری اطلاعات ممکن نشد. صفحه را دوباره باز کنید."</p>
        </section>
    }
}
