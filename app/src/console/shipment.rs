//! `/console/s/{code}`: one shipment — both sides' details (opening them is audited), the
//! timeline, the chat messages' delivery, the audit trail, and the status changes allowed now.

use domain::routes::Route;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use ersal_server::console::{ActForm, Acted};

use super::{Logout, DIRECT_LINK};
use crate::order::{OrderFacts, OrderSummary};
use crate::ui::Failure;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyView {
    pub role: String,
    pub name: String,
    pub mobile: String,
    pub city: String,
    pub address: String,
    pub handover: String,
}

/// (label, when, who, note).
type TimelineLine = (String, String, String, String);

/// A status change the operator may make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    /// The target status's key.
    pub to: String,
    pub label: String,
    /// It needs a pickup day and window.
    pub schedules_pickup: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentData {
    pub operator: String,
    pub csrf: String,
    pub id: String,
    pub status: String,
    pub order: OrderSummary,
    pub parties: Vec<PartyView>,
    pub purged: bool,
    pub direct_link: bool,
    pub timeline: Vec<TimelineLine>,
    /// Each chat message: its delivery, when it was queued, how many attempts.
    pub outbox: Vec<String>,
    /// Who opened or changed what, and when.
    pub audit: Vec<String>,
    /// Every change allowed now.
    pub actions: Vec<ActionView>,
    pub pickup_days: Vec<(i64, String)>,
}

