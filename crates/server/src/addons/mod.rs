//! Ersal's widgets on a seller's post (docs/kenar.md, “Post add-ons”; docs/journeys.md, “Shipping on the
//! post”).
//!
//! The seller opens Ersal from their post's management page (`MY_POST`, the Fallback URL with
//! `post_token`) or from a chat as the seller, sees the widgets exactly as they will appear
//! ([`widgets`]) with the price range the tariff gives from the post's city, and consents to
//! `POST_ADDON_CREATE.<post_token>`. The post is checked with get-post first (the add-on API
//! accepts an unknown token silently). The widgets go out through the outbox ([`publish`]);
//! the seller can remove them at any time, and a tariff change re-posts them with the new
//! price. Stored: the post token, the state, the consent time, and what the price came from
//! (the size class, the tariff's fingerprint); the grant is sealed beside the chat grants.
//!
//! A buyer who taps the widget's button comes back through the session-initialization URL with
//! `source` `POST_ADDON` and the button's data, signed here ([`tap_data`], [`verify_tap`]),
//! and is shown the price to their city (`app::price`).

pub mod offer;
pub mod price;
pub mod publish;

use domain::places::Place;
use domain::size::SizeClass;
use domain::tariff::{Parcel, Service};
use domain::values::Rials;
use kenar::addon::{InfoItem, PostAddon, Widget};
use kenar::message::Action;
use kenar::PostToken;
use serde_json::{Map, Value};

use crate::state::AppState;
use store::crypto::Keys;

/// The lowest and highest economy price for a parcel of `size` from `origin` to any city in
/// the catalogue, nothing declared: what the widget's "from" price comes from.
pub fn price_range(state: &AppState, origin: Place<'_>, size: SizeClass) -> Option<(Rials, Rials)> {
    let parcel = Parcel::of_size(size);
    let tariff = &state.catalog.tariff;
    let totals = state.catalog.places.provinces.iter().flat_map(|province| {
        province.cities.iter().filter_map(move |city| {
            let destination = Place { province, city };
            tariff
                .quote(&parcel, origin, destination, Service::Economy)
                .map(|q| q.total.0)
        })
    });
    let (low, high) = totals.fold((u64::MAX, 0), |(low, high), t| (low.min(t), high.max(t)));
    (high > 0).then_some((Rials(low), Rials(high)))
}

/// The lowest and highest economy price from the city `origin` (an id) to any city, for any
/// size class: what the flow shows from its first step, before the parcel is described.
pub fn price_range_from(state: &AppState, origin: &str) -> Option<(Rials, Rials)> {
    let origin = state.catalog.places.find(origin)?;
    SizeClass::ALL
        .into_iter()
        .filter_map(|size| price_range(state, origin, size))
        .reduce(|(low, high), (l, h)| (low.min(l), high.max(h)))
}

/// The widgets Divar shows on the post: what is offered, from where and from what price, and a
/// button that opens Ersal with the price to the viewer's city. Deal information only.
pub fn widgets(
    state: &AppState,
    post: &PostToken,
    origin: Place<'_>,
    size: SizeClass,
) -> PostAddon {
    let from = price_range(state, origin, size).map_or_else(
        || "—".to_owned(),
        |(low, _)| format!("از {}", low.display_tomans()),
    );
    PostAddon {
        widgets: vec![
            Widget::TitleRow {
                text: "ارسال این کالا به شهر شما".to_owned(),
                has_divider: false,
            },
            Widget::GroupInfoRow {
                items: vec![
                    InfoItem {
                        title: "ارسال از".to_owned(),
                        value: origin.city.name.clone(),
                    },
                    InfoItem {
                        title: "هزینهٔ ارسال".to_owned(),
                        value: from,
                    },
                ],
                has_divider: true,
            },
            Widget::ButtonBar {
                title: "هزینهٔ ارسال به شهر من".to_owned(),
                action: Action::OpenServerLink {
                    data: tap_data(&state.keys, post, &origin.city.id, size),
                },
            },
        ],
    }
}

/// The button's data: the origin city and size class, signed with the post they belong to
/// (Divar sends the post token beside it), so altered data, or data moved to another post, is
/// refused.
pub fn tap_data(
    keys: &Keys,
    post: &PostToken,
    origin: &str,
    size: SizeClass,
) -> Map<String, Value> {
    let sig = keys.sign(&["post-addon", post.as_str(), origin, size.key()]);
    [("o", origin), ("z", size.key()), ("s", sig.as_str())]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::from(v)))
        .collect()
}

/// The origin city and size class of a tapped widget, if its data is ours for `post`.
pub fn verify_tap(
    keys: &Keys,
    post: &PostToken,
    data: &Map<String, Value>,
) -> Option<(String, SizeClass)> {
    let field = |key: &str| data.get(key).and_then(Value::as_str);
    let (origin, size, sig) = (field("o")?, field("z")?, field("s")?);
    let size = SizeClass::parse(size)?;
    keys.verify(&["post-addon", post.as_str(), origin, size.key()], sig)
        .then(|| (origin.to_owned(), size))
}
