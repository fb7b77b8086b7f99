//! The tracking page, `/t/{id}`: a timeline of the shipment's statuses with Jalali times in
//! Tehran, who did what, what comes next, and what the viewer may do now (cancel before
//! pickup). Only the two sides of the conversation see it, by their session cookie, or whoever
//! holds the expiring link (`?k=`) the page shows them to keep: the link shows, never cancels.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::order::{OrderFacts, OrderSummary};
use crate::support_line::{SupportCard, SupportLine};
use crate::ui::{DeadEnd, DeadEndKind, Failure, FooterLinks};
use crate::waybill::{HandoverCard, HandoverView};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub label: String,
    pub when: String,
    pub who: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingView {
    pub id: String,
    pub status: String,
    pub next_step: String,
    pub timeline: Vec<TimelineEntry>,
    pub can_cancel: bool,
    pub order: OrderSummary,
    pub back_to: String,
    /// The link to keep (shown to a side with a session, never redirected to), with how long
    /// it works, in Persian.
    pub link: Option<(String, String)>,
    /// Whether the chat heard about the last change, in Persian.
    pub chat: String,
    pub support: SupportLine,
    /// The viewer's handover code: the sender's waybill, or the receiver's delivery code.
    pub handover: Option<HandoverView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tracking {
    Visible(Box<TrackingView>),
    /// Unknown shipment, or the viewer is not one of its sides.
    Hidden {
        back_to: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelForm {
    pub id: String,
}

#[server(endpoint = "tracking/load")]
pub async fn load_tracking(id: String, key: Option<String>) -> Result<Tracking, ServerFnError> {
    use domain::jalali::JalaliDateTime;
    use ersal_server::tracking::Visitor;

    let state = crate::server::state();
    let session = crate::server::session(&state).await?;
    let back_to = session.as_ref().map_or_else(
        || state.config.completion_url.to_string(),
        |s| s.landing.return_target.clone(),
    );
    let key = key.unwrap_or_default();
    let visitor = Visitor {
        session: session.as_ref(),
        key: &key,
    };
    let Some(tracked) = ersal_server::tracking::open(&state, visitor, &id).await? else {
        return Ok(Tracking::Hidden { back_to });
    };
    let chat = ersal_server::tracking::chat_note(&tracked);
    let handover = match tracked.role {
        Some(role) => HandoverView::of(&state, &tracked.shipment, role).await?,
        None => None,
    };
    let shipment = tracked.shipment;
    Ok(Tracking::Visible(Box::new(TrackingView {
        status: shipment.status.label().to_owned(),
        next_step: shipment.status.next_step().to_owned(),
        timeline: shipment
            .events
            .iter()
            .map(|e| TimelineEntry {
                label: e.status.label().to_owned(),
                when: JalaliDateTime::from_unix(e.at).display(),
                who: e.actor.label().to_owned(),
            })
            .collect(),
        can_cancel: tracked.by_session && shipment.status.is_cancellable(),
        order: OrderSummary::of(&state, &shipment.order),
        back_to,
        link: tracked.by_session.then(|| {
            let path = ersal_server::tracking::link(&state, &shipment.id, state.now());
            (
                state.config.public_url(&path),
                domain::text::duration(ersal_server::tracking::LINK_SECS),
            )
        }),
        chat: chat.to_owned(),
        support: SupportLine::of(&state),
        handover,
        id: shipment.id.to_string(),
    })))
}

/// Cancels for one of the shipment's sides, then back to Divar.
#[server(endpoint = "tracking/cancel")]
pub async fn cancel_shipment(form: CancelForm) -> Result<(), ServerFnError> {
    use domain::code::TrackingCode;

    let state = crate::server::state();
    let session = crate::server::session(&state).await?;
    let Some(code) = TrackingCode::parse(&form.id) else {
        leptos_axum::redirect("/");
        return Ok(());
    };
    ersal_server::tracking::cancel(&state, session.as_ref(), &code).await?;
    // Back to Divar with a session; without one, nothing happened: back to the page.
    let back_to = match session {
        Some(session) => session.landing.return_target,
        None => ersal_server::tracking::path(&code),
    };
    leptos_axum::redirect(&back_to);
    Ok(())
}

#[component]
pub fn TrackingPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let cancel = ServerAction::<CancelShipment>::new();
    let tracking = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                query.with(|q| q.get("k")),
                cancel.version().get(),
            )
        },
        |(id, key, _)| load_tracking(id, key),
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match tracking.await {
                    Ok(Tracking::Visible(view)) => view! { <Timeline view=*view cancel /> }.into_any(),
                    Ok(Tracking::Hidden { back_to }) => {
                        view! { <DeadEnd kind=DeadEndKind::NotYourShipment back_to /> }.into_any()
                    }
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Timeline(view: TrackingView, cancel: ServerAction<CancelShipment>) -> impl IntoView {
    let TrackingView {
        id,
        status,
        next_step,
        timeline,
        can_cancel,
        order,
        back_to,
        link,
        chat,
        support,
        handover,
    } = view;
    let code = id.clone();
    view! {
        <section class="card" aria-labelledby="tracking-title">
            <h1 id="tracking-title">"پیگیری ارسال"</h1>
            <dl class="facts">
                <dt>"کد پیگیری"</dt>
                <dd><bdi dir="ltr" data-testid="tracking-code">{code}</bdi></dd>
                <dt>"وضعیت"</dt>
                <dd data-testid="status">{status}</dd>
                <OrderFacts order />
            </dl>
            <p class="note">"گام بعد: "{next_step}</p>
            <p data-testid="chat">{chat}</p>
        </section>
        {handover.map(|view| view! { <HandoverCard view /> })}
        <section class="card">
            <h2>"سابقه"</h2>
            <ol class="timeline">
                {timeline
                    .into_iter()
                    .map(|e| view! {
                        <li>
                            <strong>{e.label}</strong>
                            <span class="muted">{e.when}"؛ "{e.who}</span>
                        </li>
                    })
                    .collect_view()}
            </ol>
        </section>
        {link.map(|(link, lifetime)| view! {
            <section class="card">
                <label for="tracking-link">"پیوند پیگیری (برای دیدن وضعیت بدون دیوار، تا "{lifetime}")"</label>
                <input id="tracking-link" dir="ltr" readonly value=link />
            </section>
        })}
        {can_cancel.then(|| view! {
            <section class="card">
                <ActionForm action=cancel>
                    <input type="hidden" name="form[id]" value=id.clone() />
                    <button class="button secondary" type="submit">"لغو درخواست"</button>
                </ActionForm>
            </section>
        })}
        <SupportCard line=support />
        <FooterLinks back_to primary=true />
    }
}
