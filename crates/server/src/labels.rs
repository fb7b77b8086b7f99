//! Printable labels: one shipment's (A6), or every label of a day's pickups with its manifest
//! (four A6 labels to an A4 page). A label is the one place the receiver's name, phone and
//! address are printed, for the parcel; opening labels is audited like opening the shipment.

use store::operators::Operator;
use store::shipments::list;
use store::shipments::Shipment;

use crate::console;
use crate::error::AppError;
use crate::state::AppState;

/// The most labels one sheet prints; the manifest says how many of the day's pickups it
/// holds.
pub const MAX_PER_SHEET: i64 = 200;

/// The shipment whose label `operator` prints, if any.
pub async fn one(
    state: &AppState,
    operator: &Operator,
    code: &str,
) -> Result<Option<Shipment>, AppError> {
    Ok(console::open(state, operator, code)
        .await?
        .map(|opened| opened.shipment))
}

/// The shipments scheduled for a pickup on `day`, at most [`MAX_PER_SHEET`] (the sheet says
/// when it is full).
pub async fn of_day(
    state: &AppState,
    operator: &Operator,
    day: i64,
) -> Result<Vec<Shipment>, AppError> {
    let mut labels = Vec::new();
    for id in list::for_pickup(&state.db, day, MAX_PER_SHEET).await? {
        if let Some(shipment) = one(state, operator, &id).await? {
            labels.push(shipment);
        }
    }
    Ok(labels)
}
