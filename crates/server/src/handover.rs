//! Handovers proved by codes ([`domain::handover`]): the codes their holders see, staff's moves
//! (with or without a code, said in the timeline and the chat), and the courier's check of a
//! typed code, with its limits.

use domain::code::TrackingCode;
use domain::handover::{parse_code, Proof, Step};
use domain::shipment::{PickupWindow, Role};
use domain::status::{Actor, Status};
use store::handover::{self, Checked};
use store::operators::Operator;
use store::shipments::{self, By, Change, Changed, Shipment};

use crate::chat::texts::{announce, Facts};
use crate::error::AppError;
use crate::state::AppState;

/// The code `role` holds for the shipment now, if one is pending: the sender's pickup code, the
/// receiver's delivery code (issued on first need).
pub async fn code_for(
    state: &AppState,
    shipment: &Shipment,
    role: Role,
) -> Result<Option<(Step, String)>, AppError> {
    let Some(step) = Step::ALL.iter().copied().find(|s| s.holder() == role) else {
        return Ok(None);
    };
    if shipment.purged || !step.pending(shipment.status) {
        return Ok(None);
    }
    let code = handover::code(&state.db, &state.keys, &shipment.id, step, state.now()).await?;
    Ok(Some((step, code)))
}

/// Moves `shipment` to `to` as the shipping company (`by` an operator or an API token),
/// announcing it in the chat. A handover's move says how it was recorded (`proof`: with its
/// code, or without), in the timeline and the message.
pub async fn company_move(
    state: &AppState,
    by: By,
    shipment: &Shipment,
    to: Status,
    note: Option<String>,
    pickup: Option<(i64, PickupWindow)>,
    proof: Proof,
) -> Result<Changed, AppError> {
    let code = &shipment.id;
    let step = Step::of(to);
    let message = announce(
        &state.keys,
        shipment.order.conversation_id.as_ref(),
        |composer| {
            let facts = Facts {
                code,
                item: shipment.order.item.description.as_str(),
                route: None,
            };
            match step {
                Some(step) => composer.handed_over(&facts, step, proof),
                None => composer.milestone(&facts, to, pickup),
            }
        },
    );
    let note = match (step, note) {
        (Some(step), Some(note)) => Some(format!("{}؛ {note}", step.proof_note(proof))),
        (Some(step), None) => Some(step.proof_note(proof).to_owned()),
        (None, note) => note,
    };
    let change = Change {
        note,
        pickup,
        message,
        by: Some(by),
        proof: step.map(|_| proof),
        ..Change::to(to, Actor::Operator)
    };
    crate::chat::tokens::transition(&state.db, code, change, state.now()).await
}

/// A QR code of `text` as an inline SVG (no XML prolog), black on white with its quiet zone,
/// scaled by its container: readable at 360 px and in print.
pub fn qr_svg(text: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    match svg.find("<svg") {
        Some(start) => {
            svg[start..].replacen("<svg ", "<svg role=\"img\" aria-label=\"کد QR پیگیری\" ", 1)
        }
        None => String::new(),
    }
}

/// A code as its holder reads it: Persian digits in two groups of three (`۱۲۳ ۴۵۶`).
pub fn code_for_people(code: &str) -> String {
    let (first, second) = code.split_at(code.len() / 2);
    domain::text::persian_digits(&format!("{first} {second}"))
}

/// A shipment as the courier's page finds it: which handover it waits for (if any), and
/// whether wrong codes have locked it (or the operator): until when, and whether the shipment.
pub struct AtTheDoor {
    pub shipment: Shipment,
    pub step: Option<Step>,
    pub locked: Option<(i64, bool)>,
}

/// The shipment whose tracking code the courier typed (any case, Persian digits).
pub async fn at_the_door(
    state: &AppState,
    operator: &Operator,
    typed: &str,
) -> Result<Option<AtTheDoor>, AppError> {
    let Some(code) = TrackingCode::parse(typed) else {
        return Ok(None);
    };
    let Some(shipment) = shipments::get(&state.db, &state.keys, &code).await? else {
        return Ok(None);
    };
    let step = Step::ALL
        .iter()
        .copied()
        .find(|step| shipment.status.can_become(step.status(), Actor::Operator));
    let locked = handover::locked(&state.db, &code, operator.id, state.now()).await?;
    Ok(Some(AtTheDoor {
        shipment,
        step,
        locked,
    }))
}

/// How a courier's typed code ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// The shipment moved, proved by the code.
    Done(Step),
    /// Not six digits: nothing counted.
    Unreadable,
    /// Wrong: nothing changed; this many tries are left for the shipment.
    Wrong { left: i64 },
    /// Too many wrong codes, for the shipment or by the operator, until then.
    Locked { until: i64, shipment: bool },
    /// The shipment is not waiting for this handover (or its holder never saw a code).
    NotNow,
}

/// Checks the code a courier typed for the shipment's pending handover (`step`), and moves it
/// when it is right.
pub async fn confirm(
    state: &AppState,
    operator: &Operator,
    code: &TrackingCode,
    step: Step,
    typed: &str,
) -> Result<Confirmed, AppError> {
    let Some(typed) = parse_code(typed) else {
        return Ok(Confirmed::Unreadable);
    };
    let Some(shipment) = shipments::get(&state.db, &state.keys, code).await? else {
        return Ok(Confirmed::NotNow);
    };
    if !shipment.status.can_become(step.status(), Actor::Operator) {
        return Ok(Confirmed::NotNow);
    }
    let now = state.now();
    match handover::check(&state.db, &state.keys, code, step, &typed, operator.id, now).await? {
        Checked::Right => {}
        Checked::Wrong { left } => return Ok(Confirmed::Wrong { left }),
        Checked::Locked { until, shipment } => return Ok(Confirmed::Locked { until, shipment }),
        Checked::NotIssued => return Ok(Confirmed::NotNow),
    }
    let moved = company_move(
        state,
        By::Operator(operator.id),
        &shipment,
        step.status(),
        None,
        None,
        Proof::Code,
    );
    Ok(match moved.await? {
        Changed::Done => Confirmed::Done(step),
        Changed::Refused(_) => Confirmed::NotNow,
    })
}
