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
    /// For `tel:`.
    pub mobile: String,
    /// For people.
    pub mobile_shown: String,
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
    /// The action, as a verb.
    pub label: String,
    /// It needs a pickup day and window.
    pub schedules_pickup: bool,
    /// Off the normal path: set apart, with a reason and a confirmation.
    pub exception: bool,
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
    /// Each chat message: its text, then its delivery, when it was queued, how many attempts.
    pub outbox: Vec<(String, String)>,
    /// Who opened or changed what, and when: (operator, when, what).
    pub audit: Vec<(String, String, String)>,
    /// Every change allowed now.
    pub actions: Vec<ActionView>,
    pub pickup_days: Vec<(i64, String)>,
    /// The pickup the form starts with: the day and window (key) the sender chose, if they
    /// chose a courier pickup.
    pub pickup_default: Option<(i64, String)>,
    /// The pickup the company scheduled, as people read it.
    pub scheduled: Option<String>,
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
        mobile_shown: p.mobile.display(),
        city: state.city_name(Some(&p.city)),
        address: p.address_for_people(),
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
                (
                    q.text.clone(),
                    format!("{delivery}؛ {queued}؛ تلاش‌ها: {attempts}"),
                )
            })
            .collect(),
        audit: opened
            .audit
            .into_iter()
            .map(|a| (a.operator, at(a.at), a.what))
            .collect(),
        actions: opened
            .actions
            .iter()
            .map(|s| ActionView {
                to: s.key().to_owned(),
                label: s.action().to_owned(),
                schedules_pickup: *s == domain::status::Status::PickupScheduled,
                exception: s.is_exception(),
            })
            .collect(),
        pickup_days: pickup_options(now),
        pickup_default: shipment.order.parties.sender.as_ref().and_then(|sender| {
            match sender.handover {
                domain::shipment::Handover::CourierPickup { day, window } => {
                    Some((day, window.key().to_owned()))
                }
                _ => None,
            }
        }),
        scheduled: shipment.pickup.map(|(day, window)| {
            format!(
                "{}، ساعت {}",
                domain::shipment::pickup_day_label(day, now),
                window.label()
            )
        }),
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
        // Back to the actions, where the outcome is said next to what it is about.
        Some(code) => leptos_axum::redirect(&format!(
            "{}?m={}#actions",
            Route::ConsoleShipment.with(code.as_str()),
            acted.key()
        )),
        None => leptos_axum::redirect(Route::Console.path()),
    }
    Ok(())
}

