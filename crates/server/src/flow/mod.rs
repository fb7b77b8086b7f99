//! The landing flow's use cases, without a UI: what a browser's landing session sees at
//! `/request`, saving each step's form into the draft, prefilling from Divar's post, and (in
//! [`submit`]) saving the shipment or the other side's completion. The pages call these and
//! only map their results to views.
//!
//! * [`quote`]: the prices between two cities for a drafted item;
//! * [`submit`]: the opener's submission (with or without the chat) and the other side's
//!   confirmation.

pub mod quote;
pub mod submit;

use domain::code::TrackingCode;
use domain::draft::{Draft, Step};
use domain::forms::{
    validate_item, validate_party, validate_role, Errors, ItemForm, PartyForm, RoleForm,
};
use domain::shipment::Role;
use domain::status::Status;
use domain::tariff::Quote;
use domain::values::ItemDescription;
use domain::values::Rials;
use kenar::{Source, UserSide};

use crate::chat::buttons::verify_ask;
use crate::chat::{verify_button, Op};
use crate::error::AppError;
use crate::state::AppState;
use store::drafts;
use store::sessions::LandingSession;
use store::shipments::{self, Shipment};

/// The opener's role: the side Divar said, else the one they chose.
pub fn role(session: &LandingSession, draft: &Draft) -> Option<Role> {
    match session.landing.user_side {
        Some(UserSide::Supply) => Some(Role::Sender),
        Some(UserSide::Demand) => Some(Role::Receiver),
        None => draft.role,
    }
}

pub async fn load_draft(state: &AppState, session: &LandingSession) -> Result<Draft, AppError> {
    Ok(drafts::load(&state.db, &state.keys, &session.id).await?)
}

pub async fn save_draft(
    state: &AppState,
    session: &LandingSession,
    draft: &Draft,
) -> Result<(), AppError> {
    Ok(drafts::save(&state.db, &state.keys, &session.id, draft, state.now()).await?)
}

/// The longest post title kept for the session card.
const TITLE_MAX_CHARS: usize = 120;

/// Fills the item and the post's city from Divar's get-post API, once, waiting at most
/// the configured budget; on any failure the form is simply not prefilled. Only for sessions
/// Divar started: a direct link's post token is anyone's to type, and Ersal's API quota is
/// not spent on it.
async fn prefill(state: &AppState, session: &LandingSession, draft: &mut Draft) {
    draft.prefilled = true;
    if session.landing.source == Source::Fallback {
        return;
    }
    let Some(token) = &session.landing.post_token else {
        return;
    };
    let post = match crate::posts::read(state, token).await {
        Ok(crate::posts::Read::Found(post)) => post,
        Ok(_) => return,
        Err(cause) => {
            tracing::warn!(error = %cause, "post prefill skipped: the cache failed");
            return;
        }
    };
    if draft.item.description.trim().is_empty() {
        draft.item.description = post
            .data
            .title
            .chars()
            .take(ItemDescription::MAX_CHARS)
            .collect();
    }
    if state.catalog.places.find(&post.city).is_some() {
        draft.post_city = Some(post.city.clone());
    }
    let title: String = post.data.title.chars().take(TITLE_MAX_CHARS).collect();
    draft.post_title = Some(title).filter(|t| !t.trim().is_empty());
    draft.post_price = post
        .data
        .price
        .and_then(|p| p.fixed_rials())
        .map(domain::values::Rials);
}

/// The opener's flow at one step.
pub struct OpenerPage {
    pub role: Option<Role>,
    pub step: Step,
    pub draft: Draft,
    pub quotes: Vec<Quote>,
}

/// The other side's flow: their own details, then the final price and "confirm".
pub struct CounterpartyPage {
    pub role: Role,
    pub shipment: Shipment,
    pub step: Step,
    pub draft: Draft,
    /// The final price, on the confirmation step.
    pub total: Option<Rials>,
}

/// What a landing session shows at `/request`.
pub enum Page {
    Opener(Box<OpenerPage>),
    Counterparty(Box<CounterpartyPage>),
    /// The shipment the button points at no longer waits for the other side.
    Closed(TrackingCode),
    /// A button that does not verify: nothing happens.
    Refused,
    /// The session already has its shipment (it submitted, or a track button opened it): the
    /// shipment's tracking page is the page to show.
    Shipment(TrackingCode),
}

/// The page for `session` at the `requested` step.
pub async fn open(
    state: &AppState,
    session: &LandingSession,
    requested: Option<Step>,
) -> Result<Page, AppError> {
    let mut asked_to = None;
    if session.landing.source == Source::ChatMessageAction {
        match pressed(state, session).await? {
            Press::Ours(code, Op::Track) => return Ok(Page::Shipment(code)),
            Press::Asked(to) => asked_to = to,
            _ => {
                let draft = load_draft(state, session).await?;
                return counterparty_page(state, session, draft, requested).await;
            }
        }
    }
    if let Some(code) = shipments::of_landing(&state.db, &session.id).await? {
        return Ok(Page::Shipment(code));
    }
    let mut draft = load_draft(state, session).await?;
    if !draft.prefilled {
        prefill(state, session, &mut draft).await;
        save_draft(state, session, &draft).await?;
    }
    let role = role(session, &draft);
    // Defaults from the post: its city is the seller's, where the parcel starts; the city
    // the buyer asked the assistant about is where it goes.
    if let Some(role) = role {
        let (origin, destination) = role.orient(&mut draft.party.city, &mut draft.quote.other_city);
        if let (true, Some(post_city)) = (origin.is_empty(), draft.post_city.clone()) {
            *origin = post_city;
        }
        if let (true, Some(to)) = (destination.is_empty(), asked_to) {
            if state.catalog.places.find(&to).is_some() {
                *destination = to;
            }
        }
    }
    let step = draft.opener_step(requested, role);
    let quotes = match role {
        Some(role) if step == Step::Quote => {
            quote::for_draft(state, role, &draft, &draft.quote.other_city)
        }
        _ => Vec::new(),
    };
    Ok(Page::Opener(Box::new(OpenerPage {
        role,
        step,
        draft,
        quotes,
    })))
}

