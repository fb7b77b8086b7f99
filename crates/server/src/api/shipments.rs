//! Reading shipments through the API: a filtered list paged by an opaque cursor, one shipment
//! with its timeline (its two sides only for `personal:read`), and the status catalogue.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::api::{iso_date, Scope, PAGE_DEFAULT, PAGE_MAX};
use domain::code::TrackingCode;
use domain::status::{Actor, Status};
use serde::Deserialize;
use store::api::Token;
use store::shipments::list::{self, Condition, Filter, Line};
use store::shipments::{self, Shipment};

use super::require;
use super::views::{
    Parties, PartyDetails, Pickup, ShipmentDetails, ShipmentLine, ShipmentPage, StatusInfo,
    TimelineEvent,
};
use crate::problem::{Kind, Problem};
use crate::state::AppState;

/// The list's query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only shipments in this status (its key).
    pub status: Option<String>,
    /// Only shipments created at or after this Unix time.
    pub created_from: Option<i64>,
    /// Only shipments created before this Unix time.
    pub created_to: Option<i64>,
    /// Only shipments from or to this city id.
    pub city: Option<String>,
    /// Shipments per page, 1 to 200 (50 when absent).
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

fn invalid(detail: &str) -> Problem {
    Problem::new(Kind::Invalid, detail)
}

/// The cursor after `line`: its creation time and code, opaque to callers.
fn cursor_after(line: &Line) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}.{}", line.created_at, line.id))
}

fn parse_cursor(raw: &str) -> Option<(i64, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (at, id) = text.split_once('.')?;
    let id = TrackingCode::parse(id)?;
    Some((at.parse().ok()?, id.as_str().to_owned()))
}

fn filter_of(query: &ListQuery) -> Result<Filter, Problem> {
    let mut conditions = Vec::new();
    if let Some(key) = query.status.as_deref() {
        let status =
            Status::parse(key).ok_or_else(|| invalid("status: وضعیتی با این کلید نیست."))?;
        conditions.push(Condition::Status(status));
    }
    if let Some(at) = query.created_from {
        conditions.push(Condition::CreatedSince(at));
    }
    if let Some(at) = query.created_to {
        conditions.push(Condition::CreatedBefore(at));
    }
    if let Some(city) = query.city.as_deref() {
        if city.is_empty() || city.len() > 64 {
            return Err(invalid("city: شناسهٔ شهر نادرست است."));
        }
        conditions.push(Condition::City(city.to_owned()));
    }
    if let Some(raw) = query.cursor.as_deref() {
        let (at, id) = parse_cursor(raw)
            .ok_or_else(|| invalid("cursor: این نشانگر از پاسخ‌های این API نیست."))?;
        conditions.push(Condition::After(at, id));
    }
    Ok(Filter(conditions))
}

fn line_view(line: &Line) -> ShipmentLine {
    ShipmentLine {
        id: line.id.clone(),
        status: line.status.key().to_owned(),
        status_label: line.status.label().to_owned(),
        origin_city: line.origin_city.clone(),
        destination_city: line.destination_city.clone(),
        created_at: line.created_at,
        pickup_date: line.pickup_day.map(iso_date),
    }
}

/// A page of shipments matching `query`, oldest first.
pub async fn list(
    state: &AppState,
    token: &Token,
    query: &ListQuery,
) -> Result<ShipmentPage, Problem> {
    require(token, Scope::ShipmentsRead)?;
    let limit = query.limit.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(invalid("limit: عددی از ۱ تا ۲۰۰."));
    }
    let mut filter = filter_of(query)?;
    filter
        .0
        .push(Condition::CreatedBefore(state.now() - SETTLE_SECS));
    // One more than asked tells whether there is a next page.
    let mut lines = list::in_order(&state.db, &filter, limit + 1).await?;
    let more = lines.len() as i64 > limit;
    lines.truncate(limit as usize);
    Ok(ShipmentPage {
        next_cursor: more.then(|| lines.last().map(cursor_after)).flatten(),
        shipments: lines.iter().map(line_view).collect(),
    })
}

