//! What the two sides and the operators read of an order: the item, the route, the service,
//! who pays and the price, written the same on every page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub item: String,
    pub route: String,
    pub service: String,
    pub payer: String,
    pub total: String,
}

#[cfg(feature = "ssr")]
impl OrderSummary {
    pub fn of(state: &ersal_server::AppState, order: &ersal_server::Order) -> Self {
        let city = |c: &Option<String>| state.city_name(c.as_deref());
        Self {
            item: order.item.description.as_str().to_owned(),
            route: ersal_server::chat::texts::route(
                &city(&order.origin_city),
                &city(&order.destination_city),
            ),
            service: order.service.label().to_owned(),
            payer: order.payer.label().to_owned(),
            total: order.quote_total.display_tomans(),
        }
    }
}

/// The order's lines of a facts list (`<dl class="facts">`).
#[component]
pub fn OrderFacts(order: OrderSummary) -> impl IntoView {
    view! {
        <dt>"کالا"</dt>
        <dd>{order.item}</dd>
        <dt>"مسیر"</dt>
        <dd data-testid="route">{order.route}</dd>
        <dt>"سرویس"</dt>
        <dd>{order.service}</dd>
        <dt>"پرداخت"</dt>
        <dd>{order.payer}</dd>
        <dt>"هزینه"</dt>
        <dd data-testid="total">{order.total}</dd>
    }
}
