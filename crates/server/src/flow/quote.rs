//! Prices for a drafted shipment: the economy and express quotes between the opener's city and
//! the other side's, from the one tariff the server also books with.

use domain::draft::Draft;
use domain::forms::validate_item;
use domain::places::Place;
use domain::shipment::{Item, Role};
use domain::tariff::{Parcel, Quote, Service};

use crate::state::AppState;

/// The quotes between `own_city` (the opener's, on their `role`'s side) and `other_city`.
pub fn between(
    state: &AppState,
    role: Role,
    item: &Item,
    own_city: &str,
    other_city: &str,
) -> Vec<Quote> {
    let places = &state.catalog.places;
    let (Some(own), Some(other)) = (places.find(own_city), places.find(other_city)) else {
        return Vec::new();
    };
    let (origin, destination) = role.orient(own, other);
    services(state, &item.parcel(), origin, destination)
}

/// The economy and express quotes for `parcel` from `origin` to `destination`.
pub fn services(
    state: &AppState,
    parcel: &Parcel,
    origin: Place<'_>,
    destination: Place<'_>,
) -> Vec<Quote> {
    [Service::Economy, Service::Express]
        .into_iter()
        .filter_map(|service| {
            state
                .catalog
                .tariff
                .quote(parcel, origin, destination, service)
        })
        .collect()
}

/// The quotes for a draft whose item is complete, towards `other_city`.
pub fn for_draft(state: &AppState, role: Role, draft: &Draft, other_city: &str) -> Vec<Quote> {
    validate_item(&draft.item).map_or_else(
        |_| Vec::new(),
        |item| between(state, role, &item, &draft.party.city, other_city),
    )
}