/// One shipment with its timeline. A token that reads its personal data is audited as an
/// operator is: one line per token, shipment and hour.
pub async fn read(state: &AppState, token: &Token, code: &str) -> Result<ShipmentDetails, Problem> {
    require(token, Scope::ShipmentsRead)?;
    let shipment = find(state, code).await?;
    let personal = token.may(Scope::PersonalRead) && !shipment.purged;
    if personal {
        let (what, now) = (crate::console::VIEWED_PERSONAL, state.now());
        let window = crate::console::VIEW_AUDIT_SECS;
        store::api::audit_viewed(&state.db, &shipment.id, token.id, what, now, window).await?;
    }
    Ok(details(state, &shipment, personal))
}

/// The list leaves out shipments younger than this: by then every shipment created in the same
/// second has committed (on any instance, clocks within a second or two of each other), so a
/// cursor never passes over one that appears later.
pub const SETTLE_SECS: i64 = 5;

/// The shipment `code` names, or a 404 problem.
pub(super) async fn find(state: &AppState, code: &str) -> Result<Shipment, Problem> {
    let not_found = || Problem::new(Kind::NotFound, "مرسوله‌ای با این کد پیگیری نیست.");
    let code = TrackingCode::parse(code).ok_or_else(not_found)?;
    shipments::get(&state.db, &state.keys, &code)
        .await?
        .ok_or_else(not_found)
}

fn details(state: &AppState, shipment: &Shipment, personal: bool) -> ShipmentDetails {
    let order = &shipment.order;
    let created_at = shipment.events.first().map_or(0, |e| e.at);
    let party = |p: &domain::shipment::Party| PartyDetails {
        name: p.name.as_str().to_owned(),
        mobile: p.mobile.as_str().to_owned(),
        city: state.city_name(Some(&p.city)),
        address: p.address_for_people(),
        postal_code: p.postal_code.as_ref().map(|c| c.as_str().to_owned()),
    };
    ShipmentDetails {
        line: ShipmentLine {
            id: shipment.id.to_string(),
            status: shipment.status.key().to_owned(),
            status_label: shipment.status.label().to_owned(),
            origin_city: order.origin_city.clone(),
            destination_city: order.destination_city.clone(),
            created_at,
            pickup_date: shipment.pickup.map(|(day, _)| iso_date(day)),
        },
        item: order.item.description.as_str().to_owned(),
        size: order.item.size.key().to_owned(),
        fragile: order.item.fragile,
        service: order.service.key().to_owned(),
        payer: order.payer.key().to_owned(),
        total_rials: order.quote_total.0,
        pickup: shipment.pickup.map(|(day, window)| Pickup {
            date: iso_date(day),
            window: window.key().to_owned(),
            window_label: window.label().to_owned(),
        }),
        purged: shipment.purged,
        timeline: shipment
            .events
            .iter()
            .map(|e| TimelineEvent {
                status: e.status.key().to_owned(),
                status_label: e.status.label().to_owned(),
                actor: e.actor.key().to_owned(),
                at: e.at,
                // A note may name a person or say why: personal data.
                note: e.note.clone().filter(|_| personal),
            })
            .collect(),
        parties: personal.then(|| Parties {
            sender: order.parties.sender.as_ref().map(party),
            receiver: order.parties.receiver.as_ref().map(party),
        }),
    }
}

/// Every status with its label and the company's moves from it.
pub fn statuses() -> Vec<StatusInfo> {
    Status::ALL
        .iter()
        .map(|&status| StatusInfo {
            key: status.key().to_owned(),
            label: status.label().to_owned(),
            terminal: status.is_terminal(),
            company_moves: status
                .next()
                .iter()
                .filter(|&&to| status.can_become(to, Actor::Operator))
                .map(|to| to.key().to_owned())
                .collect(),
            needs_reason: status.is_exception(),
        })
        .collect()
}