async fn counterparty_page(
    state: &AppState,
    session: &LandingSession,
    draft: Draft,
    requested: Option<Step>,
) -> Result<Page, AppError> {
    let Some(shipment) = button_shipment(state, session).await? else {
        return Ok(Page::Refused);
    };
    if shipment.status != Status::AwaitingCounterparty {
        return Ok(Page::Closed(shipment.id));
    }
    let role = shipment.order.opener_role.other();
    let step = draft.counterparty_step(requested);
    let total = (step == Step::Confirm)
        .then(|| validated_party(state, &draft.party, role).ok())
        .flatten()
        .and_then(|party| submit::completion(state, &shipment, party))
        .map(|c| c.total);
    Ok(Page::Counterparty(Box::new(CounterpartyPage {
        role,
        step: if total.is_some() { step } else { Step::Party },
        shipment,
        draft,
        total,
    })))
}

/// What became of a press on one of our chat buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// Ours, unaltered, in its own conversation, by a side that may press it.
    Ours(TrackingCode, Op),
    /// The shipping assistant's button, pressed by the buyer: a new request, to this city if
    /// the question named one.
    Asked(Option<String>),
    /// Meant for the other side of the chat: nothing happens.
    OtherSide,
    /// Altered, replayed in another conversation, or not a button of ours.
    Refused,
}

/// The button this session was opened with, checked without I/O: its signature for the
/// session's conversation, and the side that may press it.
fn checked_button(state: &AppState, session: &LandingSession) -> Press {
    let landing = &session.landing;
    let asked = landing
        .conversation_id
        .as_ref()
        .and_then(|c| verify_ask(&state.keys, &landing.private.extra_data, c));
    if let Some(to) = asked {
        return match landing.user_side {
            Some(UserSide::Demand) => Press::Asked(to),
            _ => Press::OtherSide,
        };
    }
    let Some(pressed) = landing
        .conversation_id
        .as_ref()
        .and_then(|c| verify_button(&state.keys, &landing.private.extra_data, c))
    else {
        return Press::Refused;
    };
    if !pressed.allows(landing.user_side) {
        return Press::OtherSide;
    }
    Press::Ours(pressed.code, pressed.op)
}

/// The button of one of our chat messages that opened this session: ours only if it checks
/// out and its shipment belongs to the session's conversation.
pub async fn pressed(state: &AppState, session: &LandingSession) -> Result<Press, AppError> {
    let checked = checked_button(state, session);
    let Press::Ours(code, _) = &checked else {
        return Ok(checked);
    };
    let belongs =
        shipments::conversation_of(&state.db, code).await? == session.landing.conversation_id;
    Ok(if belongs { checked } else { Press::Refused })
}

/// The shipment a `fill` button of this session points at (the same checks as [`pressed`],
/// with one read).
pub async fn button_shipment(
    state: &AppState,
    session: &LandingSession,
) -> Result<Option<Shipment>, AppError> {
    let Press::Ours(code, Op::Fill) = checked_button(state, session) else {
        return Ok(None);
    };
    let shipment = shipments::get(&state.db, &state.keys, &code).await?;
    Ok(shipment.filter(|s| s.order.conversation_id == session.landing.conversation_id))
}

/// A side's details, checked against the city list and today's pickup days.
pub fn validated_party(
    state: &AppState,
    form: &PartyForm,
    role: Role,
) -> Result<domain::shipment::Party, Errors> {
    let places = &state.catalog.places;
    validate_party(form, role, |c| places.find(c).is_some(), state.now())
}

/// A step's form, as submitted.
pub enum StepForm {
    Role(RoleForm),
    Item(ItemForm),
    Party(PartyForm),
}

/// Saves a step's form into the draft: the next step when it is valid, the same step (with its
/// errors in the draft) when not.
pub async fn save_step(
    state: &AppState,
    session: &LandingSession,
    form: StepForm,
) -> Result<Step, AppError> {
    let mut draft = load_draft(state, session).await?;
    let (same, result) = match form {
        StepForm::Role(form) => {
            let valid = validate_role(&form);
            if let Ok(role) = valid {
                draft.role = Some(role);
            }
            (Step::Role, valid.map(|_| Step::Item))
        }
        StepForm::Item(form) => {
            let valid = validate_item(&form);
            draft.item = form;
            draft.item_done = valid.is_ok();
            (Step::Item, valid.map(|_| Step::Party))
        }
        StepForm::Party(form) => {
            let by_button = session.landing.source == Source::ChatMessageAction
                && !matches!(checked_button(state, session), Press::Asked(_));
            let (role, next) = if by_button {
                let role = button_shipment(state, session)
                    .await?
                    .map(|s| s.order.opener_role.other());
                (role, Step::Confirm)
            } else {
                (role(session, &draft), Step::Quote)
            };
            // Without a known side (no role yet, or a button that no longer verifies) nothing
            // is saved: the page shows why.
            let Some(role) = role else {
                return Ok(Step::Role);
            };
            let valid = validated_party(state, &form, role);
            draft.party = form;
            draft.party_done = valid.is_ok();
            (Step::Party, valid.map(|_| next))
        }
    };
    let next = match result {
        Ok(next) => {
            draft.errors.clear();
            next
        }
        Err(errors) => {
            draft.errors = errors;
            same
        }
    };
    save_draft(state, session, &draft).await?;
    Ok(next)
}
