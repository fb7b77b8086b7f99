//! The handover card of the tracking page: the sender's digital waybill (the tracking code in
//! large digits and as a QR code, the route, the size, the pickup window, and the pickup code
//! for the courier), or the receiver's delivery code. Neither side sees the other's code, and
//! the waybill carries nothing personal: the receiver's phone and address are never on it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaybillView {
    /// The tracking code, large, as people read it.
    pub code: String,
    /// The tracking code as an inline SVG QR code.
    pub qr: String,
    pub route: String,
    pub size: String,
    pub pickup: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverView {
    /// The holder's code, as people read it.
    pub code: String,
    /// The sender's waybill (the receiver's card has none).
    pub waybill: Option<WaybillView>,
}

#[cfg(feature = "ssr")]
impl HandoverView {
    /// The card for the side `role` of `shipment`, if its code is pending.
    pub async fn of(
        state: &ersal_server::AppState,
        shipment: &ersal_server::Shipment,
        role: domain::shipment::Role,
    ) -> Result<Option<Self>, ersal_server::AppError> {
        use domain::handover::Step;
        use ersal_server::handover::{code_for, code_for_people, qr_svg};

        let Some((step, code)) = code_for(state, shipment, role).await? else {
            return Ok(None);
        };
        let order = &shipment.order;
        let city = |c: &Option<String>| state.city_name(c.as_deref());
        let now = state.now();
        let chosen = order
            .parties
            .sender
            .as_ref()
            .and_then(|s| match s.handover {
                domain::shipment::Handover::CourierPickup { day, window } => Some((day, window)),
                _ => None,
            });
        let waybill = (step == Step::Pickup).then(|| WaybillView {
            code: domain::text::persian_digits(shipment.id.as_str()),
            qr: qr_svg(shipment.id.as_str()),
            route: ersal_server::chat::texts::route(
                &city(&order.origin_city),
                &city(&order.destination_city),
            ),
            size: order.item.size.label().to_owned(),
            pickup: shipment.pickup.or(chosen).map(|(day, window)| {
                format!(
                    "{}، ساعت {}",
                    domain::shipment::pickup_day_label(day, now),
                    window.label()
                )
            }),
        });
        Ok(Some(Self {
            code: code_for_people(&code),
            waybill,
        }))
    }
}

#[component]
pub fn HandoverCard(view: HandoverView) -> impl IntoView {
    let HandoverView { code, waybill } = view;
    match waybill {
        Some(w) => view! {
            <section class="card waybill" aria-labelledby="waybill-title" data-testid="waybill">
                <h2 id="waybill-title">"بارنامهٔ ارسال"</h2>
                <p class="waybill-code" dir="ltr" data-testid="waybill-code">{w.code}</p>
                <div class="qr" inner_html=w.qr data-testid="waybill-qr"></div>
                <dl class="facts">
                    <dt>"مسیر"</dt><dd>{w.route}</dd>
                    <dt>"اندازه"</dt><dd>{w.size}</dd>
                    {w.pickup.map(|p| view! { <dt>"جمع‌آوری"</dt><dd>{p}</dd> })}
                    <dt>"کد جمع‌آوری"</dt>
                    <dd><strong class="handover-code" dir="ltr" data-testid="pickup-code">{code}</strong></dd>
                </dl>
                <p class="note">"این صفحه را به پیک نشان دهید؛ پیک کد را می‌خواند یا کد جمع‌آوری را وارد می‌کند. کد را فقط هنگام تحویل بسته به پیک بدهید، نه پیش از آن و نه به کسی که پشت تلفن می‌خواهد."</p>
            </section>
        }
        .into_any(),
        None => view! {
            <section class="card" aria-labelledby="delivery-code-title" data-testid="delivery-card">
                <h2 id="delivery-code-title">"کد تحویل"</h2>
                <p><strong class="handover-code" dir="ltr" data-testid="delivery-code">{code}</strong></p>
                <p class="note">"این کد فقط نزد شماست. وقتی بسته را دیدید و گرفتید، آن را به پیک بگویید؛ پیش از آن یا پشت تلفن به کسی ندهید."</p>
            </section>
        }
        .into_any(),
    }
}
