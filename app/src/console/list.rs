//! `/console`: the day at a glance ([`super::dashboard`]), then shipments with counts per
//! status, filters and paging.

use domain::routes::Route;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use ersal_server::console::ListQuery;

use super::{Logout, DIRECT_LINK};
use crate::ui::Failure;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListLine {
    pub id: String,
    pub status: String,
    /// The status's key (its badge's colour).
    pub status_key: String,
    /// The company must act next.
    pub needs_action: bool,
    /// Its pickup day has passed.
    pub late: bool,
    pub item: String,
    pub route: String,
    pub created: String,
    pub direct_link: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListData {
    pub operator: String,
    pub csrf: String,
    /// (status key, label, how many).
    pub counts: Vec<(String, String, i64)>,
    pub lines: Vec<ListLine>,
    pub total: i64,
    /// The previous and next pages, with the same filters.
    pub previous: Option<String>,
    pub next: Option<String>,
    /// (city id, name), for the origin and destination filters.
    pub cities: Vec<(String, String)>,
    /// Divar's API budget is running low: the support bot and post reads wait.
    pub budget_low: bool,
    /// Some filter is set (the filters start open, with a way to clear them).
    pub filtered: bool,
    /// The filters as asked, to show them in the form again.
    pub query: ListQuery,
    /// A date filter could not be read (and was left out).
    pub unreadable_date: bool,
}

#[server(endpoint = "console/list")]
pub async fn console_list(query: ListQuery) -> Result<Option<ListData>, ServerFnError> {
    use domain::jalali::{tehran_day, JalaliDateTime};
    use domain::stage::{is_late, Stage};
    use ersal_server::chat::texts::route;
    use ersal_server::console;

    let Some((state, operator)) = super::signed_in(None).await? else {
        return Ok(None);
    };
    let page = console::list(&state, &query).await?;
    let name = |c: &Option<String>| state.city_name(c.as_deref());
    let today = tehran_day(state.now());
    Ok(Some(ListData {
        operator: operator.username,
        csrf: operator.csrf,
        counts: page
            .counts
            .into_iter()
            .map(|(s, n)| (s.key().to_owned(), s.label().to_owned(), n))
            .collect(),
        lines: page
            .lines
            .into_iter()
            .map(|l| ListLine {
                route: route(&name(&l.origin_city), &name(&l.destination_city)),
                status: l.status.label().to_owned(),
                status_key: l.status.key().to_owned(),
                needs_action: Stage::NeedsAction.holds(l.status, l.pickup_day, today),
                late: is_late(l.status, l.pickup_day, today),
                item: l.item,
                created: JalaliDateTime::from_unix(l.created_at).display(),
                id: l.id,
                direct_link: l.direct_link,
            })
            .collect(),
        total: page.total,
        previous: (page.page > 0).then(|| query.href(page.page - 1)),
        next: (page.page + 1 < page.pages).then(|| query.href(page.page + 1)),
        cities: state
            .catalog
            .places
            .provinces
            .iter()
            .flat_map(|p| p.cities.iter().map(|c| (c.id.clone(), c.name.clone())))
            .collect(),
        budget_low: page.budget_low,
        filtered: [
            &query.status,
            &query.stage,
            &query.from,
            &query.until,
            &query.origin,
            &query.destination,
            &query.code,
            &query.proof,
        ]
        .iter()
        .any(|f| f.as_deref().is_some_and(|v| !v.trim().is_empty())),
        unreadable_date: [&query.from, &query.until].iter().any(|d| {
            d.as_deref()
                .is_some_and(|d| !d.trim().is_empty() && domain::jalali::parse_date(d).is_none())
        }),
        query,
    }))
}

#[component]
pub fn ListPage() -> impl IntoView {
    let query = use_query_map();
    let list = Resource::new(
        move || query.get(),
        |q| {
            console_list(ListQuery {
                status: q.get("status"),
                stage: q.get("stage"),
                from: q.get("from"),
                until: q.get("until"),
                origin: q.get("origin"),
                destination: q.get("destination"),
                code: q.get("code"),
                proof: q.get("proof"),
                page: q.get("page"),
            })
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">"در حال بارگذاری…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(Some(list)) => view! { <ListView list /> }.into_any(),
                    Ok(None) => view! { <p class="card"><a href=Route::ConsoleLogin.path()>"ورود کارکنان"</a></p> }.into_any(),
                    Err(_) => view! { <Failure /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListView(list: ListData) -> impl IntoView {
    let ListData {
        operator,
        csrf,
        counts,
        lines,
        total,
        previous,
        next,
        cities,
        budget_low,
        filtered,
        query,
        unreadable_date,
    } = list;
    let asked = |v: &Option<String>| v.clone().unwrap_or_default();
    let (origin, destination) = (asked(&query.origin), asked(&query.destination));
    let clear = move || {
        filtered.then(|| view! {
            <a class="tap" href=Route::Console.path() data-testid="clear-filters">"پاک کردن فیلترها"</a>
        })
    };
    let empty = lines.is_empty();
    let city_options = move |label: &'static str,
                             name: &'static str,
                             chosen: String,
                             cities: Vec<(String, String)>| {
        view! {
            <div class="field">
                <label for=format!("q-{name}")>{label}</label>
                <select id=format!("q-{name}") name=name>
                    <option value="">"همه"</option>
                    {cities.into_iter().map(|(id, city)| view! { <option selected=id == chosen value=id>{city}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    let (status, stage) = (asked(&query.status), asked(&query.stage));
    view! {
        <Logout csrf operator current=Route::Console />
        {budget_low.then(|| view! {
            <p class="card note" role="status" data-testid="budget-low">
                "سهمیهٔ تماس با دیوار رو به پایان است: پاسخ‌های بات پشتیبانی و خواندن آگهی‌ها فعلاً منتظر می‌مانند تا پیام‌های ارسال در گفتگو فرستاده شوند."
            </p>
        })}
        <super::dashboard::DayCard />
        <section class="card">
            <h2>"مرسوله‌ها"</h2>
            <p><a class="tap" href=Route::ConsoleLabels.path() data-testid="todays-labels">"فهرست و برچسب‌های جمع‌آوری امروز"</a></p>
            <ul class="counts" data-testid="counts">
                {counts.into_iter().map(|(key, label, n)| view! {
                    <li><a href=format!("{}?status={key}", Route::Console.path())>{label}": "{domain::text::persian_digits(&n.to_string())}</a></li>
                }).collect_view()}
            </ul>
            <details class="filter-box" open=filtered>
            <summary>"جست‌وجو و فیلتر"</summary>
            <form method="get" action=Route::Console.path() class="filters">
                <div class="field">
                    <label for="q-status">"وضعیت"</label>
                    <select id="q-status" name="status">
                        <option value="">"همه"</option>
                        {domain::status::Status::ALL.iter().map(|&s| view! { <option selected=s.key() == status value=s.key()>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="q-stage">"مرحله"</label>
                    <select id="q-stage" name="stage">
                        <option value="">"همه"</option>
                        {domain::stage::Stage::ALL.iter().map(|&s| view! { <option selected=s.key() == stage value=s.key()>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="q-code">"کد پیگیری"</label>
                    <input id="q-code" type="text" name="code" value=asked(&query.code) />
                </div>
                <div class="field">
                    <label for="q-from">"ثبت از تاریخ"</label>
                    <input id="q-from" type="text" name="from" inputmode="numeric" placeholder="۱۴۰۵/۰۹/۰۱" value=asked(&query.from) aria-describedby="q-date-hint" />
                </div>
                <div class="field">
                    <label for="q-until">"تا تاریخ"</label>
                    <input id="q-until" type="text" name="until" inputmode="numeric" placeholder="۱۴۰۵/۰۹/۳۰" value=asked(&query.until) aria-describedby="q-date-hint" />
                </div>
                <p class="hint" id="q-date-hint">"تاریخ‌ها شمسی‌اند، مانند ۱۴۰۵/۰۹/۱۶؛ هر دو روز هم جزو بازه‌اند."</p>
                {unreadable_date.then(|| view! {
                    <p class="field-error" role="alert" data-testid="date-problem">
                        "تاریخ را به شکل ۱۴۰۵/۰۹/۱۶ بنویسید؛ تاریخی که خوانده نشد در فیلتر اثری ندارد."
                    </p>
                })}
                {city_options("مبدأ", "origin", origin, cities.clone())}
                {city_options("مقصد", "destination", destination, cities)}
                <button class="button" type="submit">"جست‌وجو"</button>
            </form>
            </details>
            <p>{format!("{} مرسوله", domain::text::persian_digits(&total.to_string()))} " " {clear()}</p>
            {empty.then(|| view! { <p>"مرسوله‌ای با این فیلترها نیست."</p> })}
            <table class="list">
                <thead>
                    <tr><th scope="col">"کد"</th><th scope="col">"وضعیت"</th><th scope="col">"کالا"</th><th scope="col">"مسیر"</th><th scope="col">"ثبت"</th></tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|l| view! {
                        <tr>
                            <td><a dir="ltr" href=Route::ConsoleShipment.with(&l.id)>{l.id.clone()}</a></td>
                            <td>
                                <span class=format!("badge badge-{}", l.status_key)>{l.status}</span>
                                {l.needs_action.then(|| view! { <span class="tag" data-testid="needs-action">{domain::stage::Stage::NeedsAction.label()}</span> })}
                                {l.late.then(|| view! { <span class="tag tag-late" data-testid="late">"دیرکرد"</span> })}
                                {l.direct_link.then(|| view! { <span class="tag">{DIRECT_LINK}</span> })}
                            </td>
                            <td>{l.item}</td>
                            <td>{l.route}</td>
                            <td>{l.created}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <nav class="pages" aria-label="صفحه‌ها">
                {previous.map(|href| view! { <a href=href>"صفحهٔ قبل"</a> })}
                {next.map(|href| view! { <a href=href>"صفحهٔ بعد"</a> })}
            </nav>
        </section>
    }
}
