//! Saving what the flow gathered: the opener's shipment (after Divar's permission to post in
//! the chat, or without a chat) and the other side's confirmation, each with its chat message
//! queued in the same transaction.

use domain::code::TrackingCode;
use domain::draft::{Draft, Step};
use domain::forms::{validate_item, validate_quote, Intent, QuoteForm};
use domain::shipment::Party;

use super::{button_shipment, load_draft, role, save_draft, validated_party};
use crate::chat::texts::{announce, Facts};
use crate::consent::{self, Purpose};
use crate::error::AppError;
use crate::state::AppState;
use kenar::{Source, UserSide};
use store::sessions::LandingSession;
use store::shipments::{self, Changed, Completion, Order, Parties, Shipment};

/// Where a submission leads.
pub enum Submitted {
    /// Show this step (again): to fix its errors, or to see a recalculated quote.
    Step(Step),
    /// Ask Divar for permission to post in the chat first: the consent screen's URL.
    Consent(url::Url),
    /// Saved, outside a chat: its tracking page.
    Saved(TrackingCode),
}

/// The quote step's submit: `intent=quote` recalculates; `intent=submit` asks Divar for
/// permission to post in the chat (when there is one; the OAuth callback finishes the
/// submission) or saves the shipment at once.
pub async fn submit_quote(
    state: &AppState,
    session: &LandingSession,
    form: QuoteForm,
) -> Result<Submitted, AppError> {
    let mut draft = load_draft(state, session).await?;
    let submit = Intent::of(&form) == Intent::Submit;
    draft.quote = form;
    draft.errors.clear();
    if role(session, &draft).is_none() || !submit {
        save_draft(state, session, &draft).await?;
        return Ok(Submitted::Step(Step::Quote));
    }
    if let Some(grant) = session.landing.conversation_grant() {
        draft.awaiting_permission = true;
        save_draft(state, session, &draft).await?;
        let url = consent::begin(state, &session.id, &grant, &Purpose::ChatMessage).await?;
        return Ok(Submitted::Consent(url));
    }
    Ok(match finalize(state, session, &mut draft, false).await? {
        Finalized::Saved(code) => Submitted::Saved(code),
        Finalized::Fix(step) => Submitted::Step(step),
    })
}

/// The outcome of saving a draft as a shipment.
pub enum Finalized {
    Saved(TrackingCode),
    /// Something in the draft is no longer valid (a pickup day passed, say): the draft, with
    /// its errors, is saved and this step must be shown.
    Fix(Step),
}

fn city_name<'a>(state: &'a AppState, id: &str) -> Option<&'a str> {
    state
        .catalog
        .places
        .find(id)
        .map(|place| place.city.name.as_str())
}

/// Saves the shipment from a complete draft; with `notify`, the chat message announcing it is
/// queued in the same transaction.
pub async fn finalize(
    state: &AppState,
    session: &LandingSession,
    draft: &mut Draft,
    notify: bool,
) -> Result<Finalized, AppError> {
    let Some(role) = role(session, draft) else {
        return Ok(Finalized::Fix(Step::Role));
    };
    let places = &state.catalog.places;
    let item = validate_item(&draft.item);
    let party = validated_party(state, &draft.party, role);
    let choice = validate_quote(&draft.quote, |c| places.find(c).is_some());
    let (item, party, choice) = match (item, party, choice) {
        (Ok(item), Ok(party), Ok(choice)) => (item, party, choice),
        (item, party, choice) => {
            let step = if item.is_err() {
                Step::Item
            } else if party.is_err() {
                Step::Party
            } else {
                Step::Quote
            };
            let errors = [item.err(), party.err(), choice.err()]
                .into_iter()
                .flatten()
                .flatten()
                .collect();
            draft.reopen(step, errors);
            save_draft(state, session, draft).await?;
            return Ok(Finalized::Fix(step));
        }
    };
    let (origin_city, destination_city) =
        role.orient(party.city.clone(), choice.other_city.clone());
    let (Some(origin), Some(destination)) =
        (places.find(&origin_city), places.find(&destination_city))
    else {
        return Err(AppError::new("a validated city is not in the catalogue"));
    };
    let total = state
        .catalog
        .tariff
        .quote(&item.parcel(), origin, destination, choice.service)
        .map(|q| q.total)
        .ok_or_else(|| AppError::new("no quote for a validated draft"))?;
    let new = Order {
        landing: session.id.clone(),
        conversation_id: session.landing.conversation_id.clone(),
        post_token: session.landing.post_token.clone(),
        opener_role: role,
        opener_side: session.landing.user_side,
        origin_city: Some(origin_city),
        destination_city: Some(destination_city),
        service: choice.service,
        payer: choice.payer,
        quote_total: total,
        parties: Parties::one(role, party),
        item,
        direct_link: session.landing.source == Source::Fallback,
    };
    let conversation = session.landing.conversation_id.as_ref().filter(|_| notify);
    // Only the other side fills in theirs: the button is bound to it when Divar named ours.
    let other_side = session.landing.user_side.map(UserSide::other);
    let message = |code: &TrackingCode| {
        announce(&state.keys, conversation, |composer| {
            let facts = Facts {
                code,
                item: new.item.description.as_str(),
                route: Some((&origin.city.name, &destination.city.name)),
            };
            composer.submitted(&facts, other_side)
        })
    };
    let Some(code) = shipments::create(&state.db, &state.keys, &new, message, state.now()).await?
    else {
        // A second submit of the same draft (a double tap, two instances): the first one's.
        return shipments::of_landing(&state.db, &session.id)
            .await?
            .map(Finalized::Saved)
            .ok_or_else(|| AppError::new("a draft was taken but no shipment holds it"));
    };
    tracing::info!(
        source = session.landing.source.as_str(),
        notify,
        "shipment created"
    );
    Ok(Finalized::Saved(code))
}