#[component]
fn ShipmentView(
    view: ShipmentData,
    act: ServerAction<OperatorAct>,
    acted: Option<Acted>,
) -> impl IntoView {
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
        pickup_default,
        scheduled,
    } = view;
    let (default_day, default_window) = pickup_default.unzip();
    // Each outcome is said where it belongs: a missing reason at the reason, a missing pickup
    // at the pickup fields, the rest above the actions.
    let said = |which: Acted, testid: &'static str| {
        (acted == Some(which)).then(|| {
            view! { <p class="field-error" role="alert" id=testid data-testid=testid>{which.label()}</p> }
        })
    };
    let needs_reason = acted == Some(Acted::NeedsReason);
    let reason_problem = said(Acted::NeedsReason, "reason-problem");
    let pickup_problem = said(Acted::NeedsPickup, "pickup-problem");
    let outcome = match acted {
        Some(Acted::Done) => Some(view! {
            <p class="note" role="status" data-testid="console-message">
                {format!("{} وضعیت اکنون: «{status}».", Acted::Done.label())}
            </p>
        }.into_any()),
        Some(other @ (Acted::Refused | Acted::NotFound)) => Some(view! {
            <p class="error-summary" role="alert" data-testid="console-message">{other.label()}</p>
        }.into_any()),
        _ => None,
    };
    let (exceptions, steps): (Vec<ActionView>, Vec<ActionView>) =
        actions.into_iter().partition(|a| a.exception);
    let schedules = steps.iter().any(|a| a.schedules_pickup);
    let has_steps = !steps.is_empty();
    let step_buttons = steps
        .into_iter()
        .enumerate()
        .map(|(n, a)| {
            let class = if n == 0 { "button" } else { "button secondary" };
            view! { <button class=class type="submit" name="form[to]" value=a.to>{a.label}</button> }
        })
        .collect_view();
    let exception_buttons = exceptions
        .iter()
        .map(|a| {
            view! {
                <button class="button secondary" type="submit" name="form[to]" value=a.to.clone()>
                    {a.label.clone()}
                </button>
            }
        })
        .collect_view();
    let (csrf_steps, id_steps) = (csrf.clone(), id.clone());
    let (csrf_exceptions, id_exceptions) = (csrf.clone(), id.clone());
    let action_forms = view! {
        {has_steps.then(|| view! {
            <ActionForm action=act>
                <input type="hidden" name="form[csrf]" value=csrf_steps />
                <input type="hidden" name="form[id]" value=id_steps />
                {schedules.then(|| view! {
                    <label for="act-day">"روز جمع‌آوری"</label>
                    <select id="act-day" name="form[day]">
                        {pickup_days.iter().map(|(d, l)| view! { <option value=d.to_string() selected=default_day == Some(*d)>{l.clone()}</option> }).collect_view()}
                    </select>
                    <label for="act-window">"بازهٔ جمع‌آوری"</label>
                    <select id="act-window" name="form[window]">
                        {domain::shipment::PickupWindow::ALL.into_iter().map(|w| view! { <option value=w.key() selected=default_window.as_deref() == Some(w.key())>{w.label()}</option> }).collect_view()}
                    </select>
                    {pickup_problem}
                })}
                <label for="act-note">"یادداشت (اختیاری)"</label>
                <input id="act-note" type="text" name="form[note]" maxlength="200" />
                <div class="step-buttons">{step_buttons}</div>
            </ActionForm>
        })}
        {(!exceptions.is_empty()).then(|| view! {
            <details class="exceptions" open=needs_reason>
                <summary>"موارد استثنا و لغو"</summary>
                <ActionForm action=act>
                    <input type="hidden" name="form[csrf]" value=csrf_exceptions />
                    <input type="hidden" name="form[id]" value=id_exceptions />
                    <label for="act-reason">"دلیل (لازم)"</label>
                    <input id="act-reason" type="text" name="form[note]" maxlength="200" required aria-required="true" aria-invalid=needs_reason.then_some("true") aria-describedby=needs_reason.then_some("reason-problem") />
                    {reason_problem}
                    <label class="choice">
                        <input type="checkbox" name="confirm" required />
                        <span class="choice-text">"مطمئنم؛ این تغییر به گفتگو هم اعلام می‌شود و برگشت ندارد."</span>
                    </label>
                    <div class="step-buttons">{exception_buttons}</div>
                </ActionForm>
            </details>
        })}
    };
    view! {
        <Logout csrf=csrf.clone() operator current=Route::Console />
        <section class="card">
            <h1>"مرسولهٔ "<bdi dir="ltr">{id.clone()}</bdi></h1>
            <dl class="facts">
                <dt>"وضعیت"</dt><dd data-testid="console-status">{status}</dd>
                {scheduled.map(|slot| view! { <dt>"جمع‌آوری"</dt><dd data-testid="console-pickup">{slot}</dd> })}
                <dt>"برچسب"</dt><dd><a class="tap" href=Route::ConsoleLabel.with(&id)>"چاپ برچسب (A6)"</a></dd>
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
                        <dt>"همراه"</dt><dd><a class="tap" href=format!("tel:{}", p.mobile) dir="ltr">{p.mobile_shown}</a></dd>
                        <dt>"نشانی"</dt><dd>{p.city}"، "{p.address}</dd>
                        <dt>"تحویل"</dt><dd>{p.handover}</dd>
                    </dl>
                }).collect_view().into_any()
            }}
        </section>
        <section class="card" id="actions">
            <h2>"تغییر وضعیت"</h2>
            {outcome}
            <div class="actions">{action_forms}</div>
        </section>
        <section class="card">
            <h2>"سابقه"</h2>
            <ol class="timeline">
                {timeline.into_iter().map(|(label, when, who, note)| view! {
                    <li><strong>{label}</strong><span class="muted">{when}"؛ "{who}" "{note}</span></li>
                }).collect_view()}
            </ol>
        </section>
        <section class="card">
            <h2>"پیام‌های گفتگو"</h2>
            <ul class="messages" data-testid="outbox">
                {outbox.into_iter().map(|(text, delivery)| view! {
                    <li><span class="message-text">{text}</span><span class="muted">{delivery}</span></li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card">
            <h2>"رویدادنگار"</h2>
            // A Latin user name is isolated, so that it does not reorder the Persian around it.
            <ul data-testid="audit">
                {audit.into_iter().map(|(who, when, what)| view! {
                    <li><bdi>{who}</bdi>"؛ "{when}"؛ "{what}</li>
                }).collect_view()}
            </ul>
        </section>
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
    let acted = query.with_untracked(|q| {
        q.get("m")
            .map(|m| Acted::parse(&m).unwrap_or(Acted::Refused))
    });
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match shipment.await {
                    Ok(Some(view)) => view! { <ShipmentView view act acted /> }.into_any(),
                    Ok(None) => view! { <p class="card">"مرسوله پیدا نشد. " <a href=Route::Console.path()>"فهرست"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
