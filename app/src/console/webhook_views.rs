//! The views of `/console/webhooks` and `/console/webhooks/{id}` ([`super::webhooks`] holds
//! their data and forms).

use domain::routes::Route;
use domain::webhook::Event;
use leptos::form::ActionForm;
use leptos::prelude::*;

use super::webhooks::{header, AttemptLine, EndpointLine, WebhookAct, WebhookAdd, WebhooksData};

#[component]
pub fn WebhooksView(
    data: WebhooksData,
    said: Option<(&'static str, bool)>,
    one: Option<i64>,
) -> impl IntoView {
    let WebhooksData {
        operator,
        csrf,
        endpoints,
        secret,
        attempts,
        waiting,
        refused,
    } = data;
    let said = said.map(|(text, good)| {
        let class = if good { "note" } else { "field-error" };
        let role = if good { "status" } else { "alert" };
        view! { <p class=class role=role data-testid="webhooks-message">{text}</p> }
    });
    let refused = refused.map(|text| view! { <p class="field-error" role="alert" data-testid="webhooks-message">{text}</p> });
    let secret = secret.map(|secret| view! {
        <section class="card" aria-labelledby="secret-title" data-testid="webhook-secret">
            <h2 id="secret-title">"رمز امضای تازه"</h2>
            <p><code dir="ltr" class="secret">{secret}</code></p>
            <p class="note">"این رمز فقط همین یک بار نشان داده می‌شود. سامانهٔ شما با آن امضای سرآیند "<bdi dir="ltr">"webhook-signature"</bdi>" را می‌سنجد (استاندارد "<bdi dir="ltr">"Standard Webhooks"</bdi>")."</p>
        </section>
    });
    let body = match one {
        Some(_) => endpoint_page(csrf.clone(), endpoints, attempts, waiting).into_any(),
        None => list_page(csrf.clone(), endpoints).into_any(),
    };
    view! {
        {header(&csrf, operator)}
        {said}
        {refused}
        {secret}
        {body}
    }
}

fn list_page(csrf: String, endpoints: Vec<EndpointLine>) -> impl IntoView {
    let add = ServerAction::<WebhookAdd>::new();
    let none = endpoints.is_empty();
    let rows = endpoints
        .into_iter()
        .map(|e| {
            let href = Route::ConsoleWebhook.with(&e.id.to_string());
            view! {
                <tr data-testid="endpoint-row">
                    <td><a href=href><bdi dir="ltr">{e.url}</bdi></a></td>
                    <td>{e.events}</td>
                    <td>{if e.personal { "با اطلاعات شخصی" } else { "بدون اطلاعات شخصی" }}</td>
                    <td>{e.state}</td>
                </tr>
            }
        })
        .collect_view();
    let boxes = Event::ALL
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let name = format!("form[e{i}]");
            let checked = *event != Event::SupportMessageReceived;
            view! {
                <label class="choice">
                    <input type="checkbox" name=name value="on" checked=checked />
                    <span class="choice-text">{event.label()}" "<bdi dir="ltr" class="muted">{event.key()}</bdi></span>
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="webhooks-title">
            <h1 id="webhooks-title">"وب‌هوک‌ها: خبر به سامانهٔ شرکت"</h1>
            <p>"هر رویداد مرسوله، امضاشده، به این نشانی‌ها فرستاده می‌شود؛ اگر نرسد تا یک روز دوباره فرستاده می‌شود. راهنما: "<bdi dir="ltr">"docs/webhooks.md"</bdi>"؛ توکن‌های API: "<a href=Route::ConsoleTokens.path()>"اتصال‌ها"</a></p>
            {none.then(|| view! { <p class="note" data-testid="no-endpoints">"هنوز نشانی‌ای ثبت نشده است."</p> })}
            {(!none).then(|| view! {
                <div class="table-wrap">
                    <table class="list">
                        <thead><tr><th scope="col">"نشانی"</th><th scope="col">"رویدادها"</th><th scope="col">"داده"</th><th scope="col">"وضعیت"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
        </section>
        <section class="card" aria-labelledby="new-endpoint-title">
            <h2 id="new-endpoint-title">"نشانی تازه"</h2>
            <ActionForm action=add>
                <input type="hidden" name="form[csrf]" value=csrf />
                <label for="endpoint-url">"نشانی (https)"</label>
                <input id="endpoint-url" type="url" name="form[url]" dir="ltr" maxlength="2000" autocomplete="off" required />
                <fieldset>
                    <legend>"رویدادها"</legend>
                    {boxes}
                </fieldset>
                <label class="choice"><input type="checkbox" name="form[personal]" value="on" /><span class="choice-text">"نام، تلفن و نشانی دو طرف هم فرستاده شود"</span></label>
                <button class="button" type="submit">"ثبت نشانی"</button>
            </ActionForm>
        </section>
    }
}

fn endpoint_page(
    csrf: String,
    endpoints: Vec<EndpointLine>,
    attempts: Vec<AttemptLine>,
    (pending, failed): (String, String),
) -> impl IntoView {
    let act = ServerAction::<WebhookAct>::new();
    let endpoint = endpoints.into_iter().next();
    let Some(e) = endpoint else {
        return ().into_any();
    };
    let id = e.id;
    let button = |action: &'static str, label: &'static str, class: &'static str| {
        let csrf = csrf.clone();
        view! {
            <ActionForm action=act>
                <input type="hidden" name="form[csrf]" value=csrf />
                <input type="hidden" name="form[id]" value=id />
                <input type="hidden" name="form[action]" value=action />
                <button class=class type="submit">{label}</button>
            </ActionForm>
        }
    };
    let switch = if e.on {
        button("disable", "خاموش کردن", "button secondary")
    } else {
        button("enable", "روشن کردن", "button")
    };
    let none = attempts.is_empty();
    let rows = attempts
        .into_iter()
        .map(|a| {
            view! {
                <tr data-testid="attempt-row">
                    <td>{a.at}</td>
                    <td>{a.event}</td>
                    <td><bdi dir="ltr">{a.subject}</bdi></td>
                    <td>{a.attempt}</td>
                    <td data-testid="attempt-outcome">{a.outcome}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="endpoint-title">
            <h1 id="endpoint-title"><bdi dir="ltr">{e.url}</bdi></h1>
            <p><a class="tap" href=Route::ConsoleWebhooks.path()>"همهٔ نشانی‌ها"</a></p>
            <dl class="facts">
                <dt>"وضعیت"</dt><dd data-testid="endpoint-state">{e.state}</dd>
                <dt>"رویدادها"</dt><dd>{e.events}</dd>
                <dt>"داده"</dt><dd>{if e.personal { "با اطلاعات شخصی" } else { "بدون اطلاعات شخصی" }}</dd>
                <dt>"ثبت"</dt><dd>{e.created}</dd>
                <dt>"آخرین ارسال موفق"</dt><dd>{e.last_ok}</dd>
                {e.previous_until.map(|until| view! { <dt>"رمز پیشین"</dt><dd>"تا "{until}" هم امضا می‌کند"</dd> })}
                <dt>"در صف"</dt><dd data-testid="endpoint-pending">{pending}</dd>
                <dt>"ناموفق"</dt><dd data-testid="endpoint-failed">{failed}</dd>
            </dl>
            <div class="actions">
                {switch}
                {button("replay", "فرستادن دوبارهٔ ناموفق‌ها", "button secondary")}
                {button("rotate", "رمز امضای تازه", "button secondary")}
                {button("delete", "حذف نشانی", "button danger")}
            </div>
        </section>
        <section class="card" aria-labelledby="log-title">
            <h2 id="log-title">"تلاش‌های ارسال (تازه‌ترین بالا)"</h2>
            {none.then(|| view! { <p class="note">"هنوز پیامی فرستاده نشده است."</p> })}
            {(!none).then(|| view! {
                <div class="table-wrap">
                    <table class="list">
                        <thead><tr><th scope="col">"زمان"</th><th scope="col">"رویداد"</th><th scope="col">"موضوع"</th><th scope="col">"تلاش"</th><th scope="col">"نتیجه"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
        </section>
    }
    .into_any()
}