#[cfg(feature = "ssr")]
fn party_view(
    state: &ersal_server::AppState,
    role: domain::shipment::Role,
    p: &domain::shipment::Party,
) -> PartyView {
    PartyView {
        role: role.label().to_owned(),
        name: p.name.as_str().to_owned(),
        mobile: p.mobile.as_str().to_owned(),
        city: state.city_name(Some(&p.city)),
        address: [
            Some(p.address.as_str()),
            p.plaque.as_ref().map(|v| v.as_str()),
            p.unit.as_ref().map(|v| v.as_str()),
            p.floor.as_ref().map(|v| v.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("، "),
        handover: p.handover.label(),
    }
}

#[server(endpoint = "console/shipment")]
pub async fn console_shipment(id: String) -> Result<Option<ShipmentData>, ServerFnError> {
    use domain::jalali::JalaliDateTime;
    use domain::shipment::{pickup_options, Role};
    use ersal_server::console;

    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let Some(opened) = console::open(&state, &operator, &id).await? else {
        return Ok(None);
    };
    let shipment = opened.shipment;
    let at = |t: i64| JalaliDateTime::from_unix(t).display();
    let now = state.now();
    Ok(Some(ShipmentData {
        operator: operator.username,
        csrf: operator.csrf,
        status: shipment.status.label().to_owned(),
        order: OrderSummary::of(&state, &shipment.order),
        parties: [
            (Role::Sender, &shipment.order.parties.sender),
            (Role::Receiver, &shipment.order.parties.receiver),
        ]
        .into_iter()
        .filter_map(|(role, p)| p.as_ref().map(|p| party_view(&state, role, p)))
        .collect(),
        purged: shipment.purged,
        direct_link: shipment.order.direct_link,
        timeline: shipment
            .events
            .iter()
            .map(|e| {
                (
                    e.status.label().to_owned(),
                    at(e.at),
                    e.actor.label().to_owned(),
                    e.note.clone().unwrap_or_default(),
                )
            })
            .collect(),
        outbox: opened
            .outbox
            .iter()
            .map(|q| {
                let attempts = domain::text::persian_digits(&q.attempts.to_string());
                let (delivery, queued) = (q.delivery.label(), at(q.queued_at));
                format!("{delivery} · {queued} · تلاش‌ها: {attempts}")
            })
            .collect(),
        audit: opened
            .audit
            .into_iter()
            .map(|a| format!("{} · {} · {}", a.operator, at(a.at), a.what))
            .collect(),
        actions: opened
            .actions
            .iter()
            .map(|s| ActionView {
                to: s.key().to_owned(),
                label: s.label().to_owned(),
                schedules_pickup: *s == domain::status::Status::PickupScheduled,
            })
            .collect(),
        pickup_days: pickup_options(now),
        id: shipment.id.to_string(),
    }))
}

/// Moves a shipment as an operator, then shows the shipment again with what happened.
#[server(endpoint = "console/act")]
pub async fn operator_act(form: ActForm) -> Result<(), ServerFnError> {
    use ersal_server::console;

    let Some((state, operator)) = super::signed_in(Some(&form.csrf)).await? else {
        return Ok(());
    };
    let acted = console::act(&state, &operator, &form).await?;
    match domain::code::TrackingCode::parse(&form.id) {
        Some(code) => leptos_axum::redirect(&format!(
            "{}?m={}",
            Route::ConsoleShipment.with(code.as_str()),
            acted.key()
        )),
        None => leptos_axum::redirect(Route::Console.path()),
    }
    Ok(())
}

#[component]
fn ShipmentView(view: ShipmentData, act: ServerAction<OperatorAct>) -> impl IntoView {
    let ShipmentData {
        operator,
        csrf,
        id,
        status,
        order,
        parties,
        purged,
        direct_link,
        timeline,
        outbox,
        audit,
        actions,
        pickup_days,
    } = view;
    let action_forms = actions
        .into_iter()
        .map(|ActionView { to: key, label, schedules_pickup: schedule }| {
            let (csrf, id) = (csrf.clone(), id.clone());
            let days = pickup_days.clone();
            view! {
                <ActionForm action=act>
                    <input type="hidden" name="form[csrf]" value=csrf />
                    <input type="hidden" name="form[id]" value=id />
                    <input type="hidden" name="form[to]" value=key.clone() />
                    {schedule.then(|| view! {
                        <label for="act-day">"روز"</label>
                        <select id="act-day" name="form[day]">
                            {days.into_iter().map(|(d, l)| view! { <option value=d.to_string()>{l}</option> }).collect_view()}
                        </select>
                        <label for="act-window">"بازه"</label>
                        <select id="act-window" name="form[window]">
                            {domain::shipment::PickupWindow::ALL.into_iter().map(|w| view! { <option value=w.key()>{w.label()}</option> }).collect_view()}
                        </select>
                    })}
                    <label for=format!("note-{key}")>"یادداشت / دلیل"</label>
                    <input id=format!("note-{key}") type="text" name="form[note]" />
                    <button class="button" type="submit">{label}</button>
                </ActionForm>
            }
        })
        .collect_view();
    view! {
        <Logout csrf=csrf.clone() operator />
        <section class="card">
            <h1 dir="ltr">{id.clone()}</h1>
            <dl class="facts">
                <dt>"وضعیت"</dt><dd data-testid="console-status">{status}</dd>
                <OrderFacts order />
                {direct_link.then(|| view! {
                    <dt>"ورود"</dt>
                    <dd data-testid="console-direct-link"><span class="tag">{DIRECT_LINK}</span>" بدون گفتگوی دیوار؛ دیوار هویت این کاربر را تأیید نکرده است."</dd>
                })}
            </dl>
        </section>
        <section class="card">
            <h2>"دو طرف"</h2>
            {if purged {
                view! { <p>"اطلاعات شخصی این مرسوله طبق دورهٔ نگهداری پاک شده است."</p> }.into_any()
            } else {
                parties.into_iter().map(|p| view! {
                    <dl class="facts">
                        <dt>{p.role}</dt><dd>{p.name}</dd>
                        <dt>"همراه"</dt><dd><bdi dir="ltr">{p.mobile}</bdi></dd>
                        <dt>"نشانی"</dt><dd>{p.city}"، "{p.address}</dd>
                        <dt>"تحویل"</dt><dd>{p.handover}</dd>
                    </dl>
                }).collect_view().into_any()
            }}
        </section>
        <section class="card">
            <h2>"تغییر وضعیت"</h2>
            <div class="actions">{action_forms}</div>
        </section>
        <section class="card">
            <h2>"سابقه"</h2>
            <ol class="timeline">
                {timeline.into_iter().map(|(label, when, who, note)| view! {
                    <li><strong>{label}</strong><span class="muted">{when}" · "{who}" "{note}</span></li>
                }).collect_view()}
            </ol>
        </section>
        <Log title="پیام‌های گفتگو" testid="outbox" lines=outbox />
        <Log title="رویدادنگار" testid="audit" lines=audit />
    }
}

#[component]
pub fn ShipmentPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let query = use_query_map();
    let act = ServerAction::<OperatorAct>::new();
    let shipment = Resource::new(
        move || (id.clone(), act.version().get()),
        |(id, _)| console_shipment(id),
    );
    let message = move || {
        query
            .with(|q| q.get("m"))
            .map(|m| Acted::parse(&m).unwrap_or(Acted::Refused).label())
    };
    view! {
        {move || message().map(|m| view! { <p class="card note" role="status" data-testid="console-message">{m}</p> })}
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match shipment.await {
                    Ok(Some(view)) => view! { <ShipmentView view act /> }.into_any(),
                    Ok(None) => view! { <p class="card">"مرسوله پیدا نشد. " <a href=Route::Console.path()>"فهرست"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A card of one-line records, newest last.
#[component]
fn Log(title: &'static str, testid: &'static str, lines: Vec<String>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{title}</h2>
            <ul data-testid=testid>{lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
        </section>
    }
}
