//! Printable labels: `/console/s/{id}/label` one shipment's (A6), `/console/labels?day=…` a
//! day's pickups, four to an A4 page, after their manifest. Plain HTML with a print style sheet
//! (named pages), so that Persian shapes and runs right to left in any browser's print or
//! save-as-PDF. The label is the one place the receiver's name, phone and address are printed.

use domain::routes::Route;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::ui::Failure;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelView {
    pub id: String,
    pub qr: String,
    pub route: String,
    pub size: String,
    pub pickup: Option<String>,
    /// (name, phone, address).
    pub receiver: Option<(String, String, String)>,
    /// (name, city).
    pub sender: Option<(String, String)>,
}

#[cfg(feature = "ssr")]
fn label_view(state: &ersal_server::AppState, shipment: &ersal_server::Shipment) -> LabelView {
    let order = &shipment.order;
    let city = |c: &str| state.city_name(Some(c));
    let now = state.now();
    LabelView {
        id: shipment.id.to_string(),
        qr: ersal_server::handover::qr_svg(shipment.id.as_str()),
        route: ersal_server::chat::texts::route(
            &state.city_name(order.origin_city.as_deref()),
            &state.city_name(order.destination_city.as_deref()),
        ),
        size: order.item.size.label().to_owned(),
        pickup: shipment.pickup.map(|(day, window)| {
            format!(
                "{}، ساعت {}",
                domain::shipment::pickup_day_label(day, now),
                window.label()
            )
        }),
        receiver: order.parties.receiver.as_ref().map(|p| {
            (
                p.name.as_str().to_owned(),
                p.mobile.display(),
                format!("{}، {}", city(&p.city), p.address_for_people()),
            )
        }),
        sender: order
            .parties
            .sender
            .as_ref()
            .map(|p| (p.name.as_str().to_owned(), city(&p.city))),
    }
}

#[server(endpoint = "console/label")]
pub async fn console_label(id: String) -> Result<Option<LabelView>, ServerFnError> {
    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let shipment = ersal_server::labels::one(&state, &operator, &id).await?;
    Ok(shipment
        .filter(|s| !s.purged)
        .map(|s| label_view(&state, &s)))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetView {
    pub day: String,
    pub labels: Vec<LabelView>,
    /// The sheet holds as many labels as one may: there may be more that day.
    pub full: bool,
}

#[server(endpoint = "console/labels")]
pub async fn console_labels(day: Option<String>) -> Result<Option<SheetView>, ServerFnError> {
    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let now = state.now();
    let day = day
        .as_deref()
        .and_then(|d| domain::shipment::parse_pickup_day(d, now))
        .unwrap_or_else(|| domain::jalali::tehran_day(now));
    let shipments = ersal_server::labels::of_day(&state, &operator, day).await?;
    Ok(Some(SheetView {
        full: shipments.len() as i64 >= ersal_server::labels::MAX_PER_SHEET,
        day: domain::shipment::pickup_day_label(day, now),
        labels: shipments
            .iter()
            .filter(|s| !s.purged)
            .map(|s| label_view(&state, s))
            .collect(),
    }))
}

#[component]
fn Label(label: LabelView) -> impl IntoView {
    let LabelView {
        id,
        qr,
        route,
        size,
        pickup,
        receiver,
        sender,
    } = label;
    view! {
        <article class="label" data-testid="label">
            <header class="label-head">
                <span class="label-brand">"ارسال"</span>
                <bdi class="label-code" dir="ltr">{id}</bdi>
            </header>
            <div class="label-qr" inner_html=qr></div>
            <dl class="facts">
                <dt>"مسیر"</dt><dd>{route}</dd>
                <dt>"اندازه"</dt><dd>{size}</dd>
                {pickup.map(|p| view! { <dt>"جمع‌آوری"</dt><dd>{p}</dd> })}
                {receiver.map(|(name, phone, address)| view! {
                    <dt>"گیرنده"</dt><dd><strong>{name}</strong></dd>
                    <dt>"همراه"</dt><dd><bdi dir="ltr">{phone}</bdi></dd>
                    <dt>"نشانی"</dt><dd>{address}</dd>
                })}
                {sender.map(|(name, city)| view! { <dt>"فرستنده"</dt><dd>{name}"، "{city}</dd> })}
            </dl>
        </article>
    }
}

#[component]
pub fn LabelPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let label = Resource::new(move || id.clone(), console_label);
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match label.await {
                    Ok(Some(label)) => view! {
                        <p class="card no-print">"برچسب A6: از «چاپ» مرورگر چاپ کنید یا PDF بگیرید. "<a href=Route::ConsoleShipment.with(&label.id)>"بازگشت به مرسوله"</a></p>
                        <div class="label-single"><Label label /></div>
                    }.into_any(),
                    Ok(None) => view! { <p class="card">"برچسبی برای این مرسوله نیست. "<a href=Route::Console.path()>"فهرست"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn SheetPage() -> impl IntoView {
    let day = use_query_map().with_untracked(|q| q.get("day"));
    let sheet = Resource::new(move || day.clone(), console_labels);
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match sheet.await {
                    Ok(Some(SheetView { day, labels, full })) => {
                        let count = domain::text::persian_digits(&labels.len().to_string());
                        let manifest = labels.iter().enumerate().map(|(n, l)| view! {
                            <tr>
                                <td>{domain::text::persian_digits(&(n + 1).to_string())}</td>
                                <td><bdi dir="ltr">{l.id.clone()}</bdi></td>
                                <td>{l.route.clone()}</td>
                                <td>{l.size.clone()}</td>
                                <td>{l.pickup.clone().unwrap_or_default()}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            <section class="card manifest" data-testid="manifest">
                                <h1>"فهرست جمع‌آوری: "{day}</h1>
                                <p>{format!("{count} مرسوله")}" "<a class="no-print" href=Route::Console.path()>"بازگشت به فهرست"</a></p>
                                {labels.is_empty().then(|| view! { <p class="note">"برای این روز جمع‌آوری‌ای زمان‌بندی نشده است."</p> })}
                                {full.then(|| view! { <p role="status">"این برگه پر است: برچسب بقیهٔ جمع‌آوری‌های این روز را از صفحهٔ هر مرسوله چاپ کنید."</p> })}
                                <table class="list">
                                    <thead><tr><th scope="col">"ردیف"</th><th scope="col">"کد"</th><th scope="col">"مسیر"</th><th scope="col">"اندازه"</th><th scope="col">"بازه"</th></tr></thead>
                                    <tbody>{manifest}</tbody>
                                </table>
                            </section>
                            <div class="label-sheet">
                                {labels.into_iter().map(|label| view! { <Label label /> }).collect_view()}
                            </div>
                        }.into_any()
                    }
                    Ok(None) => view! { <p class="card"><a href=Route::ConsoleLogin.path()>"ورود کارکنان"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
