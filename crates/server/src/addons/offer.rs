//! The seller's page: the post as Divar knows it, the widgets as they will appear, and where
//! they stand.

use domain::size::SizeClass;
use domain::values::Rials;
use kenar::addon::PostAddon;
use kenar::{PostToken, UserSide};

use crate::error::AppError;
use crate::state::AppState;
use store::addons::{self as rows, AddonState};
use store::sessions::LandingSession;

/// What the seller's page can show.
pub enum Seen {
    /// The session has no post (or is a buyer's): nothing to offer shipping on.
    NoPost,
    /// Divar does not know the post (or could not say in time).
    NotFound,
    /// Ersal does not serve the post's city.
    NotServed,
    Ready(Box<Offer>),
}

pub struct Offer {
    pub post: PostToken,
    pub title: String,
    /// The origin city's name, and its id.
    pub origin: String,
    pub origin_city: String,
    pub size: SizeClass,
    pub range: Option<(Rials, Rials)>,
    pub state: AddonState,
    pub widgets: PostAddon,
}

/// The post of a session that may offer shipping on it: a direct link from the post's
/// management page (`MY_POST`), or a chat as its seller.
pub fn post_of(session: &LandingSession) -> Option<PostToken> {
    if session.landing.user_side == Some(UserSide::Demand) {
        return None;
    }
    session.landing.post_token.clone()
}

/// The seller's page for `session`, the widgets priced for `size` (else the size they were
/// posted with, else small). The post is read from Divar first: the add-on API would accept
/// an unknown token silently.
pub async fn view(
    state: &AppState,
    session: &LandingSession,
    size: Option<SizeClass>,
) -> Result<Seen, AppError> {
    let Some(post) = post_of(session) else {
        return Ok(Seen::NoPost);
    };
    let crate::posts::Read::Found(found) = crate::posts::read(state, &post).await? else {
        return Ok(Seen::NotFound);
    };
    let Some(origin) = state.catalog.places.find(&found.city) else {
        return Ok(Seen::NotServed);
    };
    let stored = rows::get(&state.db, &post).await?;
    let size = size
        .or(stored.map(|(_, size)| size))
        .unwrap_or(SizeClass::Small);
    Ok(Seen::Ready(Box::new(Offer {
        title: found.data.title.chars().take(100).collect(),
        origin: origin.city.name.clone(),
        origin_city: origin.city.id.clone(),
        size,
        range: super::price_range(state, origin, size),
        state: stored.map_or(AddonState::Off, |(state, _)| state),
        widgets: super::widgets(state, &post, origin, size),
        post,
    })))
}
