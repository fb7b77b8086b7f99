//! The buyer's page after tapping the widget: the price from the post's city to theirs.

use domain::size::SizeClass;
use domain::tariff::{Parcel, Quote, Service};
use domain::values::Rials;
use kenar::Source;

use crate::sessions::LandingSession;
use crate::state::AppState;

/// The buyer's page.
pub const PRICE_PATH: &str = "/price";

/// What a tapped widget says: where the parcel leaves from and its size class.
pub struct Tapped {
    /// The origin city's id.
    pub origin: String,
    pub size: SizeClass,
}

/// The widget a buyer's session came from, if its data is ours for its post.
pub fn tapped(state: &AppState, session: &LandingSession) -> Option<Tapped> {
    if session.landing.source != Source::PostAddon {
        return None;
    }
    let post = session.landing.post_token.as_deref()?;
    let (origin, size) = super::verify_tap(&state.keys, post, &session.landing.private.extra_data)?;
    state.catalog.places.find(&origin)?;
    Some(Tapped { origin, size })
}

/// The economy and express prices of a parcel of `size` from `origin` to `destination`,
/// nothing declared: the same quote the flow books with. The tariff prices delivery to the
/// door and holding at a branch alike.
pub fn quotes(state: &AppState, origin: &str, destination: &str, size: SizeClass) -> Vec<Quote> {
    let places = &state.catalog.places;
    let (Some(origin), Some(destination)) = (places.find(origin), places.find(destination)) else {
        return Vec::new();
    };
    let parcel = Parcel {
        size,
        weight: None,
        dimensions: None,
        declared_value: Rials(0),
    };
    [Service::Economy, Service::Express]
        .into_iter()
        .filter_map(|service| {
            state
                .catalog
                .tariff
                .quote(&parcel, origin, destination, service)
        })
        .collect()
}
