//! The buyer's page after tapping the widget: the price from the post's city to theirs.

use domain::size::SizeClass;
use domain::tariff::{Parcel, Quote};
use kenar::Source;

use crate::state::AppState;
use store::sessions::LandingSession;

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
    let post = session.landing.post_token.as_ref()?;
    let (origin, size) = super::verify_tap(&state.keys, post, &session.landing.private.extra_data)?;
    state.catalog.places.find(&origin)?;
    Some(Tapped { origin, size })
}

/// The economy and express prices of a parcel of `size` from `origin` to `destination`,
/// nothing declared: the same quotes the flow books with. The tariff prices delivery to the
/// door and holding at a branch alike.
pub fn quotes(state: &AppState, origin: &str, destination: &str, size: SizeClass) -> Vec<Quote> {
    let places = &state.catalog.places;
    match (places.find(origin), places.find(destination)) {
        (Some(origin), Some(destination)) => {
            crate::flow::quote::services(state, &Parcel::of_size(size), origin, destination)
        }
        _ => Vec::new(),
    }
}
