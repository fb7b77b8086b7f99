//! The tracking page, `/t/{id}`: a timeline of the shipment's statuses with Jalali times in
//! Tehran, who did what, what comes next, and what the viewer may do now (cancel before
//! pickup). Only the two sides of the conversation see it: by their session cookie, or with the
//! signed link (`?k=`) the page itself hands out.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::flow::Failure;
use crate::ui::BackToDivar;

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
    pub item: String,
    pub route: String,
    pub service: String,
    pub payer: String,
    pub total: String,
    pub back_to: String,
    /// The signed key for this shipment's link.
    pub key: String,
    /// Whether the chat heard about the last change, in Persian.
    pub chat: String,
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
    #[serde(default)]
    pub key: String,
}

#[cfg(feature = "ssr")]
mod backend {
    use domain::status::Actor;
    use ersal_server::shipments::Shipment;
    use ersal_server::AppState;
    use leptos::prelude::ServerFnError;

    use crate::server::session;

    /// Who the viewer is for this shipment, if anyone: the opener's browser (same landing
    /// session, or the signed link), or the other side of the same conversation.
    pub async fn viewer(
        state: &AppState,
        shipment: &Shipment,
        key: &str,
    ) -> Result<Option<Actor>, ServerFnError> {
        if let Some(session) = session(state).await? {
            if session.id == shipment.landing {
                return Ok(Some(Actor::Opener));
            }
            if session.conversation_id.is_some()
                && session.conversation_id == shipment.conversation_id
            {
                return Ok(Some(Actor::Counterparty));
            }
        }
        Ok(state
            .keys
            .verify(&["track", &shipment.id], key)
            .then_some(Actor::Opener))
    }

    pub fn actor_label(actor: &str) -> &'static str {
        match actor {
            "opener" => "درخواست‌دهنده",
            "counterparty" => "طرف مقابل",
            "operator" => "شرکت حمل",
            _ => "سامانه",
        }
    }
}

#[server]
pub async fn load_tracking(id: String, key: Option<String>) -> Result<Tracking, ServerFnError> {
    use crate::server::{city_name, fail, session, state};
    use domain::jalali::JalaliDateTime;
    use ersal_server::shipments;

    let state = state();
    let back_to = match session(&state).await? {
        Some(s) => s.return_target,
        None => state.config.completion_url.to_string(),
    };
    let hidden = || {
        Ok(Tracking::Hidden {
            back_to: back_to.clone(),
        })
    };
    if id.len() > 32 {
        return hidden();
    }
    let Some(shipment) = shipments::get(&state.db, &state.keys, &id)
        .await
        .map_err(fail)?
    else {
        return hidden();
    };
    if backend::viewer(&state, &shipment, key.as_deref().unwrap_or_default())
        .await?
        .is_none()
    {
        return hidden();
    }
    let chat = match (
        &shipment.conversation_id,
        ersal_server::chat::last_message_state(&state.db, &shipment.id)
            .await
            .map_err(fail)?,
    ) {
        (None, _) => "این درخواست از گفتگو ثبت نشده است؛ پیامی در گفتگو فرستاده نمی‌شود.",
        (Some(_), None) => "گفتگو از این درخواست باخبر نشد (اجازهٔ پیام داده نشد).",
        (Some(_), Some(state)) => match state.as_str() {
            "sent" => "در گفتگو اعلام شد.",
            "pending" => "پیام در حال ارسال به گفتگو است.",
            "undeliverable" => {
                "پیام به گفتگو نرسید: یکی از دو طرف پیام‌ها را محدود کرده است. درخواست ثبت شده است."
            }
            _ => "گفتگو از آخرین تغییر باخبر نشد.",
        },
    }
    .to_owned();
    let city = |c: &Option<String>| {
        c.as_deref()
            .map_or_else(|| "—".to_owned(), |c| city_name(&state, c))
    };
    Ok(Tracking::Visible(Box::new(TrackingView {
        status: shipment.status.label().to_owned(),
        next_step: shipment.status.next_step().to_owned(),
        timeline: shipment
            .events
            .iter()
            .map(|e| TimelineEntry {
                label: e.status.label().to_owned(),
                when: JalaliDateTime::from_unix(e.at).display(),
                who: backend::actor_label(&e.actor).to_owned(),
            })
            .collect(),
        can_cancel: shipment.status.is_cancellable(),
        item: shipment.item.description.as_str().to_owned(),
        route: format!(
            "{} ← {}",
            city(&shipment.destination_city),
            city(&shipment.origin_city)
        ),
        service: shipment.service.label().to_owned(),
        payer: shipment.payer.label().to_owned(),
        total: shipment.quote_total.display_tomans(),
        back_to,
        key: state.keys.sign(&["track", &shipment.id]),
        chat,
        id: shipment.id,
    })))
}

