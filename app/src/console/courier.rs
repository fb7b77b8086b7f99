//! `/console/courier`: the courier's page, for a phone at the doorstep with JavaScript off.
//! Find a shipment by its tracking code; confirm the pickup with the sender's code or the
//! delivery with the receiver's. A wrong code changes nothing; too many lock the shipment (or
//! the operator) for a while, and the page says until when.

use domain::handover::Step;
use domain::routes::Route;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::Logout;
use crate::ui::Failure;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    pub id: String,
    pub status: String,
    pub route: String,
    pub size: String,
    /// The handover it waits for: (step key, what the button does, whose code it asks for).
    pub step: Option<(String, String, String)>,
    /// Locked by wrong codes, as people read it.
    pub locked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourierData {
    pub operator: String,
    pub csrf: String,
    /// What was typed, and the shipment it names (`None`: none).
    pub searched: Option<(String, Option<Found>)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmForm {
    pub csrf: String,
    pub id: String,
    pub step: String,
    pub code: String,
}

#[cfg(feature = "ssr")]
fn lock_text(until: i64, shipment: bool) -> String {
    let at = domain::jalali::JalaliDateTime::from_unix(until);
    let time = domain::text::persian_digits(&format!("{:02}:{:02}", at.hour, at.minute));
    if shipment {
        format!("کدهای نادرست زیادی برای این مرسوله وارد شد؛ تا ساعت {time} قفل است.")
    } else {
        format!("کدهای نادرست زیادی از حساب شما وارد شد؛ تا ساعت {time} نمی‌توانید کدی وارد کنید.")
    }
}

#[server(endpoint = "console/courier")]
pub async fn console_courier(code: Option<String>) -> Result<Option<CourierData>, ServerFnError> {
    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let typed = code.map(|c| c.trim().chars().take(32).collect::<String>());
    let searched = match typed.filter(|t| !t.is_empty()) {
        None => None,
        Some(typed) => {
            let found = ersal_server::handover::at_the_door(&state, &operator, &typed).await?;
            let found = found.map(|door| {
                let order = &door.shipment.order;
                let city = |c: &Option<String>| state.city_name(c.as_deref());
                Found {
                    id: door.shipment.id.to_string(),
                    status: door.shipment.status.label().to_owned(),
                    route: ersal_server::chat::texts::route(
                        &city(&order.origin_city),
                        &city(&order.destination_city),
                    ),
                    size: order.item.size.label().to_owned(),
                    step: door.step.map(|step| {
                        let (action, whose) = match step {
                            Step::Pickup => ("تأیید جمع‌آوری", "کد جمع‌آوری (از فرستنده)"),
                            Step::Delivery => ("تأیید تحویل", "کد تحویل (از گیرنده)"),
                        };
                        (step.key().to_owned(), action.to_owned(), whose.to_owned())
                    }),
                    locked: door
                        .locked
                        .map(|(until, shipment)| lock_text(until, shipment)),
                }
            });
            Some((typed, found))
        }
    };
    Ok(Some(CourierData {
        operator: operator.username,
        csrf: operator.csrf,
        searched,
    }))
}

/// Checks the typed code, then shows the shipment again with what happened.
#[server(endpoint = "console/courier/confirm")]
pub async fn courier_confirm(form: ConfirmForm) -> Result<(), ServerFnError> {
    use ersal_server::handover::{confirm, Confirmed};

    let Some((state, operator)) = super::signed_in(Some(&form.csrf)).await? else {
        return Ok(());
    };
    let Some(code) = domain::code::TrackingCode::parse(&form.id) else {
        leptos_axum::redirect(Route::ConsoleCourier.path());
        return Ok(());
    };
    let outcome = match Step::parse(&form.step) {
        Some(step) => confirm(&state, &operator, &code, step, &form.code).await?,
        None => Confirmed::NotNow,
    };
    let said = match outcome {
        Confirmed::Done(step) => format!("done-{}", step.key()),
        Confirmed::Unreadable => "unreadable".to_owned(),
        Confirmed::Wrong { left } => format!("wrong-{left}"),
        Confirmed::Locked { .. } => "locked".to_owned(),
        Confirmed::NotNow => "not-now".to_owned(),
    };
    leptos_axum::redirect(&format!(
        "{}?code={}&m={said}",
        Route::ConsoleCourier.path(),
        code.as_str()
    ));
    Ok(())
}

/// What the outcome key in the address says, and whether it is good news.
fn outcome(key: &str) -> Option<(String, bool)> {
    let done = |step: Step| {
        let what = match step {
            Step::Pickup => "جمع‌آوری با کد فرستنده تأیید و ثبت شد؛ به گفتگو هم اعلام می‌شود.",
            Step::Delivery => "تحویل با کد گیرنده تأیید و ثبت شد؛ به گفتگو هم اعلام می‌شود.",
        };
        (what.to_owned(), true)
    };
    match key {
        "done-pickup" => Some(done(Step::Pickup)),
        "done-delivery" => Some(done(Step::Delivery)),
        "unreadable" => Some((
            "کد شش رقم است؛ دوباره وارد کنید. چیزی تغییر نکرد.".to_owned(),
            false,
        )),
        "locked" => Some((
            "کد پذیرفته نشد: قفل است (پایین‌تر ببینید).".to_owned(),
            false,
        )),
        "not-now" => Some((
            "این مرسوله اکنون منتظر این تحویل نیست، یا کدی برایش صادر نشده است. چیزی تغییر نکرد."
                .to_owned(),
            false,
        )),
        other => other
            .strip_prefix("wrong-")
            .and_then(|n| n.parse::<u32>().ok())
            .map(|left| {
                let left = domain::text::persian_digits(&left.to_string());
                (
                    format!("کد درست نیست؛ چیزی تغییر نکرد. {left} بار دیگر می‌توانید امتحان کنید."),
                    false,
                )
            }),
    }
}

#[component]
pub fn CourierPage() -> impl IntoView {
    let query = use_query_map();
    let confirm = ServerAction::<CourierConfirm>::new();
    let said = query
        .with_untracked(|q| q.get("m"))
        .and_then(|m| outcome(&m));
    let data = Resource::new(
        move || (query.with(|q| q.get("code")), confirm.version().get()),
        |(code, _)| console_courier(code),
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || {
                let said = said.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(Some(data)) => view! { <CourierView data said confirm /> }.into_any(),
                        Ok(None) => view! { <p class="card"><a href=Route::ConsoleLogin.path()>"ورود کارکنان"</a></p> }.into_any(),
                        Err(_) => view! { <Failure /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn CourierView(
    data: CourierData,
    said: Option<(String, bool)>,
    confirm: ServerAction<CourierConfirm>,
) -> impl IntoView {
    let CourierData {
        operator,
        csrf,
        searched,
    } = data;
    let typed = searched
        .as_ref()
        .map(|(t, _)| t.clone())
        .unwrap_or_default();
    let result = searched.map(|(_, found)| match found {
        None => view! { <p class="field-error" role="alert">"مرسوله‌ای با این کد پیدا نشد."</p> }
            .into_any(),
        Some(found) => {
            view! { <FoundCard found csrf=csrf.clone() said=said.clone() confirm /> }.into_any()
        }
    });
    view! {
        <Logout csrf=csrf.clone() operator current=Route::ConsoleCourier />
        <section class="card" aria-labelledby="courier-title">
            <h1 id="courier-title">"پیک: تحویل با کد"</h1>
            <form method="get" action=Route::ConsoleCourier.path()>
                <label for="courier-code">"کد پیگیری مرسوله"</label>
                <input id="courier-code" type="text" name="code" dir="ltr" autocomplete="off" autocapitalize="characters" required value=typed />
                <button class="button" type="submit">"یافتن مرسوله"</button>
            </form>
            <p><a class="tap" href=format!("{}?proof=operator", Route::Console.path())>"مرسوله‌هایی که بدون کد جابه‌جا شده‌اند"</a></p>
        </section>
        {result}
    }
}

#[component]
fn FoundCard(
    found: Found,
    csrf: String,
    said: Option<(String, bool)>,
    confirm: ServerAction<CourierConfirm>,
) -> impl IntoView {
    let Found {
        id,
        status,
        route,
        size,
        step,
        locked,
    } = found;
    let said = said.map(|(text, good)| {
        if good {
            view! { <p class="note" role="status" data-testid="courier-message">{text}</p> }
                .into_any()
        } else {
            view! { <p class="field-error" role="alert" data-testid="courier-message">{text}</p> }
                .into_any()
        }
    });
    let form_id = id.clone();
    let form = match (step, locked) {
        (_, Some(locked)) => Some(view! { <p class="error-summary" role="alert" data-testid="courier-locked">{locked}</p> }.into_any()),
        (Some((key, action, whose)), None) => Some(view! {
            <ActionForm action=confirm>
                <input type="hidden" name="form[csrf]" value=csrf />
                <input type="hidden" name="form[id]" value=form_id />
                <input type="hidden" name="form[step]" value=key />
                <label for="handover-code">{whose}</label>
                <input id="handover-code" type="text" name="form[code]" inputmode="numeric" autocomplete="one-time-code" dir="ltr" maxlength="12" required />
                <button class="button" type="submit">{action}</button>
            </ActionForm>
        }.into_any()),
        (None, None) => Some(view! { <p class="note">"این مرسوله اکنون منتظر جمع‌آوری یا تحویل نیست."</p> }.into_any()),
    };
    view! {
        <section class="card" aria-labelledby="found-title" data-testid="courier-found">
            <h2 id="found-title">"مرسولهٔ "<bdi dir="ltr">{id.clone()}</bdi></h2>
            <dl class="facts">
                <dt>"وضعیت"</dt><dd data-testid="courier-status">{status}</dd>
                <dt>"مسیر"</dt><dd>{route}</dd>
                <dt>"اندازه"</dt><dd>{size}</dd>
            </dl>
            {said}
            {form}
            <p><a class="tap" href=Route::ConsoleShipment.with(&id)>"همهٔ جزئیات در کنسول"</a></p>
        </section>
    }
}