/// The other side's details and the final route and price, once their city is known.
pub fn completion(state: &AppState, shipment: &Shipment, party: Party) -> Option<Completion> {
    let places = &state.catalog.places;
    let role = shipment.order.opener_role;
    let opener_city = role
        .orient(
            &shipment.order.origin_city,
            &shipment.order.destination_city,
        )
        .0;
    let (origin, destination) = role.orient(opener_city.clone()?, party.city.clone());
    let quote = state.catalog.tariff.quote(
        &shipment.order.item.parcel(),
        places.find(&origin)?,
        places.find(&destination)?,
        shipment.order.service,
    )?;
    let mut parties = shipment.order.parties.clone();
    parties.set(shipment.order.opener_role.other(), party);
    Some(Completion {
        parties,
        origin_city: Some(origin),
        destination_city: Some(destination),
        total: quote.total,
    })
}

/// The other side's confirmation.
pub enum Confirmed {
    /// Booked, and the chat told.
    Booked,
    /// Their details need fixing first.
    Fix(Step),
    /// The button does not verify, or the shipment no longer waits for them.
    Gone,
}

/// The other side confirms: their details join the shipment, which becomes Booked, and the
/// "booked" message is queued for the chat.
pub async fn confirm(state: &AppState, session: &LandingSession) -> Result<Confirmed, AppError> {
    let mut draft = load_draft(state, session).await?;
    let Some(shipment) = button_shipment(state, session).await? else {
        return Ok(Confirmed::Gone);
    };
    let party = match validated_party(state, &draft.party, shipment.order.opener_role.other()) {
        Ok(party) => party,
        Err(errors) => {
            draft.reopen(Step::Party, errors);
            save_draft(state, session, &draft).await?;
            return Ok(Confirmed::Fix(Step::Party));
        }
    };
    let completion = completion(state, &shipment, party)
        .ok_or_else(|| AppError::new("no final quote for a validated side"))?;
    let (origin, destination) = (
        completion
            .origin_city
            .as_deref()
            .and_then(|c| city_name(state, c)),
        completion
            .destination_city
            .as_deref()
            .and_then(|c| city_name(state, c)),
    );
    let message = announce(
        &state.keys,
        shipment.order.conversation_id.as_ref(),
        |composer| {
            let facts = Facts {
                code: &shipment.id,
                item: shipment.order.item.description.as_str(),
                route: origin.zip(destination),
            };
            composer.booked(&facts, completion.total)
        },
    );
    let changed = shipments::complete_counterparty(
        &state.db,
        &state.keys,
        &shipment,
        &completion,
        &session.id,
        message,
        state.now(),
    )
    .await?;
    Ok(match changed {
        Changed::Done => {
            tracing::info!("shipment booked by the counterparty");
            Confirmed::Booked
        }
        Changed::Refused(_) => Confirmed::Gone,
    })
}