#[server]
pub async fn cancel_shipment(form: CancelForm) -> Result<(), ServerFnError> {
    use crate::server::{fail, state};
    use domain::status::Status;
    use ersal_server::shipments::{self, TransitionError};

    let state = state();
    let Some(shipment) = shipments::get(&state.db, &state.keys, &form.id)
        .await
        .map_err(fail)?
    else {
        leptos_axum::redirect("/");
        return Ok(());
    };
    let Some(actor) = backend::viewer(&state, &shipment, &form.key).await? else {
        leptos_axum::redirect(&format!("/t/{}", form.id));
        return Ok(());
    };
    let change = shipments::Change::to(Status::Cancelled, actor);
    match shipments::transition(&state.db, &shipment.id, change, state.now()).await {
        Ok(_) => {
            // The shipment has ended: once its chat has nothing left to say, the permission to
            // post there is dropped (the same rule the outbox worker applies).
            if let Some(conversation) = &shipment.conversation_id {
                ersal_server::chat::release_tokens_when_done(&state.db, conversation)
                    .await
                    .map_err(fail)?;
            }
        }
        Err(TransitionError::Forbidden { .. }) => {}
        Err(other) => return Err(fail(other)),
    }
    // Back to Divar, as after every completed action.
    let back_to = match crate::server::session(&state).await? {
        Some(session) => session.return_target,
        None => format!(
            "/t/{}?k={}",
            shipment.id,
            state.keys.sign(&["track", &shipment.id])
        ),
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
                    Ok(Tracking::Hidden { back_to }) => view! {
                        <section class="card" role="alert">
                            <h1>"این مرسوله را نمی‌توان نشان داد"</h1>
                            <p>"پیگیری فقط برای دو طرف همان گفتگو است. از دکمهٔ پیگیری در گفتگوی دیوار وارد شوید."</p>
                            <BackToDivar href=back_to primary=true />
                        </section>
                    }
                    .into_any(),
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
        item,
        route,
        service,
        payer,
        total,
        back_to,
        key,
        chat,
    } = view;
    let code = id.clone();
    view! {
        <section class="card" aria-labelledby="tracking-title">
            <h1 id="tracking-title">"پیگیری ارسال"</h1>
            <dl class="facts">
                <dt>"کد پیگیری"</dt>
                <dd dir="ltr" data-testid="tracking-code">{code}</dd>
                <dt>"وضعیت"</dt>
                <dd data-testid="status">{status}</dd>
                <dt>"کالا"</dt>
                <dd>{item}</dd>
                <dt>"مسیر"</dt>
                <dd>{route}</dd>
                <dt>"سرویس"</dt>
                <dd>{service}</dd>
                <dt>"پرداخت"</dt>
                <dd>{payer}</dd>
                <dt>"هزینه"</dt>
                <dd data-testid="total">{total}</dd>
            </dl>
            <p class="note">"گام بعد: "{next_step}</p>
            <p data-testid="chat">{chat}</p>
        </section>
        <section class="card">
            <h2>"سابقه"</h2>
            <ol class="timeline">
                {timeline
                    .into_iter()
                    .map(|e| view! {
                        <li>
                            <strong>{e.label}</strong>
                            <span class="muted">{e.when}" · "{e.who}</span>
                        </li>
                    })
                    .collect_view()}
            </ol>
        </section>
        {can_cancel.then(|| view! {
            <section class="card">
                <ActionForm action=cancel>
                    <input type="hidden" name="form[id]" value=id.clone() />
                    <input type="hidden" name="form[key]" value=key.clone() />
                    <button class="button secondary" type="submit">"لغو درخواست"</button>
                </ActionForm>
            </section>
        })}
        <nav class="card footer-links" aria-label="پیوندها">
            <BackToDivar href=back_to primary=true />
            <a href="/privacy">"حریم خصوصی"</a>
        </nav>
    }
}
